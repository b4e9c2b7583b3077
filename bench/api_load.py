"""API load benchmark: a 2,000-unit cycle, 32 concurrent clients on 127.0.0.1, on the store
`--db` names (SQLite or PostgreSQL; without it a fresh PostgreSQL database, made and dropped).

    .venv/bin/python -m bench.api_load [--units 2000] [--clients 32] [--seconds 30] [--db URL]

Phases, each `--seconds` long after a short warm-up: `GET /cycles/R/results` (first page
of 100) on a closed cycle, then `POST /cycles/W/actions` (one `submit_score`) on a cycle
in assessment. The server is uvicorn (one process) in a child process; the load generator
is an asyncio loop of aiohttp clients in this one, each waiting for its answer before the
next request (a closed loop: bounded in count by the clients and in time by the phase).
Afterwards every accepted score is looked up in the event store: none may be missing or
stored twice. The report's title names the store each code ran on.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from assess.application.audit import verb_of
from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import normalise_url, open_application
from bench import worktree

READ_CYCLE = "2025-group-party-org"
WRITE_CYCLE = "2025-bench-write"
COMPONENTS = ("research_h2", "year_end")
WARM_UP_SECONDS = 2.0
PASSWORD = "bench-password"  # the same for every bench account
SERVER = """
import os, sys, uvicorn
os.environ.update(ASSESS_DB=sys.argv[1], ASSESS_ARGON2_TIME_COST="1",
                  ASSESS_ARGON2_MEMORY_KIB="1024", ASSESS_SECRET="bench-" + "k" * 40)
uvicorn.run("assess.api.app:create_app", factory=True, workers=int(sys.argv[3]), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


# ---- the data ------------------------------------------------------------------------


def load(url: str, units: int) -> None:
    """R: a closed cycle with results; W: the same season stopped before close_scoring."""
    season = generate_season("group-party-org", units, seed=1, complications=True)
    writing = copy.deepcopy(season)
    writing["cycle"]["id"] = WRITE_CYCLE
    close = next(i for i, a in enumerate(writing["actions"]) if a["do"] == "close_scoring")
    writing["actions"] = writing["actions"][:close]
    app = open_application(AssessApp, url)
    for document in (season, writing):
        started = time.perf_counter()
        applied = app.import_season(document)
        seconds = time.perf_counter() - started
        print(f"loaded {applied.cycle}: {applied.events:,} events in {seconds:.1f} s")
    app.close()
    accounts = AccountStore(url, password_hasher(1, 1024))
    for name, actor in (("reader", "aud"), ("scorer", "as0")):
        accounts.add(name, PASSWORD)
        accounts.bind(name, READ_CYCLE, actor)
        accounts.bind(name, WRITE_CYCLE, actor)
    accounts.close()


def store_name(url: str) -> str:
    """The store's name, SQLite or PostgreSQL, from its URL (ValueError, one line, otherwise)."""
    return "SQLite" if normalise_url(url).startswith("sqlite") else "PostgreSQL"


def unit_ids(units: int) -> list[str]:
    return [f"P{n:04d}" for n in range(units)]


# ---- the load ------------------------------------------------------------------------------


async def token(client: aiohttp.ClientSession, name: str) -> dict[str, str]:
    form = {"username": name, "password": PASSWORD}
    async with client.post("/auth/token", data=form, raise_for_status=True) as reply:
        return {"Authorization": f"Bearer {(await reply.json())['access_token']}"}


async def run_phase(
    base: str, clients: int, seconds: float, name: str, request: Callable[..., Any]
) -> dict[str, Any]:
    """`clients` loops, each sending `request(client, n)` until the phase ends."""
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:
        headers = await token(client, "scorer" if name == "post" else "reader")
        counter = iter(range(10**9))
        warm_up: list[tuple[int, Any]] = []
        await _loop(client, clients, WARM_UP_SECONDS, headers, request, counter, [], warm_up)
        latencies: list[float] = []
        outcomes: list[tuple[int, Any]] = []
        started = time.perf_counter()
        await _loop(client, clients, seconds, headers, request, counter, latencies, outcomes)
        elapsed = time.perf_counter() - started
    summary = summarise(name, latencies, outcomes, elapsed)
    summary["outcomes"] = warm_up + outcomes  # every write sent, for the store check
    return summary


async def _loop(client, clients, seconds, headers, request, counter, latencies, outcomes):
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        while time.perf_counter() < deadline:
            number = next(counter)
            sent = time.perf_counter()
            status, payload, body = await request(client, headers, number)
            latencies.append(time.perf_counter() - sent)
            outcomes.append((status, (payload, body)))

    await asyncio.gather(*(one_client() for _ in range(clients)))


def summarise(name, latencies, outcomes, elapsed) -> dict[str, Any]:
    ms = sorted(value * 1000 for value in latencies)
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    statuses: dict[int, int] = {}
    for status, _ in outcomes:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "phase": name,
        "requests": len(ms),
        "seconds": round(elapsed, 2),
        "throughput_per_s": round(len(ms) / elapsed, 1),
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(ms[-1], 2),
        "statuses": statuses,
    }


async def results_request(client: aiohttp.ClientSession, headers: dict, number: int):
    url = f"/cycles/{READ_CYCLE}/results"
    async with client.get(url, params={"limit": 100}, headers=headers) as reply:
        await reply.read()
        return reply.status, None, None


def score_request(units: list[str]) -> Callable[..., Any]:
    async def request(client: aiohttp.ClientSession, headers: dict, number: int):
        action = {
            "do": "submit_score",
            "unit": units[number % len(units)],
            "component": COMPONENTS[number % len(COMPONENTS)],
            "value": 60 + number % 40,
        }
        url = f"/cycles/{WRITE_CYCLE}/actions"
        async with client.post(url, json=action, headers=headers) as reply:
            return reply.status, action, await reply.json()

    return request


# ---- checking the writes ---------------------------------------------------------------------


def check_writes(url: str, start: int, outcomes: list[tuple[int, Any]]) -> dict[str, int]:
    """Every accepted score is stored once at the position it was answered with."""
    accepted = {}
    for status, (action, body) in outcomes:
        if status == 200:
            accepted[body["position"]] = action
    app = open_application(AssessApp, url)
    stored = [e for e in app.events_of(WRITE_CYCLE) if e.originator_version > start]
    app.close()
    positions = [e.originator_version for e in stored]
    matching = sum(
        1
        for event in stored
        if event.originator_version in accepted
        and verb_of(event) == "submit_score"
        and event.data["unit"] == accepted[event.originator_version]["unit"]
        and event.data["component"] == accepted[event.originator_version]["component"]
        and event.data["value"] == str(accepted[event.originator_version]["value"])
    )
    return {
        "accepted": len(accepted),
        "stored": len(stored),
        "lost": len(set(accepted) - set(positions)),
        "duplicated_or_unexpected": len(positions) - matching,
    }


# ---- the run ----------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(
    url: str, workers: int, pythonpath: str | None = None
) -> tuple[subprocess.Popen, str]:
    """The server on `url`; with `pythonpath`, an earlier commit's (see --baseline)."""
    port = free_port()
    env = {**os.environ, **({"PYTHONPATH": pythonpath} if pythonpath else {})}
    command = [sys.executable, "-c", SERVER, url, str(port), str(workers)]
    server = subprocess.Popen(command, env=env, cwd="/" if pythonpath else None)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def measure(
    url: str, args: argparse.Namespace, pythonpath: str | None = None
) -> list[dict[str, Any]]:
    load(url, args.units)
    start = open_application(AssessApp, url)
    position = start.cycle(WRITE_CYCLE).version
    start.close()
    server, base = start_server(url, args.workers, pythonpath)
    try:
        read = asyncio.run(run_phase(base, args.clients, args.seconds, "get", results_request))
        write = asyncio.run(
            run_phase(base, args.clients, args.seconds, "post", score_request(unit_ids(args.units)))
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    write["writes"] = check_writes(url, position, write["outcomes"])
    return [{**row, "store": store_name(url)} for row in (read, write)]


def stores_of(rows: list[dict[str, Any]]) -> str:
    """The store of every row: "SQLite", or "PostgreSQL (9bba6cb), SQLite (now)" if they differ."""
    by_code = {row["code"]: row["store"] for row in rows}
    if len(set(by_code.values())) == 1:
        return next(iter(by_code.values()))
    return ", ".join(f"{store} ({code})" for code, store in by_code.items())


def report(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        f"API load: {args.units:,}-unit cycle on {stores_of(rows)}, {args.clients} clients, "
        f"{args.seconds:.0f} s per phase, uvicorn ({args.workers} worker(s)) on 127.0.0.1; "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "",
        "| code | request | requests | req/s | p50 | p95 | p99 | max | statuses |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    titles = {"get": "GET results (first 100)", "post": "POST actions (1 score)"}
    for row in rows:
        lines.append(
            f"| {row['code']} | {titles[row['phase']]} | {row['requests']:,} | "
            f"{row['throughput_per_s']:,.0f} | "
            f"{row['p50_ms']:.1f} ms | {row['p95_ms']:.1f} ms | {row['p99_ms']:.1f} ms | "
            f"{row['max_ms']:.0f} ms | {json.dumps(row['statuses'])} |"
        )
    lines.append("")
    for row in rows:
        if "writes" in row:
            writes = row["writes"]
            lines.append(
                f"writes ({row['code']}): {writes['accepted']:,} accepted, "
                f"{writes['stored']:,} stored, {writes['lost']} lost, "
                f"{writes['duplicated_or_unexpected']} duplicated or unexpected"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument(
        "--db",
        help="An empty store: sqlite:///path or postgresql://… (default: a fresh PostgreSQL "
        "database). A --baseline commit always runs on a fresh PostgreSQL database.",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out/api_load.txt"))
    parser.add_argument(
        "--baseline", metavar="COMMIT", help="Also serve that commit's code, first, in this run."
    )
    args = parser.parse_args()
    if args.db:
        try:
            store_name(args.db)
        except ValueError as error:
            parser.exit(2, f"{parser.prog}: --db: {error}\n")
    rows: list[dict[str, Any]] = []
    with worktree.codes(args.baseline, now="now") as measured:
        for code, pythonpath in measured:
            if args.db and pythonpath is None:
                rows += [{**row, "code": code} for row in measure(args.db, args)]
                continue
            from tests.pg import fresh_database_url

            with fresh_database_url() as url:
                rows += [{**row, "code": code} for row in measure(url, args, pythonpath)]
    text = report(rows, args)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
