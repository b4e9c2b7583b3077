"""Ingest benchmark (issue 3): a 2,000-unit × 30-item performance-evaluation season,
one submit_score per score (≈180,000 events), on SQLite and PostgreSQL, side by side
with a raw bulk insert of the same JSON payloads through the same driver.

    .venv/bin/python -m bench.ingest [--units 2000] [--items 30] [--only sqlite|postgres]

Each measured phase runs in a fresh process, so "cold start" is cold and the peak
memory (RSS) belongs to that phase alone.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy

from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.demo import generate_season
from assess.infrastructure.persistence import normalise_url, open_application
from bench.baseline import raw_insert_rate, raw_scan_rate

CYCLE = "2025-performance-evaluation"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_import(url: str, units: int, items: int, sheets: bool) -> dict[str, Any]:
    season = generate_season("performance-evaluation", units, seed=7, items=items, sheets=sheets)
    app = open_application(AssessApp, url)
    started = time.perf_counter()
    applied = app.import_season(season)
    seconds = time.perf_counter() - started
    return {"events": applied.events, "seconds": seconds, "peak_rss_mib": peak_rss_mib()}


def phase_results(url: str) -> dict[str, Any]:
    """A new process: open the store, compute every unit's results, then reload the cycle."""
    started = time.perf_counter()
    app = open_application(AssessApp, url)
    document = app.results(CYCLE)
    results_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cycle = app.cycle(CYCLE)  # snapshot plus the events after it
    return {
        "results_cold_seconds": results_seconds,
        "units": len(document["results"]),
        "reload_seconds": time.perf_counter() - started,
        "events": cycle.version,
        "peak_rss_mib": peak_rss_mib(),
    }


def phase_replay(url: str) -> dict[str, Any]:
    """The aggregate rebuilt from every event, no snapshot: the worst case."""
    app = open_application(AssessApp, url)
    started = time.perf_counter()
    cycle_id = app.cycle(CYCLE).id
    events = list(app.events.get(cycle_id))
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return {
        "read_seconds": read_seconds,
        "apply_seconds": time.perf_counter() - started,
        "events": len(events),
        "peak_rss_mib": peak_rss_mib(),
    }


def phase_verify(url: str) -> dict[str, Any]:
    """`assess verify` on the cycle: chain, replay and every version's digest."""
    app = open_application(AssessApp, url)
    started = time.perf_counter()
    report = verify_cycle(app, CYCLE)
    assert report.ok, report.failure
    return {"seconds": time.perf_counter() - started, "events": report.events}


def stored_payloads(url: str) -> list[bytes]:
    engine = sqlalchemy.create_engine(normalise_url(url))
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT state FROM assess_events ORDER BY id"))
        payloads = [bytes(row[0]) for row in rows]
    engine.dispose()
    return payloads


def run_phase(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.ingest", "--phase", name, "--url", url]
    command += ["--units", str(args.units), "--items", str(args.items)]
    command += ["--sheets"] if args.sheets else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(label: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    print(f"[{label}] import …", file=sys.stderr)
    imported = run_phase("import", url, args)
    print(f"[{label}] results from a cold start …", file=sys.stderr)
    results = run_phase("results", url, args)
    print(f"[{label}] full replay …", file=sys.stderr)
    replay = run_phase("replay", url, args)
    print(f"[{label}] verify …", file=sys.stderr)
    verified = run_phase("verify", url, args)
    print(f"[{label}] raw baseline …", file=sys.stderr)
    payloads = stored_payloads(url)
    return {
        "store": label,
        "events": imported["events"],
        "ingest_events_per_s": imported["events"] / imported["seconds"],
        "ingest_seconds": imported["seconds"],
        "raw_insert_rows_per_s": raw_insert_rate(url, payloads),
        "raw_scan_rows_per_s": raw_scan_rate(url, payloads),
        "import_peak_rss_mib": imported["peak_rss_mib"],
        "results_cold_seconds": results["results_cold_seconds"],
        "reload_seconds": results["reload_seconds"],
        "results_peak_rss_mib": results["peak_rss_mib"],
        "full_replay_seconds": replay["read_seconds"] + replay["apply_seconds"],
        "verify_seconds": verified["seconds"],
        "verify_events_per_s": verified["events"] / verified["seconds"],
    }


def report(rows: list[dict[str, Any]]) -> str:
    lines = [
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "| store | events | ingest events/s | raw rows/s | ratio | import peak RSS | "
        "results cold | reload aggregate | full replay (no snapshot) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = row["ingest_events_per_s"] / row["raw_insert_rows_per_s"]
        lines.append(
            f"| {row['store']} | {row['events']:,} | {row['ingest_events_per_s']:,.0f} | "
            f"{row['raw_insert_rows_per_s']:,.0f} | {ratio:.0%} | "
            f"{row['import_peak_rss_mib']:,.0f} MiB | {row['results_cold_seconds']:.2f} s | "
            f"{row['reload_seconds']:.2f} s | {row['full_replay_seconds']:.2f} s |"
        )
    lines += [
        "",
        "| store | verify | verify events/s | raw scan rows/s | ratio |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = row["verify_events_per_s"] / row["raw_scan_rows_per_s"]
        lines.append(
            f"| {row['store']} | {row['verify_seconds']:.1f} s | "
            f"{row['verify_events_per_s']:,.0f} | {row['raw_scan_rows_per_s']:,.0f} | {ratio:.0%} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--phase", choices=["import", "results", "replay", "verify"], help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--sheets", action="store_true", help="One submit_sheet per unit and method instead."
    )
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        phases = {"import": lambda: phase_import(args.url, args.units, args.items, args.sheets)}
        phases["results"] = lambda: phase_results(args.url)
        phases["replay"] = lambda: phase_replay(args.url)
        phases["verify"] = lambda: phase_verify(args.url)
        print(json.dumps(phases[args.phase]()))
        return

    from tests.pg import fresh_database_url

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        if args.only in (None, "sqlite"):
            rows.append(measure("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}", args))
    if args.only in (None, "postgres"):
        with fresh_database_url() as url:
            rows.append(measure("PostgreSQL", url, args))
    print(report(rows))


if __name__ == "__main__":
    main()
