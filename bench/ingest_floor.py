"""The floor under ingest and verify (issue 16): what storing and checking the very same
bytes costs per event before any rule of the regulations is checked.

    .venv/bin/python -m bench.ingest_floor [--units 2000] [--items 30] [--reps 3]

On the events of a generated season (one `submit_score` per score, as bench.ingest), each
step that the stored payloads and hashes require, timed alone in CPU µs per event (best
of `--reps`, the garbage collector paused as the product pauses it):

* write: the recording time as ISO text (once), the chain content and its SHA-256, the
  payload bytes in the transcoder's layout (as `library.encode_plain_json` writes them),
  the tuple row, and the raw `executemany` of those rows into a scratch copy of the events
  table (SQLite, one transaction);
* verify: the raw scan of those rows, one `orjson.loads` each, the chain content from the
  loaded JSON and its SHA-256, and the event object a replay needs.

The sums are the floors: what a write or verify path with no checks at all would cost,
and so the best share of the raw insert or scan any path storing these bytes can reach.
"""

from __future__ import annotations

import argparse
import gc
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from assess.application import library
from assess.application.batches import perform_batch
from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.domain.chain import GENESIS, event_content, link
from assess.domain.cycle import Cycle
from assess.infrastructure.persistence import open_application

TABLE = "floor_events"
COLUMNS = "originator_id, originator_version, topic, state"


def best_cpu(step: Callable[[], Any], reps: int) -> float:
    """The least CPU seconds of `reps` runs of `step`."""
    times = []
    for _ in range(reps):
        started = time.process_time()
        step()
        times.append(time.process_time() - started)
    return min(times)


def measure(units: int, items: int, reps: int) -> dict[str, float]:
    season = generate_season("performance-evaluation", units, seed=7, items=items, sheets=False)
    cycle = Cycle.create(season)
    gc.disable()
    perform_batch(cycle, season["actions"])
    events = list(cycle.pending_events)
    count = len(events)
    folder = tempfile.mkdtemp()
    app = open_application(AssessApp, f"sqlite:///{Path(folder) / 'floor.db'}")
    stored = [library.encode_plain_json(app, event) for event in events]
    rows = [(e.originator_id.bytes, e.originator_version, e.topic, e.state) for e in stored]
    fields = [vars(event) for event in events]
    db = sqlite3.connect(str(Path(folder) / "raw.db"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")

    def insert() -> None:
        db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        db.execute(
            f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, originator_id BLOB NOT NULL, "
            "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, state BLOB NOT NULL, "
            "UNIQUE (originator_id, originator_version))"
        )
        started = time.process_time()
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?)", rows)
        db.execute("COMMIT")
        timings.append(time.process_time() - started)

    isos = [state["timestamp"].isoformat() for state in fields]

    def chain() -> None:
        previous = GENESIS
        for position, (state, iso) in enumerate(zip(fields, isos, strict=True), start=1):
            previous = link(event_content("ScoreSubmitted", position, iso, state, previous))

    def payloads() -> None:
        for state, iso in zip(fields, isos, strict=True):
            payload = dict(state)
            del payload["originator_id"], payload["originator_version"]
            payload["timestamp"] = {"_type_": "datetime_iso", "_data_": iso}
            orjson.dumps(payload)

    def scan() -> list[Any]:
        return db.execute(f"SELECT {COLUMNS} FROM {TABLE} ORDER BY id").fetchall()

    timings: list[float] = []
    for _ in range(reps):
        insert()
    scanned = scan()

    def check() -> None:
        previous = GENESIS
        for position, (_, version, _topic, state) in enumerate(scanned, start=1):
            loaded = orjson.loads(state)
            recorded = loaded["timestamp"]["_data_"]
            previous = link(event_content("ScoreSubmitted", position, recorded, loaded, previous))
            loaded["timestamp"] = datetime.fromisoformat(recorded)
            loaded["originator_version"] = version
            event = object.__new__(type(events[0]))
            object.__setattr__(event, "__dict__", loaded)

    figures = {
        "events": count,
        "write: timestamp as ISO text": best_cpu(
            lambda: [state["timestamp"].isoformat() for state in fields], reps
        ),
        "write: chain content (from the ISO text) and SHA-256": best_cpu(chain, reps),
        "write: payload bytes (state, ISO text given, orjson)": best_cpu(payloads, reps),
        "write: tuple rows": best_cpu(
            lambda: [
                (e.originator_id.bytes, e.originator_version, e.topic, e.state) for e in stored
            ],
            reps,
        ),
        "write: raw executemany (the baseline)": min(timings),
        "verify: raw scan (the baseline)": best_cpu(scan, reps),
        "verify: loads, chain content, SHA-256, event": best_cpu(check, reps),
    }
    db.close()
    app.close()
    gc.enable()
    return figures


def report(figures: dict[str, float]) -> str:
    count = figures["events"]
    per = {name: seconds / count * 1e6 for name, seconds in figures.items() if name != "events"}
    write = sum(value for name, value in per.items() if name.startswith("write"))
    verify = sum(value for name, value in per.items() if name.startswith("verify"))
    insert = per["write: raw executemany (the baseline)"]
    scan = per["verify: raw scan (the baseline)"]
    lines = [f"{count:,} events, CPU µs per event (best of the repetitions)", ""]
    lines += ["| step | µs/event |", "|---|---|"]
    lines += [f"| {name} | {value:.2f} |" for name, value in per.items()]
    lines += [
        f"| **write floor** (sum) | **{write:.2f}** |",
        f"| **verify floor** (sum) | **{verify:.2f}** |",
        "",
        f"Best share a path storing these bytes could reach: ingest {insert / write:.0%} of "
        f"the raw insert, verify {scan / verify:.0%} of the raw scan; 25 % of the raw insert "
        f"leaves {insert / 0.25 - write:.1f} µs per event for every check and the event "
        f"itself, 30 % of the scan {scan / 0.30 - verify:.1f} µs for the replay.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    if args.units < 1 or args.items < 1 or args.reps < 1:
        parser.exit(2, "bench.ingest_floor: --units, --items and --reps must be at least 1\n")
    print(report(measure(args.units, args.items, args.reps)))


if __name__ == "__main__":
    sys.exit(main())
