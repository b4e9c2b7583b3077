"""What assess relies on in eventsourcing and eventsourcing-sqlalchemy beyond their public
API (application/library.py, infrastructure/recorders.py) still exists, and does what
the adapter says. A failure here after an upgrade names what to look at; see
"Upgrading eventsourcing" in docs/decisions.md."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.application import Application, Cache, LRUCache, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import EventStore, JSONTranscoder, Mapper
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyAggregateRecorder,
    SQLAlchemyApplicationRecorder,
    SQLAlchemyProcessRecorder,
    SQLAlchemyRecorder,
)
from sqlalchemy import LargeBinary
from sqlalchemy_utils.types.uuid import UUIDType

from assess.application import library
from assess.application.season import read_season
from assess.application.service import AssessApp
from assess.domain.cycle import Cycle, cycle_uuid, replay
from assess.domain.events import CycleEvent
from assess.infrastructure.persistence import open_application
from assess.infrastructure.recorders import FastApplicationRecorder
from tests.conftest import EXAMPLES

SEASON = EXAMPLES / "group-party-org.season.json"
CYCLE = "2025-group-party-org"
CACHED = {"AGGREGATE_CACHE_MAXSIZE": "4"}


def parameters(function: Any) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(function).parameters)


def imported(**env: str) -> AssessApp:
    app = AssessApp(env=env or None)
    app.import_season(read_season(SEASON))
    return app


# ---- the attributes and parameters relied on ---------------------------------------


def test_the_library_still_has_what_the_adapter_uses() -> None:
    cycle = Cycle.create(read_season(SEASON))
    assert isinstance(vars(cycle)["_pending_events"], list)  # take_pending_events
    # save_aggregate repeats `Application.save` step for step: these statements, in order.
    body = [line.strip() for line in inspect.getsource(Application.save).splitlines()]
    steps = body[body.index('"""') + 1 :]
    assert steps == [
        "processing_event: ProcessingEvent[TAggregateID] = ProcessingEvent()",
        "processing_event.collect_events(*objs, **kwargs)",
        "recordings = self._record(processing_event)",
        "self._take_snapshots(processing_event)",
        "self._notify(recordings)",
        "self.notify(processing_event.events)  # Deprecated.",
        "return recordings",
    ]
    processing_event = ProcessingEvent()
    assert processing_event.events == [] and processing_event.aggregates == {}
    get = parameters(Repository.get)
    for name in ("version", "projector_func", "deepcopy_from_cache"):
        assert get[name].kind is inspect.Parameter.KEYWORD_ONLY, name
    for cache in (Cache, LRUCache):
        assert parameters(cache.get)["evict"].kind is inspect.Parameter.KEYWORD_ONLY
    app = AssessApp(env=CACHED)
    assert isinstance(app.repository.cache, LRUCache)
    assert isinstance(app.mapper, Mapper)
    assert (app.mapper.compressor, app.mapper.cipher) == (None, None)
    assert isinstance(app.mapper.transcoder, JSONTranscoder)
    assert isinstance(app.snapshots, EventStore)
    assert hasattr(app.snapshots.recorder, "select_events")
    assert callable(Cycle.Snapshot.take)


def test_the_store_still_has_what_the_recorders_override_or_call() -> None:
    insert = ["self", "session", "stored_events", "kwargs"]
    assert list(parameters(SQLAlchemyAggregateRecorder._insert_stored_events)) == insert
    assert list(parameters(SQLAlchemyApplicationRecorder._insert_stored_events)) == insert
    assert "_insert_stored_events" in inspect.getsource(SQLAlchemyApplicationRecorder.insert_events)
    assert "_insert_stored_events" in inspect.getsource(SQLAlchemyAggregateRecorder.insert_events)
    assert "_insert_events" in SQLAlchemyProcessRecorder.__dict__  # the tracking row
    assert list(parameters(SQLAlchemyAggregateRecorder._lock_table)) == ["self", "session"]
    assert "commit" in parameters(SQLAlchemyRecorder.transaction)
    assert list(parameters(SQLAlchemyApplicationRecorder.select_notifications)) == [
        "self",
        "start",
        "limit",
        "stop",
        "topics",
        "inclusive_of_start",
    ]
    assert list(parameters(SQLAlchemyAggregateRecorder.select_events)) == [
        "self",
        "originator_id",
        "gt",
        "lte",
        "desc",
        "limit",
    ]
    for name in ("datastore_class", "aggregate_recorder_class", "application_recorder_class"):
        assert hasattr(SQLAlchemyFactory, name), name
    assert hasattr(SQLAlchemyFactory, "process_recorder_class")
    datastore = parameters(SQLAlchemyDatastore.__init__)
    assert "url" in datastore and datastore["engine_kwargs"].kind is inspect.Parameter.VAR_KEYWORD


@pytest.fixture
def stored(tmp_path: Path) -> Iterator[AssessApp]:
    app = open_application(AssessApp, f"sqlite:///{tmp_path / 'assess.db'}")
    app.import_season(read_season(SEASON))
    yield app
    app.close()


def test_the_recorders_overrides_are_on_the_librarys_path(stored: AssessApp) -> None:
    recorder = stored.recorder
    assert isinstance(recorder, FastApplicationRecorder)
    for name in ("events_table_name", "schema_name", "channel_name", "_has_autoincrementing_ids"):
        assert hasattr(recorder, name), name
    assert recorder.datastore.engine is not None
    # Events go through our `insert_rows` (issue 16); snapshots through the library's
    # path, which calls our `_insert_stored_events`: that builds the twin table.
    assert callable(recorder.insert_rows)
    assert stored.snapshots is not None
    library.snapshot(stored, stored.cycle(CYCLE))
    assert "sqlite" in vars(stored.snapshots.recorder)["_twins"]
    columns = {c.name: c.type for c in recorder.events_record_cls.__table__.columns}
    assert list(columns) == ["id", "originator_id", "originator_version", "topic", "state"]
    assert isinstance(columns["originator_id"], UUIDType)
    assert isinstance(columns["state"], LargeBinary)


# ---- what the adapter's functions do --------------------------------------------------


def test_pending_events_are_taken_at_once() -> None:
    cycle = Cycle.create(read_season(SEASON))
    pending = cycle.pending_events
    assert library.take_pending_events(cycle) is pending and len(pending) == 1
    assert cycle.pending_events == [] and cycle.collect_events() == []


def test_save_aggregate_stores_every_event_and_keeps_the_aggregate_known() -> None:
    app = AssessApp(env={**CACHED, "AGGREGATE_CACHE_FASTFORWARD": "n"})
    cycle = Cycle.create(read_season(SEASON))
    recordings = library.save_aggregate(app, cycle)
    assert [r.domain_event.originator_version for r in recordings] == [1]
    assert cycle.pending_events == []
    # Without fast-forward the library caches what it saved: it still knew the cycle.
    assert library.cached(app.repository, cycle.id) is cycle
    assert len(app.recorder.select_events(cycle.id)) == 1


def test_the_cache_is_read_and_evicted() -> None:
    app = imported(**CACHED)
    aggregate_id = cycle_uuid(CYCLE)
    assert library.is_caching(app.repository)
    current = library.get_without_copy(app.repository, aggregate_id, replay)
    assert library.get_without_copy(app.repository, aggregate_id, replay) is current
    assert library.cached(app.repository, aggregate_id) is current
    library.evict(app.repository, aggregate_id)
    assert library.cached(app.repository, aggregate_id) is None
    library.evict(app.repository, aggregate_id)  # not cached: nothing to do
    again = library.get_without_copy(app.repository, aggregate_id, replay)
    assert again is not current and again.version == current.version


def test_without_a_cache_nothing_is_cached() -> None:
    app = imported()
    aggregate_id = cycle_uuid(CYCLE)
    assert not library.is_caching(app.repository)
    library.get_without_copy(app.repository, aggregate_id, replay)
    assert library.cached(app.repository, aggregate_id) is None
    library.evict(app.repository, aggregate_id)


def test_copies_are_private_and_may_be_of_an_earlier_version() -> None:
    app = imported(**CACHED)
    aggregate_id = cycle_uuid(CYCLE)
    current = library.get_without_copy(app.repository, aggregate_id, replay)
    copy = library.get_copy(app.repository, aggregate_id, replay)
    assert copy is not current and copy.version == current.version == 54
    assert library.get_copy(app.repository, aggregate_id, replay, version=3).version == 3


def test_snapshots_are_found_without_decoding_them() -> None:
    app = imported()
    aggregate_id = cycle_uuid(CYCLE)
    assert library.last_snapshot_position(app, aggregate_id) == 0
    assert library.stored_snapshots(app, aggregate_id) == {}
    cycle = app.cycle(CYCLE)
    library.snapshot(app, cycle)
    assert library.last_snapshot_position(app, aggregate_id) == 54
    row = library.stored_snapshots(app, aggregate_id)[54]
    assert library.decode_snapshot_state(app, row) == library.snapshot_state(cycle)


def test_the_fast_decoder_reads_what_the_mapper_reads() -> None:
    """Pins the JSON transcoder's layout that `decode_plain_json` reads."""
    app = imported()
    assert library.reads_plain_json(app)
    assert library.event_decoder(app) is library.decode_plain_json
    rows = app.recorder.select_events(cycle_uuid(CYCLE))
    for row in rows:
        fast, mapped = library.decode_plain_json(row), app.mapper.to_domain_event(row)
        assert type(fast) is type(mapped) and vars(fast) == vars(mapped)


def test_compressed_events_are_read_through_the_mapper() -> None:
    app = imported(COMPRESSOR_TOPIC="eventsourcing.compressor:ZlibCompressor")
    assert not library.reads_plain_json(app)
    assert library.event_decoder(app) == app.mapper.to_domain_event


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_no_event_is_upcast() -> None:
    """The fast decoder does not upcast: a `class_version` above 1 needs the mapper."""
    assert all(getattr(cls, "class_version", 1) == 1 for cls in _subclasses(CycleEvent))
    assert getattr(Cycle.Snapshot, "class_version", 1) == 1
    assert issubclass(Cycle, Aggregate)


def test_the_lean_paths_still_match_the_librarys() -> None:
    """Issue 16: `_record_plain_json` repeats `Application._record` (put, then the cache);
    the application recorder's `insert_events` joins a given session; the mapper writes a
    class-version-1 event's state as it is; aggregates take `version` and `modified_on`
    as they are set, and keep their pending events in the list `pending_events` returns."""
    body = [line.strip() for line in inspect.getsource(Application._record).splitlines()]
    assert "recordings = self.events.put(" in body
    assert "if self.repository.cache and not self.repository.fastforward:" in body
    assert "self.repository.cache.put(aggregate_id, aggregate)" in body
    assert "session" in parameters(SQLAlchemyApplicationRecorder.insert_events)
    mapper = inspect.getsource(Mapper.to_stored_event)
    assert "if class_version > 1:" in mapper and "self.transcoder.encode(event_state)" in mapper
    cycle = Cycle.create(read_season(SEASON))
    assert cycle.pending_events is vars(cycle)["_pending_events"]
    cycle.version = 7
    assert cycle.version == 7
    moment = cycle.modified_on
    cycle.modified_on = moment
    assert cycle.modified_on is moment
    app = AssessApp()
    event = cycle.pending_events[0]
    encoded = app.mapper.transcoder.encode({"timestamp": event.timestamp})
    assert encoded == library.plain_json_row(app, event)[3][: len(encoded) - 1] + b"}"
