"""Import lock benchmark (issue 11): single writes to one cycle while another cycle is
imported, on PostgreSQL.

    .venv/bin/python -m bench.import_lock [--units 2000] [--items 100] [--baseline COMMIT]

A writer process submits one single action (a year-end score) to a small cycle every
100 ms, timing each; once it has run for a few seconds another process imports a
performance-evaluation season of `--units` × `--items` (one submit_score per score:
600,000 events with the defaults) as a new cycle. Reported: the import's time and
events, and the time the writes that started during the import took (p50, p95,
longest), beside those of the writes before it.

With `--baseline COMMIT` the same run goes first against that commit's code, from a git
worktree mapped onto the `assess` package through PYTHONPATH (as bench.sign_in_flood).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import worktree
from bench.concurrent_writers import CYCLE, SERVER_LIKE, score

QUIET_SECONDS = 3  # writes before the import starts, for comparison
UNITS = 40  # of the small cycle


def _ms(values: list[float]) -> dict[str, float]:
    points = values if len(values) > 1 else values * 2
    cuts = statistics.quantiles(points, n=100, method="inclusive")
    return {"n": len(values), "p50": cuts[49], "p95": cuts[94], "max": max(values)}


# ---- the processes (run under the code being measured) ----------------------------------


def writer(url: str, stop_file: str) -> None:
    from assess.application.service import AssessApp
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, url, **SERVER_LIKE)
    app.cycle(CYCLE)
    writes = []
    number = 0
    next_at = time.time()
    while not os.path.exists(stop_file):
        time.sleep(max(0.0, next_at - time.time()))
        started = time.time()
        app.act(CYCLE, [score(number % UNITS)])
        writes.append([started, time.time() - started])
        number += 1
        next_at = started + 0.1
    app.close()
    print(json.dumps(writes))


def importer(url: str, units: int, items: int) -> None:
    from assess.application.service import AssessApp
    from assess.demo import generate_season
    from assess.infrastructure.persistence import open_application

    season = generate_season("performance-evaluation", units, seed=7, items=items, sheets=False)
    app = open_application(AssessApp, url)
    started = time.time()
    events = app.import_season(season).events
    ended = time.time()
    app.close()
    print(json.dumps({"started": started, "ended": ended, "events": events}))


# ---- one run ------------------------------------------------------------------------------


def _python(args: list[str], pythonpath: str | None) -> subprocess.Popen:
    return worktree.spawn("bench.import_lock", args, pythonpath)


def run(url: str, pythonpath: str | None, units: int, items: int) -> dict[str, Any]:
    from bench.concurrent_writers import spawn as writers_spawn

    if writers_spawn(["--setup", url, str(UNITS)], pythonpath).wait() != 0:
        raise SystemExit("setup failed")
    with tempfile.TemporaryDirectory() as folder:
        stop = str(Path(folder) / "stop")
        writing = _python(["--writer", url, stop], pythonpath)
        time.sleep(QUIET_SECONDS + 2)  # the writer's start, then quiet writes
        importing = _python(["--import", url, str(units), str(items)], pythonpath)
        imported = json.loads(importing.communicate()[0].strip().splitlines()[-1])
        time.sleep(1)
        Path(stop).touch()
        writes = json.loads(writing.communicate()[0].strip().splitlines()[-1])
    during = [d * 1000 for t, d in writes if imported["started"] <= t <= imported["ended"]]
    before = [d * 1000 for t, d in writes if t < imported["started"]]
    return {
        "events": imported["events"],
        "import_seconds": imported["ended"] - imported["started"],
        "quiet": _ms(before),
        "during": _ms(during),
    }


def line(code: str, row: dict[str, Any]) -> str:
    quiet, during = row["quiet"], row["during"]
    return (
        f"| {code} | {row['events']:,} | {row['import_seconds']:.1f} s | "
        f"{quiet['p95']:.0f} ms | {during['n']} | {during['p50']:.0f} ms | "
        f"{during['p95']:.0f} ms | **{during['max']:.0f} ms** |"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--writer":
        writer(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--import":
        importer(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--baseline", metavar="COMMIT", help="also measure this commit's code")
    args = parser.parse_args()
    from tests.pg import fresh_database_url

    print(
        f"Import lock: PostgreSQL, a {args.units} × {args.items} performance-evaluation import "
        f"while one process writes a single action every 100 ms to another cycle; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print(
        "| code | events imported | import | writes before: p95 | writes during | p50 "
        "| p95 | longest (≤ 1 s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with worktree.codes(args.baseline) as measured:
        for code, pythonpath in measured:
            with fresh_database_url() as url:
                row = run(url, pythonpath, args.units, args.items)
            print(line(code, row), flush=True)


if __name__ == "__main__":
    main()
