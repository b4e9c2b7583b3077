"""Concurrent writers benchmark (issue 11): processes writing single actions to one cycle.

    .venv/bin/python -m bench.concurrent_writers [--processes 8] [--each 20]
        [--only sqlite|postgres] [--baseline COMMIT]

Each writer is a process of its own that opens the store as `assess serve` does (cycles
cached, read unchecked for 200 ms), reads the cycle once, waits for a common start and
then submits `--each` single actions one after another: the year-end score of a unit of
its own, so that every action is valid and can be told apart in the store. Reported per
store: actions accepted and refused (by code), events stored, actions stored twice or
lost, and the wall time from the start to the last writer's end.

With `--baseline COMMIT` the same runs go first against that commit's code, from a git
worktree mapped onto the `assess` package through PYTHONPATH (as bench.sign_in_flood).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench import worktree

ROOT = Path(__file__).resolve().parents[1]
CYCLE = "bench-writers"
SERVER_LIKE = {"AGGREGATE_CACHE_MAXSIZE": "16", "READ_STALENESS_MS": "200"}


def season(units: int) -> dict[str, Any]:
    """A group-party-org cycle open for assessment, with `units` units."""
    ids = [f"P{n}" for n in range(units)]
    return {
        "format": "assess-season/1",
        "cycle": {"id": CYCLE, "scheme": "group-party-org", "year": 2025, "title": "bench"},
        "rules": {},
        "actors": [{"id": "od", "role": "org_dept"}, {"id": "as", "role": "assessor"}],
        "units": [{"id": unit, "category": "c"} for unit in ids],
        "actions": [{"do": "publish_items", "by": "od"}, {"do": "open_assessment", "by": "od"}],
    }


def score(number: int) -> dict[str, Any]:
    return {
        "do": "submit_score",
        "by": "as",
        "unit": f"P{number}",
        "component": "year_end",
        "value": 50 + number % 50,
    }


# ---- the processes (run under the code being measured) ----------------------------------


def setup(url: str, units: int) -> None:
    from assess.application.service import AssessApp
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, url)
    app.import_season(season(units))
    app.close()


def write(url: str, first: int, count: int, start_at: float) -> None:
    from assess.application.service import AssessApp
    from assess.domain.errors import DomainError
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, url, **SERVER_LIKE)
    app.cycle(CYCLE)  # cached, as in a running server
    time.sleep(max(0.0, start_at - time.time()))
    outcomes = []
    for number in range(first, first + count):
        try:
            app.act(CYCLE, [score(number)])
            outcomes.append([number, "accepted"])
        except DomainError as error:
            outcomes.append([number, error.code])
    ended = time.time()
    app.close()
    print(json.dumps({"outcomes": outcomes, "ended": ended}))


def stored_units(url: str) -> list[str]:
    """The unit of every stored score (read with the current code)."""
    from assess.application.service import AssessApp
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, url)
    units = [e.data["unit"] for e in app.events_of(CYCLE) if "component" in e.data]
    app.close()
    return units


# ---- one run ------------------------------------------------------------------------------


def spawn(args: list[str], pythonpath: str | None) -> subprocess.Popen:
    return worktree.spawn("bench.concurrent_writers", args, pythonpath)


def run(url: str, pythonpath: str | None, processes: int, each: int) -> dict[str, Any]:
    total = processes * each
    if spawn(["--setup", url, str(total)], pythonpath).wait() != 0:
        raise SystemExit("setup failed")
    start_at = time.time() + 5  # time for every writer to start and read the cycle
    writers = [
        spawn(["--write", url, str(n * each), str(each), repr(start_at)], pythonpath)
        for n in range(processes)
    ]
    reports = []
    for writer in writers:
        out, _ = writer.communicate()
        if writer.returncode != 0:
            raise SystemExit("a writer failed")
        reports.append(json.loads(out.strip().splitlines()[-1]))
    outcomes = Counter(code for r in reports for _, code in r["outcomes"])
    accepted = {f"P{n}" for r in reports for n, code in r["outcomes"] if code == "accepted"}
    stored = Counter(stored_units(url))
    return {
        "accepted": outcomes.pop("accepted", 0),
        "refused": dict(outcomes),
        "stored": sum(stored.values()),
        "duplicated": sum(count - 1 for count in stored.values() if count > 1),
        "lost": len(accepted - set(stored)),
        "seconds": max(r["ended"] for r in reports) - start_at,
        "total": total,
    }


@contextmanager
def database(store: str):  # -> Iterator[str]
    if store == "SQLite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.db'}"
    else:
        from tests.pg import fresh_database_url

        with fresh_database_url() as url:
            yield url


def line(code: str, store: str, row: dict[str, Any]) -> str:
    refused = ", ".join(f"{code}: {n}" for code, n in sorted(row["refused"].items())) or "0"
    return (
        f"| {code} | {store} | {row['accepted']} / {row['total']} | **{refused}** | "
        f"{row['stored']} | {row['duplicated']} | {row['lost']} | {row['seconds']:.2f} s |"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--setup":
        setup(sys.argv[2], int(sys.argv[3]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--write":
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--each", type=int, default=20)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--baseline", metavar="COMMIT", help="also measure this commit's code")
    args = parser.parse_args()

    stores = [s for s in ("SQLite", "PostgreSQL") if s.lower().startswith(args.only or "")]
    print(
        f"Concurrent writers: {args.processes} processes × {args.each} single actions on one "
        f"cycle; {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}\n"
    )
    print("| code | store | accepted | refused | stored | duplicated | lost | wall time |")
    print("|---|---|---|---|---|---|---|---|")
    with worktree.codes(args.baseline) as measured:
        for code, pythonpath in measured:
            for store in stores:
                with database(store) as url:
                    row = run(url, pythonpath, args.processes, args.each)
                print(line(code, store, row), flush=True)


if __name__ == "__main__":
    main()
