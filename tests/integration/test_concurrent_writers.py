"""Processes writing single actions to one cycle wait for each other (cross-process writer
locks, infrastructure/cycle_locks.py): every action is accepted and stored once."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assess.application import group_commit
from assess.application.service import AssessApp
from assess.domain.errors import DomainError
from assess.infrastructure.cycle_locks import SLOTS, FileLocks, for_recorder, lock_key
from assess.infrastructure.persistence import open_application
from tests.seasons import header

PROCESSES, EACH = 4, 10
CYCLE = "t-group-party-org"
# As `assess serve` has it: cycles cached, and read unchecked for 200 ms.
SERVER_LIKE = {"AGGREGATE_CACHE_MAXSIZE": "16", "READ_STALENESS_MS": "200"}


def _season(units: int) -> dict[str, Any]:
    season = header("group-party-org", [{"id": f"P{n}", "category": "c"} for n in range(units)])
    season["actions"] = [{"do": "publish_items", "by": "od"}, {"do": "open_assessment", "by": "od"}]
    return season


def _score(number: int) -> dict[str, Any]:
    """Action `number`: the year-end score of a unit of its own."""
    return {"do": "submit_score", "by": "as", "unit": f"P{number}", "component": "year_end"} | {
        "value": 50 + number % 50
    }


def _writer(url: str, first: int, start: Any, out: Any) -> None:
    app = open_application(AssessApp, url, **SERVER_LIKE)
    outcomes: list[tuple[int, str]] = []
    app.inspect(CYCLE, lambda cycle: cycle.version)  # cached, as in a running server
    start.wait()
    for number in range(first, first + EACH):
        try:
            app.act(CYCLE, [_score(number)])
            outcomes.append((number, "accepted"))
        except DomainError as error:
            outcomes.append((number, error.code))
    app.close()
    out.put(outcomes)


def test_writers_in_several_processes_are_all_accepted_and_stored_once(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_application(AssessApp, db)
    app.import_season(_season(PROCESSES * EACH))
    start_version = app.cycle(CYCLE).version
    context = multiprocessing.get_context("fork")  # the writers inherit the patch below
    start, out, collisions = context.Barrier(PROCESSES), context.Queue(), context.Queue()
    # A writer that waited its turn never collides: no conflict retry, no backoff.
    monkeypatch.setattr(group_commit, "_pause", collisions.put)
    writers = [
        context.Process(target=_writer, args=(db, n * EACH, start, out)) for n in range(PROCESSES)
    ]
    for writer in writers:
        writer.start()
    outcomes = [outcome for _ in writers for outcome in out.get(timeout=120)]
    for writer in writers:
        writer.join(timeout=30)
    assert Counter(code for _, code in outcomes) == {"accepted": PROCESSES * EACH}
    assert collisions.empty()

    stored = [e for e in app.events_of(CYCLE) if e.originator_version > start_version]
    assert len(stored) == PROCESSES * EACH
    assert sorted(int(e.data["unit"][1:]) for e in stored) == list(range(PROCESSES * EACH))
    app.close()


def test_the_store_chooses_the_lock(db: str) -> None:
    app = open_application(AssessApp, db)
    writers = for_recorder(app.recorder)
    expected = "AdvisoryLocks" if db.startswith("postgres") else "FileLocks"
    assert type(writers).__name__ == expected
    if writers is not None:
        writers.close()
    app.close()
    assert for_recorder(AssessApp().recorder) is None  # in memory: one process only


def test_a_sqlite_lock_file_waits_for_its_holder(tmp_path: Path) -> None:
    import fcntl
    import os

    locks = FileLocks(tmp_path / "assess.db")
    with locks.hold("2025-a"):
        slot = locks.folder / f"{lock_key('2025-a') % SLOTS:02d}"
        other = os.open(slot, os.O_RDWR)  # another holder (flock: per open file)
        with pytest.raises(BlockingIOError):
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(other)
    other = os.open(slot, os.O_RDWR)
    fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released
    os.close(other)


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_inserts_take_no_events_table_lock_unless_asked(db: str) -> None:
    """A write waits for no insert of another cycle in progress (a 600,000-event import
    held the table lock 13 s); a follower of the notification log would need it back."""
    from uuid import uuid4

    from eventsourcing.persistence import StoredEvent
    from sqlalchemy import text

    def table_locks(app: AssessApp) -> list[str]:
        recorder: Any = app.recorder
        event = StoredEvent(originator_id=uuid4(), originator_version=1, topic="t", state=b"{}")
        with recorder.transaction(commit=False) as session:  # rolled back
            recorder._insert_stored_events(session, [event])
            held = session.execute(
                text(
                    "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid()"
                    " AND relation = CAST(:table AS regclass)"
                ),
                {"table": recorder.events_table_name},
            )
            return list(held.scalars())

    app = open_application(AssessApp, db)
    assert "ExclusiveLock" not in table_locks(app)
    app.close()
    followed = open_application(AssessApp, db, LOCK_EVENTS_TABLE="y")
    assert "ExclusiveLock" in table_locks(followed)
    followed.close()
