"""Import and verify CPU per event, this code beside an earlier commit's, in one run.

    .venv/bin/python -m bench.ingest_cpu [--baseline REV] [--reps 3] [--units 2000] [--items 30]

Each repetition runs, in turn, the baseline's code (from a git worktree, see
`bench/worktree.py`) and this code, each in a fresh process on a fresh SQLite store: a
performance-evaluation season with one `submit_score` per score imported in one batch,
then `verify_cycle` in a second application. Reported: the median CPU µs per event of the
import and of verify, the import's events/s (wall), and every run's figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from typing import Any

from bench.worktree import codes, spawn


def child(units: int, items: int) -> dict[str, Any]:
    """One import and one verify, in this process, on the code on its path."""
    from assess.application.service import AssessApp
    from assess.application.verify import verify_cycle
    from assess.demo import generate_season
    from assess.infrastructure.persistence import open_application

    season = generate_season("performance-evaluation", units, seed=7, items=items, sheets=False)
    url = f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    app = open_application(AssessApp, url)
    cpu, wall = time.process_time(), time.perf_counter()
    events = app.import_season(season).events
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    reader = open_application(AssessApp, url)
    started = time.process_time()
    report = verify_cycle(reader, season["cycle"]["id"])
    checked = time.process_time() - started
    return {
        "events": events,
        "import_us": cpu / events * 1e6,
        "import_per_s": events / wall,
        "verify_us": checked / report.events * 1e6,
        "ok": report.ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default="2906598", help="The commit to compare with.")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.reps < 1 or args.units < 1 or args.items < 1:
        parser.exit(2, "bench.ingest_cpu: --reps, --units and --items must be at least 1\n")
    if args.child:
        print(json.dumps(child(args.units, args.items)))
        return
    sizes = ["--units", str(args.units), "--items", str(args.items), "--child"]
    with codes(args.baseline) as pairs:
        runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _ in pairs}
        for _ in range(args.reps):
            for label, path in pairs:
                process = spawn("bench.ingest_cpu", sizes, path)
                out, _ = process.communicate()
                if process.returncode != 0:
                    sys.exit(f"bench.ingest_cpu: the {label} run failed")
                runs[label].append(json.loads(out.strip().splitlines()[-1]))
    print("| code | import CPU µs/event | import events/s | verify CPU µs/event | runs |")
    print("|---|---|---|---|---|")
    for label, found in runs.items():
        median = {
            key: statistics.median(run[key] for run in found) for key in found[0] if key != "ok"
        }
        each = " ".join(f"{run['import_us']:.1f}/{run['verify_us']:.1f}" for run in found)
        assert all(run["ok"] for run in found), f"{label}: verify failed"
        print(
            f"| {label} | {median['import_us']:.1f} | {median['import_per_s']:,.0f} | "
            f"{median['verify_us']:.1f} | {each} |"
        )


if __name__ == "__main__":
    main()
