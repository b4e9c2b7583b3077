"""Persistence layer: URL resolution, the fast recorders, on SQLite and PostgreSQL.

The PostgreSQL cases run in the session's ``assess_test_<hex>`` database (the `db`
fixture, tests/pg.py): skipped if PostgreSQL is unreachable, failed if REQUIRE_POSTGRES=1.

Set ASSESS_PERSISTENCE_BENCH=1 (and run with ``-s``) to print the bulk-save
measurements: stock eventsourcing-sqlalchemy recorder versus ours.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError, StoredEvent

from assess.application.library import take_pending_events
from assess.infrastructure.persistence import (
    DEFAULT_URL,
    application_env,
    open_application,
    resolve_url,
)
from assess.infrastructure.recorders import (
    FastAggregateRecorder,
    FastApplicationRecorder,
    FastSQLAlchemyFactory,
)

STOCK = {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy"}


# --- a toy aggregate, shaped like the product's score events -------------------


class Toy(Aggregate):
    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0
        self.last_chain = ""

    @event("Scored")
    def score(self, actor: str, role: str, at: Any, data: dict, chain: str) -> None:
        self.count += 1
        self.last_chain = chain

    def collect_events(self) -> list:  # the library's pops from the front: O(n^2)
        return take_pending_events(self)


def score(toy: Toy, i: int) -> None:
    toy.score(
        actor=f"as{i % 7}",
        role="assessor",
        at=None,
        data={"unit": f"O{i % 1000:04d}", "item": "G03", "method": "org", "value": "85"},
        chain=uuid.uuid4().hex + uuid.uuid4().hex,
    )


def toy_with(n_events: int, label: str = "t") -> Toy:
    """A new Toy with ``n_events`` pending events (the creation event included)."""
    toy = Toy(label)
    for i in range(n_events - 1):
        score(toy, i)
    return toy


def app_class(snapshot_every: int | None = None) -> type[Application]:
    """A uniquely named Application class: its own tables in the shared test database."""
    attrs: dict[str, Any] = {}
    if snapshot_every:
        attrs["snapshotting_intervals"] = {Toy: snapshot_every}
    return type(f"ToyApp{uuid.uuid4().hex[:10]}", (Application,), attrs)


# --- fixtures -----------------------------------------------------------------


@pytest.fixture
def opened() -> Iterator[Callable[..., Any]]:
    """open_application that closes (and disposes of) the apps after the test."""
    apps: list[Application] = []

    def _open(cls: type[Application], url: str, **extra: Any) -> Any:
        app = open_application(cls, url, **extra)
        apps.append(app)
        return app

    yield _open
    for app in apps:
        app.close()


# --- resolve_url / application_env ---------------------------------------------


def test_resolve_url_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESS_DB", raising=False)
    assert resolve_url(None) == DEFAULT_URL == "sqlite:///assess.db"
    monkeypatch.setenv("ASSESS_DB", "sqlite:///from-env.db")
    assert resolve_url(None) == "sqlite:///from-env.db"
    assert resolve_url("sqlite:///from-cli.db") == "sqlite:///from-cli.db"
    assert resolve_url("") == "sqlite:///from-env.db"  # empty means not given
    monkeypatch.setenv("ASSESS_DB", "")
    assert resolve_url(None) == DEFAULT_URL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///rel/dir/a.db", "sqlite:///rel/dir/a.db"),
        ("sqlite:////abs/a.db", "sqlite:////abs/a.db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg2://u@h:5432/db"),
        ("postgres://u:pw@h/db", "postgresql+psycopg2://u:pw@h/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
    ],
)
def test_resolve_url_forms(given: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESS_DB", raising=False)
    assert resolve_url(given) == expected
    assert resolve_url(resolve_url(given)) == expected  # idempotent
    monkeypatch.setenv("ASSESS_DB", given)
    assert resolve_url(None) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "mysql://u@h/db",
        "assess.db",
        "sqlite://",
        "sqlite:///",
        "postgresql+psycopg://u@h/db",
        "http://example.com",
        "postgresql://u@h:notaport/db",
    ],
)
def test_resolve_url_rejects(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASSESS_DB", raising=False)
    with pytest.raises(ValueError, match="database URL") as info:
        resolve_url(bad)
    assert "\n" not in str(info.value)
    monkeypatch.setenv("ASSESS_DB", bad)
    with pytest.raises(ValueError):
        resolve_url(None)


def test_error_message_hides_password() -> None:
    with pytest.raises(ValueError) as info:
        resolve_url("mysql://user:s3cret@h/db")
    assert "s3cret" not in str(info.value)


def test_application_env_selects_fast_factory() -> None:
    env = application_env("postgres://u@h/db")
    assert env["SQLALCHEMY_URL"] == "postgresql+psycopg2://u@h/db"
    module, _, name = env["PERSISTENCE_MODULE"].partition(":")
    assert getattr(__import__(module, fromlist=[name]), name) is FastSQLAlchemyFactory


def test_open_application_creates_sqlite_directory(tmp_path: Path, opened: Callable) -> None:
    app = opened(app_class(), f"sqlite:///{tmp_path}/new/dir/assess.db")
    assert isinstance(app.recorder, FastApplicationRecorder)
    app.save(toy_with(3))
    assert (tmp_path / "new" / "dir" / "assess.db").exists()


def test_ambient_prefixed_variable_cannot_redirect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, opened: Callable
) -> None:
    cls = app_class()
    monkeypatch.setenv(f"{cls.name.upper()}_SQLALCHEMY_URL", f"sqlite:///{tmp_path}/elsewhere.db")
    app = opened(cls, f"sqlite:///{tmp_path}/here.db")
    app.save(toy_with(2))
    assert (tmp_path / "here.db").exists()
    assert not (tmp_path / "elsewhere.db").exists()


# --- round trips ----------------------------------------------------------------


def test_round_trip(db: str, opened: Callable) -> None:
    cls = app_class()
    app = opened(cls, db)
    toy = toy_with(25, "round")
    recordings = app.save(toy)

    ids = [r.notification.id for r in recordings]
    assert len(ids) == 25 and ids == sorted(ids) and len(set(ids)) == 25

    again = opened(cls, db).repository.get(toy.id)  # new app, new engine
    assert (again.label, again.count, again.version) == ("round", 24, 25)
    assert again.last_chain == toy.last_chain
    assert app.recorder.max_notification_id() == ids[-1]


def test_saves_without_notification_ids(db: str, opened: Callable) -> None:
    """RETURN_NOTIFICATION_IDS=n: the events are stored, no ids are fetched."""
    app = opened(app_class(), db, RETURN_NOTIFICATION_IDS="n")
    toy = toy_with(30, "quiet")
    assert app.save(toy) == []
    assert app.repository.get(toy.id).count == 29
    assert app.recorder.max_notification_id() == 30


def test_empty_save_is_harmless(db: str, opened: Callable) -> None:
    app = opened(app_class(), db)
    assert app.save() == []
    assert app.recorder.insert_events([]) == []
    assert app.recorder.max_notification_id() is None


def test_bulk_save_ids_match_records(db: str, opened: Callable) -> None:
    """Several insertmanyvalues pages, two aggregates: each id is its own event's."""
    app = opened(app_class(), db)
    first, second = toy_with(2600, "a"), toy_with(2400, "b")
    recordings = app.save(first, second)
    assert len(recordings) == 5000

    stored = app.recorder.select_notifications(start=None, limit=10_000)
    by_id = {n.id: (n.originator_id, n.originator_version) for n in stored}
    for r in recordings:
        expected = (r.domain_event.originator_id, r.domain_event.originator_version)
        assert by_id[r.notification.id] == expected
    assert app.repository.get(second.id).count == 2399


def test_sqlite_ids_when_another_writer_slips_in(tmp_path: Path, opened: Callable) -> None:
    """Another process commits between our max(id) read and our insert: ids still right."""
    path = tmp_path / "race.db"
    app = opened(app_class(), f"sqlite:///{path}")
    app.save(toy_with(3, "earlier"))
    table = app.recorder.events_table_name
    intruder_id = uuid.uuid4()
    slipped_in: list[int] = []

    def other_writer(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.startswith(f"INSERT INTO {table}") and not slipped_in:
            with sqlite3.connect(path) as other:
                cur = other.execute(
                    f"INSERT INTO {table} (originator_id, originator_version, topic, state)"
                    " VALUES (?, 1, 'intruder', x'7b7d')",
                    (intruder_id.bytes,),
                )
                slipped_in.append(cur.lastrowid)

    sqlalchemy.event.listen(app.recorder.datastore.engine, "before_cursor_execute", other_writer)
    toy = toy_with(50, "ours")
    recordings = app.save(toy)
    assert slipped_in, "the other writer did not run"

    ids = [r.notification.id for r in recordings]
    assert slipped_in[0] not in ids
    stored = {n.id: n for n in app.recorder.select_notifications(None, 1000)}
    assert stored[slipped_in[0]].originator_id == intruder_id
    for r in recordings:
        n = stored[r.notification.id]
        assert (n.originator_id, n.originator_version) == (
            toy.id,
            r.domain_event.originator_version,
        )


def test_fast_and_stock_recorders_agree(db: str, opened: Callable) -> None:
    """Same tables and columns: what one writes, the other reads identically."""
    cls = app_class()
    fast = opened(cls, db)
    stock = opened(cls, db, **STOCK)
    assert type(stock.recorder).__name__ == "SQLAlchemyApplicationRecorder"

    a, b = toy_with(30, "fast"), toy_with(10, "stock")
    fast.save(a)
    stock.save(b)
    for toy in (a, b):
        for kwargs in ({}, {"gt": 3, "lte": 9}, {"desc": True, "limit": 4}, {"gt": 100}):
            assert fast.recorder.select_events(toy.id, **kwargs) == stock.recorder.select_events(
                toy.id, **kwargs
            )
        assert fast.repository.get(toy.id) == stock.repository.get(toy.id)

    topic = next(iter({n.topic for n in fast.recorder.select_notifications(None, 1)}))
    for args, kwargs in [
        ((None, 100), {}),
        ((5, 7), {}),
        ((5, 7), {"inclusive_of_start": False}),
        ((1, 100), {"stop": 20}),
        ((None, 100), {"topics": [topic]}),
    ]:
        assert fast.recorder.select_notifications(*args, **kwargs) == (
            stock.recorder.select_notifications(*args, **kwargs)
        )
    assert fast.recorder.max_notification_id() == stock.recorder.max_notification_id() == 40


# --- optimistic concurrency -------------------------------------------------------


def test_conflicting_save_raises_and_stores_nothing(db: str, opened: Callable) -> None:
    app = opened(app_class(), db)
    toy = toy_with(2)
    app.save(toy)

    mine, theirs = app.repository.get(toy.id), app.repository.get(toy.id)
    score(mine, 1)
    app.save(mine)  # version 3
    before = app.recorder.max_notification_id()

    bystander = toy_with(4, "bystander")  # saved first, in the same batch
    score(theirs, 2)
    score(theirs, 3)  # versions 3 and 4: 3 is taken
    with pytest.raises(IntegrityError):
        app.save(bystander, theirs)

    assert app.recorder.max_notification_id() == before
    assert app.repository.get(toy.id).version == 3
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(bystander.id)

    # The app is still usable after the rollback.
    fresh = app.repository.get(toy.id)
    score(fresh, 4)
    app.save(fresh)
    assert app.repository.get(toy.id).version == 4


def test_duplicate_within_one_batch_raises(db: str, opened: Callable) -> None:
    app = opened(app_class(), db)
    oid = uuid.uuid4()
    events = [
        StoredEvent(originator_id=oid, originator_version=v, topic="t", state=b"{}")
        for v in (1, 2, 2)
    ]
    with pytest.raises(IntegrityError):
        app.recorder.insert_events(events)
    assert app.recorder.select_events(oid) == []
    assert app.recorder.max_notification_id() is None


# --- snapshots ----------------------------------------------------------------------


def test_snapshots(db: str, opened: Callable) -> None:
    cls = app_class(snapshot_every=5)
    app = opened(cls, db)
    assert isinstance(app.snapshots.recorder, FastAggregateRecorder)

    toy = toy_with(12, "snap")
    app.save(toy)
    assert [s.originator_version for s in app.snapshots.get(toy.id)] == [5, 10]

    app.take_snapshot(toy.id)
    latest = list(app.snapshots.get(toy.id, desc=True, limit=1))
    assert latest[0].originator_version == 12

    reloaded = opened(cls, db).repository.get(toy.id)
    assert (reloaded.count, reloaded.version, reloaded.last_chain) == (11, 12, toy.last_chain)

    with pytest.raises(IntegrityError):  # same snapshot version twice
        app.take_snapshot(toy.id, version=10)

    # A snapshot is used: events before it are not needed to rebuild.
    at_10 = app.repository.get(toy.id, version=10)
    assert at_10.count == 9


# --- measurements (opt-in) --------------------------------------------------------

BENCH_EVENTS = int(os.environ.get("ASSESS_PERSISTENCE_BENCH_EVENTS", "180000"))


@pytest.mark.skipif(
    os.environ.get("ASSESS_PERSISTENCE_BENCH") != "1",
    reason="measurement; set ASSESS_PERSISTENCE_BENCH=1 and run with -s",
)
@pytest.mark.parametrize("recorder", ["stock", "fast"])
def test_measure_bulk_save(db: str, opened: Callable, recorder: str) -> None:
    cls = app_class()
    extra = STOCK if recorder == "stock" else {}
    app = opened(cls, db, **extra)
    toy = toy_with(BENCH_EVENTS, "bench")

    started = time.perf_counter()
    recordings = app.save(toy)
    save_s = time.perf_counter() - started
    assert len(recordings) == BENCH_EVENTS

    reader = opened(cls, db, **extra)
    started = time.perf_counter()
    stored = reader.recorder.select_events(toy.id)
    select_s = time.perf_counter() - started
    started = time.perf_counter()
    again = reader.repository.get(toy.id)
    get_s = time.perf_counter() - started
    assert again.version == BENCH_EVENTS and len(stored) == BENCH_EVENTS

    backend = "postgres" if "postgres" in db else "sqlite"
    print(
        f"\n[{backend:8} {recorder:5}] save {BENCH_EVENTS:,} events: {save_s:6.2f} s "
        f"= {BENCH_EVENTS / save_s:8,.0f} ev/s | select_events {select_s:5.2f} s | "
        f"repository.get {get_s:5.2f} s"
    )
