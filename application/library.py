"""Every use of eventsourcing beyond its public API, in one place.

The application needs a few things the library does not offer as such: handing over
180,000 pending events at once, reading and evicting the repository's cache, getting
the cached aggregate without a deep copy, finding the last snapshot without decoding
it, and reading stored events faster than the mapper where nothing is compressed or
encrypted. Each is one small function here; tests/unit/test_library_pins.py checks that
the attributes and parameters they rely on still exist (see "Upgrading eventsourcing"
in docs/decisions.md). The store's own overrides live in infrastructure/recorders.py.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar, cast
from uuid import UUID

import orjson
from eventsourcing.application import Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Recording, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

A = TypeVar("A")
log = logging.getLogger("assess.application")
Projector = Callable[[A | None, Iterable[Any]], A | None]

# ---- saving -------------------------------------------------------------------------


def take_pending_events(aggregate: Aggregate) -> list[Any]:
    """The aggregate's pending events, handed over at once: the library's
    `collect_events` pops them from the front, quadratic for 180,000 events."""
    events, aggregate._pending_events = aggregate._pending_events, []
    return events


def save_aggregate(app: Application[Any], aggregate: Aggregate) -> list[Recording[Any]]:
    """`app.save(aggregate)`, step for step as `Application.save` does it, with the
    pending events handed over at once. (Passing the events to `save` instead costs a
    runtime protocol check per event, a fifth of a large import.) The aggregate is
    known to the processing event, so the library still caches it when fast-forward is
    off and takes the snapshots of `snapshotting_intervals` from it. What follows the
    commit (`_record`) cannot fail the save: it is logged, and the events stand."""
    processing_event: ProcessingEvent[Any] = ProcessingEvent()
    processing_event.events = take_pending_events(aggregate)
    processing_event.aggregates[aggregate.id] = aggregate
    if reads_plain_json(app) and _takes_sessions(app) and not app.snapshotting_intervals:
        recordings = _record_plain_json(app, processing_event.events)
        if app.repository.cache and not app.repository.fastforward:  # as `_record` does
            app.repository.cache.put(aggregate.id, aggregate)
    else:
        recordings = app._record(processing_event)
    try:
        app._take_snapshots(processing_event)
        app._notify(recordings)
        app.notify(processing_event.events)  # the library's deprecated hook, as `save` calls it
    except Exception as error:  # noqa: BLE001 - the events are stored whatever happened
        log.warning(
            "%d events of %s stored, but a step after the commit failed (%s: %s)",
            len(processing_event.events),
            aggregate.id,
            type(error).__name__,
            first_line(error),
        )
    return recordings


# Events mapped and inserted per chunk, in the one transaction: a 600,000-event import
# keeps one chunk of payloads and rows alive at a time, not all of them.
CHUNK = 10_000
_DATETIME = "datetime_iso"  # how the JSON transcoder writes a datetime


def _takes_sessions(app: Application[Any]) -> bool:
    """An SQLAlchemy recorder: a transaction of its own that inserts may join."""
    return hasattr(app.recorder, "transaction") and hasattr(app.recorder, "datastore")


def _record_plain_json(app: Application[Any], events: list[Any]) -> list[Recording[Any]]:
    """What `Application._record` does for new events, with the bytes the JSON
    transcoder would write made by orjson (`plain_json_row`), a chunk at a time; as
    plain rows where the recorder takes them (infrastructure/recorders.py)."""
    recorder: Any = app.recorder
    takes_rows = hasattr(recorder, "insert_rows")
    with recorder.transaction(commit=True) as session:
        for start in range(0, len(events), CHUNK):
            rows = [plain_json_row(app, event) for event in events[start : start + CHUNK]]
            if takes_rows:
                recorder.insert_rows(session, rows)
            else:
                recorder.insert_events([StoredEvent(*row) for row in rows], session=session)
    return []  # the application asks for no notification ids (RETURN_NOTIFICATION_IDS=n)


def encode_plain_json(app: Application[Any], event: Any) -> StoredEvent:
    """The stored event the mapper would make, byte for byte (see `plain_json_row`)."""
    return StoredEvent(*plain_json_row(app, event))


def plain_json_row(app: Application[Any], event: Any) -> tuple[Any, int, str, bytes]:
    """(originator id, position, topic, payload) as the mapper would store them, byte
    for byte, without the JSON transcoder's per-object hook: the state in the event's own
    key order, the recording time as `{"_type_": "datetime_iso", "_data_": ISO}`, every
    other value plain JSON (orjson writes text, numbers, lists and objects as
    `json.dumps(..., separators=(",", ":"), ensure_ascii=False)` does). Anything else goes
    through the mapper."""
    state = dict(vars(event))
    originator_id = state.pop("originator_id")
    originator_version = state.pop("originator_version")
    timestamp = state["timestamp"]
    if type(timestamp) is datetime and type(event) in _ONE_CLASS_VERSION:
        state["timestamp"] = {"_type_": _DATETIME, "_data_": timestamp.isoformat()}
        try:
            payload = orjson.dumps(state, option=_PLAIN_ONLY, default=_not_plain)
            return originator_id, originator_version, _topic_of(type(event)), payload
        except TypeError:  # a value orjson would write otherwise than the transcoder
            pass
    stored = app.mapper.to_stored_event(event)
    return stored.originator_id, stored.originator_version, stored.topic, stored.state


class _Topics(dict[type, str]):
    def __missing__(self, cls: type) -> str:
        self[cls] = topic = get_topic(cls)
        return topic


class _FirstClassVersion(set[type]):
    """Event classes the mapper stores without a `class_version` (it adds one above 1)."""

    def __contains__(self, cls: object) -> bool:
        if not set.__contains__(self, cls):
            if getattr(cls, "class_version", 1) != 1:
                return False
            self.add(cls)  # type: ignore[arg-type]
        return True


_topic_of = _Topics().__getitem__
_ONE_CLASS_VERSION = _FirstClassVersion()


# orjson writes these itself, unlike the transcoder: hand them to `_not_plain` instead.
_PLAIN_ONLY = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _not_plain(value: Any) -> Any:
    raise TypeError(type(value).__name__)


def first_line(error: BaseException, limit: int = 200) -> str:
    """An error in one short line for the log: a database error's text goes on with the
    statement and its parameters (a snapshot's megabytes)."""
    lines = str(error).strip().splitlines()
    return lines[0][:limit] if lines else ""


# ---- the repository and its cache ------------------------------------------------------


def is_caching(repository: Repository[Any]) -> bool:
    return repository.cache is not None


def cached(repository: Repository[Any], aggregate_id: UUID) -> Any | None:
    """The cached aggregate itself, as last left (None: no cache, or not in it)."""
    if repository.cache is None:
        return None
    try:
        return repository.cache.get(aggregate_id)
    except KeyError:
        return None


def evict(repository: Repository[Any], aggregate_id: UUID) -> None:
    """Drop an aggregate from the cache (if cached), to be read again from the store."""
    if repository.cache is not None:
        with contextlib.suppress(KeyError):
            repository.cache.get(aggregate_id, evict=True)


def get_without_copy(repository: Repository[Any], aggregate_id: UUID, projector: Projector[A]) -> A:
    """The aggregate brought up to date; with the cache on, the cached object itself."""
    aggregate: A = repository.get(
        aggregate_id, projector_func=cast(Any, projector), deepcopy_from_cache=False
    )
    return aggregate


def get_copy(
    repository: Repository[Any],
    aggregate_id: UUID,
    projector: Projector[A],
    version: int | None = None,
) -> A:
    """A private copy of the aggregate, as it stands or as it stood at `version`."""
    aggregate: A = repository.get(
        aggregate_id, version=version, projector_func=cast(Any, projector)
    )
    return aggregate


# ---- snapshots ---------------------------------------------------------------------------


def snapshot_state(aggregate: Aggregate) -> dict[str, Any]:
    """What a snapshot of the aggregate holds."""
    return cast(dict[str, Any], type(aggregate).Snapshot.take(aggregate).state)


def snapshot(app: Application[Any], aggregate: Aggregate) -> None:
    """Store a snapshot of the aggregate as it is in memory (the library's
    `take_snapshot` would read it from the store again)."""
    assert app.snapshots is not None
    app.snapshots.put([type(aggregate).Snapshot.take(aggregate)])


def stored_snapshots(app: Application[Any], aggregate_id: UUID) -> dict[int, StoredEvent]:
    """The aggregate's stored snapshot rows by position, undecoded."""
    if app.snapshots is None:
        return {}
    rows = app.snapshots.recorder.select_events(aggregate_id)
    return {row.originator_version: row for row in rows}


def last_snapshot_position(app: Application[Any], aggregate_id: UUID) -> int:
    """Where the last snapshot was taken (0: none), without decoding it: the snapshot
    of a large cycle weighs megabytes."""
    if app.snapshots is None:
        return 0
    latest = app.snapshots.recorder.select_events(aggregate_id, desc=True, limit=1)
    return latest[0].originator_version if latest else 0


def decode_snapshot_state(app: Application[Any], row: StoredEvent) -> Any:
    return getattr(app.mapper.to_domain_event(row), "state", None)


# ---- reading stored events ----------------------------------------------------------------


def reads_plain_json(app: Application[Any]) -> bool:
    """Whether stored states are the JSON transcoder's bytes as they are (no compressor,
    no cipher): only then may `decode_plain_json` read them."""
    mapper = app.mapper
    return (
        mapper.compressor is None
        and mapper.cipher is None
        and isinstance(mapper.transcoder, JSONTranscoder)
    )


def decode_plain_json(row: StoredEvent, originator_id: Any = None) -> Any:
    """The event in a stored row, read straight from its JSON in a third of the mapper's
    time. It relies on the layout the JSON transcoder writes (a datetime is
    `{"_type_": "datetime_iso", "_data_": "<ISO text>"}`), on events holding only plain
    JSON values besides their recording `timestamp`, and on no event class being
    upcast (`class_version` 1), as the mapper would do. `originator_id`: the row's,
    already converted by the caller (a follower of the log converts each cycle's once)."""
    return decode_plain_json_with_recorded(row, originator_id)[0]


def decode_plain_json_with_recorded(row: StoredEvent, originator_id: Any = None) -> tuple[Any, str]:
    """`decode_plain_json`, and the recording time as the row stores it (ISO text)."""
    state = orjson.loads(row.state)
    recorded = state["timestamp"]["_data_"]
    state["timestamp"] = datetime.fromisoformat(recorded)
    state["originator_id"] = row.originator_id if originator_id is None else originator_id
    state["originator_version"] = row.originator_version
    event = object.__new__(resolve_topic(row.topic))
    object.__setattr__(event, "__dict__", state)
    return event, recorded


def event_decoder_with_recorded(
    app: Application[Any],
) -> Callable[[StoredEvent], tuple[Any, str | None]]:
    """`event_decoder`, giving the recording time as stored too where the row is read
    straight from its JSON (else None: the mapper's decoded event has only its datetime)."""
    if reads_plain_json(app):
        return decode_plain_json_with_recorded
    return lambda row: (app.mapper.to_domain_event(row), None)


def event_decoder(app: Application[Any]) -> Callable[[StoredEvent], Any]:
    """How to read the application's stored events: straight from their JSON where
    that is all they are, else through the library's mapper (decrypt, decompress,
    transcode)."""
    if reads_plain_json(app):
        return decode_plain_json
    return app.mapper.to_domain_event
