"""Sign-in flood benchmark: GET latency for a signed-in client while wrong sign-ins pour in.

    .venv/bin/python -m bench.sign_in_flood [--seconds 15] [--flooders 40] [--baseline COMMIT]

The server is `assess serve --demo` in a child process (SQLite in a temporary directory,
the default argon2 parameters: 64 MiB and ~0.2 s a hash). One client, signed in as the
demo auditor, reads the first 100 results of a demo cycle in a closed loop (httpx, one
keep-alive connection) through three phases: no flood; `--flooders` concurrent clients
sending wrong passwords for a new unknown name each time (the throttle never trips: every
try costs a hash); the same clients all sending wrong passwords for `od` (the throttle
trips after 5). The flood runs in a process of its own (aiohttp), so that its client work
does not slow the measuring client. The server's peak RSS (VmHWM, reset between phases
through /proc/<pid>/clear_refs) is read after each phase.

With `--baseline COMMIT` the same phases run first against that commit's code, from a
git worktree mapped onto the `assess` package through PYTHONPATH.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from bench import worktree

ROOT = Path(__file__).resolve().parents[1]
SERVE = "from assess.cli.serve import serve; serve(prog_name='assess serve')"
READER = ("aud", "demo")
RESULTS = "/cycles/2025-group-party-org/results"
PHASES = {
    "quiet": "no flood",
    "unknown": "flood, a new unknown name each try",
    "od": "flood, all on `od`",
}


# ---- the server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(folder: Path, pythonpath: str | None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("ASSESS_")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    url = f"sqlite:///{folder / 'assess.db'}"
    command = [sys.executable, "-c", SERVE, "--db", url, "--port", str(port), "--demo"]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit((folder / "server.log").read_text())
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not start")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # VmHWM back to the current RSS


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


# ---- the flood (a process of its own) -------------------------------------------------


def flood(base: str, clients: int, target: str | None, seconds: float, out: Any) -> None:
    out.put(asyncio.run(_flood(base, clients, target, seconds)))


async def _flood(base: str, clients: int, target: str | None, seconds: float) -> dict[int, int]:
    statuses: Counter[int] = Counter()
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as client:

        async def one(number: int) -> None:
            tries = 0
            while time.perf_counter() < deadline:
                name = target or f"flood{number}x{tries}"
                form = {"username": name, "password": "not the password"}
                try:
                    async with client.post("/auth/token", data=form) as reply:
                        await reply.read()
                        statuses[reply.status] += 1
                except (aiohttp.ClientError, TimeoutError):
                    statuses[0] += 1
                tries += 1

        await asyncio.gather(*(one(n) for n in range(clients)))
    return dict(statuses)


# ---- the measuring client ------------------------------------------------------------


def read_loop(client: httpx.Client, headers: dict[str, str], seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        sent = time.perf_counter()
        reply = client.get(RESULTS, params={"limit": 100}, headers=headers)
        latencies.append((time.perf_counter() - sent) * 1000)
        statuses[reply.status_code] += 1
    # Under a flood of the earlier code, one GET may outlast the phase.
    points = latencies if len(latencies) > 1 else latencies * 2
    cuts = statistics.quantiles(points, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "p50": cuts[49],
        "p95": cuts[94],
        "max": max(latencies),
        "statuses": dict(statuses),
    }


def measure(code: str, pythonpath: str | None, args: argparse.Namespace) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="sign-in-flood-") as folder:
        server, base = start_server(Path(folder), pythonpath)
        try:
            with httpx.Client(base_url=base, timeout=120) as client:
                form = {"username": READER[0], "password": READER[1]}
                token = client.post("/auth/token", data=form).raise_for_status().json()
                headers = {"Authorization": f"Bearer {token['access_token']}"}
                read_loop(client, headers, 2)  # warm-up: the cycle in memory
                for phase in PHASES:
                    reset_peak(server.pid)
                    flooding = None
                    if phase != "quiet":
                        out: Any = multiprocessing.Queue()
                        target = None if phase == "unknown" else phase
                        flooding = multiprocessing.Process(
                            target=flood, args=(base, args.flooders, target, args.seconds, out)
                        )
                        flooding.start()
                        time.sleep(1)  # the flood under way before measuring
                    row = read_loop(client, headers, args.seconds)
                    if flooding is not None:
                        row["flood"] = out.get(timeout=300)
                        flooding.join()
                    row.update(code=code, phase=phase, rss=peak_mib(server.pid))
                    rows.append(row)
                    print(line(row), flush=True)
                    time.sleep(2)  # what the flood left in flight ends
        finally:
            server.terminate()
            server.wait(timeout=60)
    return rows


def line(row: dict[str, Any]) -> str:
    flood = row.get("flood") or {}
    shown = ", ".join(f"{status}: {count:,}" for status, count in sorted(flood.items()))
    return (
        f"| {row['code']} | {PHASES[row['phase']]} | {row['requests']:,} | {row['p50']:.1f} ms | "
        f"**{row['p95']:.1f} ms** | {row['max']:.0f} ms | {row['rss']:.0f} MiB | "
        f"{shown if flood else '–'} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each phase")
    parser.add_argument("--flooders", type=int, default=40)
    parser.add_argument("--baseline", metavar="COMMIT", help="also measure this commit's code")
    args = parser.parse_args()
    print(
        f"Sign-in flood: {args.flooders} flooding clients, {args.seconds:.0f} s per phase; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print(
        "| code | phase | GETs | p50 | p95 (≤ 100 ms) | max | server peak RSS (≤ 600 MiB) "
        "| sign-in answers (status: count) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with worktree.codes(args.baseline) as measured:
        for code, pythonpath in measured:
            measure(code, pythonpath, args)


if __name__ == "__main__":
    main()
