"""Keeping the read views current: a pull loop over the application's notification log.

One code path for both stores (the library's LISTEN/NOTIFY subscription exists only for
PostgreSQL, and can go silent): read the notifications after the lowest position of
the views, up to the log's *horizon*, apply each to the cycle it belongs to, and write
every view's rows, per-cycle cursors and tracked position in ONE transaction, one
`executemany` per table. A crash at any point loses nothing and repeats nothing.

The horizon is the highest notification id below which no id can still appear. Writers
do not lock the events table against each other (see `infrastructure/recorders.py`), so
on PostgreSQL id n+1 may commit before id n: reading up to the highest visible id would
skip n for good. The horizon is therefore the highest id visible at a moment once every
transaction then writing to the events table has ended (`PostgresHorizon`). On SQLite
writers take turns on the database, and ids commit in order.

Two runners on one database do not apply anything twice: each batch moves a view's
tracked position from where the runner read it to the batch's end
(compare-and-set), and a runner that finds it moved drops its batch and reads again.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import IntegrityError as LibraryIntegrityError
from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    cast,
    column,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import (
    table as sql_table,
)
from sqlalchemy.exc import IntegrityError

from assess.application import library
from assess.application.service import (
    AssessApp,
    Unreadable,
    checked_replay,
    corrupt_summary,
    summary_of,
)
from assess.application.views import (
    VIEWS,
    Memo,
    Progress,
    appeal_change,
    audit_row,
    follow,
    history_rows,
    unit_rows,
    version_row,
)
from assess.domain.cycle import Cycle
from assess.domain.events import CycleEvent
from assess.infrastructure import view_tables as t

log = logging.getLogger("assess.views")

BATCH = 2000  # notifications per transaction
CACHED_CYCLES = 32  # cycles whose state the runner keeps between batches
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def dumps(document: Any) -> str:
    return orjson.dumps(document).decode()


def microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // _MICROSECOND


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - EPOCH


# ---- the horizon ---------------------------------------------------------------------


class SQLiteHorizon:
    """Writers take turns on a SQLite database: every visible id is final."""

    def __init__(self, events: Any) -> None:
        self.events = events

    def __call__(self, connection: Connection) -> int:
        return connection.execute(select(func.max(self.events.c.id))).scalar() or 0

    def waiting(self) -> bool:
        return False


class PostgresHorizon:
    """The highest id visible in a snapshot, once every transaction that was writing to
    the events table then has ended.

    A writer holds its lock on the table (ROW EXCLUSIVE, taken when its INSERT starts)
    from before it draws ids until it ends. So if the highest visible id is read first
    and the lock holders after it, in the same statement, any id below that highest one
    which is not visible yet belongs to one of those holders. Each call notes a new
    (highest id, holders) pair and settles the earlier pairs whose holders are all gone:
    at once when nobody was writing."""

    def __init__(self, events: Any) -> None:
        self.events = events
        self.pending: list[tuple[int, set[str]]] = []
        self.settled = 0
        locks = sql_table(
            "pg_locks",
            column("virtualtransaction"),
            column("relation"),
            column("database"),
            column("mode"),
            column("pid"),
        )
        databases = sql_table("pg_database", column("oid"), column("datname"))
        this_database = (
            select(databases.c.oid)
            .where(databases.c.datname == func.current_database())
            .scalar_subquery()
        )
        writers = select(locks.c.virtualtransaction).where(
            locks.c.database == this_database,
            locks.c.relation == func.to_regclass(events.name),
            locks.c.mode == "RowExclusiveLock",
            locks.c.pid != func.pg_backend_pid(),
        )
        self.query = select(
            select(func.max(events.c.id)).scalar_subquery(),
            func.array(writers.scalar_subquery()),
        )

    def __call__(self, connection: Connection) -> int:
        highest, holders = connection.execute(self.query).one()
        writing = set(holders or ())
        self.pending.append((highest or 0, writing))
        while self.pending and not (self.pending[0][1] & writing):
            self.settled = max(self.settled, self.pending.pop(0)[0])
        return self.settled

    def waiting(self) -> bool:
        """Whether ids beyond the horizon wait for writers still at work."""
        return any(highest > self.settled for highest, _ in self.pending)


def horizon_of(dialect: str, events: Any) -> SQLiteHorizon | PostgresHorizon:
    return PostgresHorizon(events) if dialect == "postgresql" else SQLiteHorizon(events)


# ---- one batch of rows ----------------------------------------------------------------


@dataclass
class Batch:
    """The rows a batch of notifications gives each view, written together."""

    views: Sequence[str]
    end: int
    cycles: dict[str, dict[str, Any]] = field(default_factory=dict)  # by cycle: the row
    units: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    versions: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    audit: list[tuple[Any, ...]] = field(default_factory=list)
    audit_units: list[tuple[Any, ...]] = field(default_factory=list)
    appeals: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by cycle
    stages: dict[str, str] = field(default_factory=dict)  # by cycle
    cursors: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    events: int = 0


class LostPlace(Exception):
    """A view's position says it applied a cycle's events up to n, but no cursor of it
    stands there: the tables were changed outside the runner."""


class Conflict(Exception):
    """Another runner moved a view's position: this batch is dropped and read again."""


# ---- the runner -----------------------------------------------------------------------


class ViewRunner:
    """Follows the notification log into the views. Not thread-safe: one thread runs it
    (`follow` in `assess serve` or `assess views run`)."""

    def __init__(self, app: AssessApp, batch: int = BATCH) -> None:
        self.app = app
        recorder: Any = app.recorder
        self.recorder = recorder
        self.datastore = recorder.datastore
        self.engine = self.datastore.engine
        self.events = recorder._table
        # The same table with column types that convert nothing: ids are converted here,
        # once per cycle rather than once per row.
        twin = recorder._twin_table(self.engine.dialect.name)
        self.raw_events = twin if twin is not None else self.events
        self.tracking = t.tracking_recorder(self.datastore)
        t.create_tables(self.engine, self.tracking)
        self.batch = batch
        self.decode = library.event_decoder(app)
        self.horizon = horizon_of(self.engine.dialect.name, self.events)
        self.progress: OrderedDict[UUID, Progress] = OrderedDict()
        self.uuids: dict[Any, UUID] = {}  # originator ids as stored, converted once
        self.positions: dict[str, int | None] = {}
        self.reload()

    # ---- positions --------------------------------------------------------------------

    def reload(self) -> None:
        """Read every view's position again and forget what was followed in memory."""
        self.progress.clear()
        self.positions = {view: self.tracking.max_tracking_id(view) for view in VIEWS}

    def status(self) -> list[dict[str, Any]]:
        """Each view: the last notification processed, the log's last, and the lag."""
        last = self.recorder.max_notification_id() or 0
        self.positions = {view: self.tracking.max_tracking_id(view) for view in VIEWS}
        return [
            {
                "view": view,
                "processed": self.positions[view] or 0,
                "last": last,
                "lag": max(last - (self.positions[view] or 0), 0),
            }
            for view in VIEWS
        ]

    # ---- running ------------------------------------------------------------------------

    def run(
        self,
        until: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        stop: threading.Event | None = None,
        patience: float = 5.0,
    ) -> int:
        """Process the log up to its horizon (or `until`); the events applied. Calls
        `progress(events, position)` after each batch. Writers still at work below the
        end of the log are waited for, `patience` seconds at most."""
        done = 0
        deadline = time.monotonic() + patience
        while stop is None or not stop.is_set():
            try:
                applied = self.step(until)
            except Conflict:
                self.reload()
                continue
            if applied is None:
                if not self.horizon.waiting() or time.monotonic() >= deadline:
                    return done
                time.sleep(0.01)
                continue
            done += applied
            if progress is not None:
                progress(done, min(position or 0 for position in self.positions.values()))
        return done

    def follow(self, stop: threading.Event, interval: float = 0.05) -> None:
        """Keep the views current until `stop` is set; a failing store is waited out."""
        failures = 0
        while not stop.is_set():
            try:
                self.run(stop=stop, patience=0)
                failures = 0
            except Exception as error:  # noqa: BLE001 - the views wait for the store
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    log.warning("read views: %s: %s", type(error).__name__, error)
                self.reload()
            stop.wait(interval if failures == 0 else min(5.0, interval * 2**failures))

    def step(self, until: int | None = None) -> int | None:
        """One batch; None when every view is at the horizon."""
        with self.engine.connect() as connection:
            horizon = self.horizon(connection)
            connection.rollback()
        if until is not None:
            horizon = min(horizon, until)
        start = min(position or 0 for position in self.positions.values())
        if start >= horizon:
            return None
        notifications = self._notifications(start, horizon)
        end = notifications[-1].id if len(notifications) == self.batch else horizon
        batch = Batch(views=[v for v in VIEWS if (self.positions[v] or 0) < end], end=end)
        self._apply(notifications, batch)
        self._write(batch)
        for view in batch.views:
            self.positions[view] = end
        return batch.events

    def _notifications(self, start: int, horizon: int) -> Sequence[Any]:
        """The next batch after `start`. Events stored as plain JSON are read as rows,
        decoded straight from them; others through the library's recorder and mapper."""
        if self.decode is not library.decode_plain_json:
            return self.recorder.select_notifications(
                start, self.batch, stop=horizon, inclusive_of_start=False
            )
        e = self.raw_events.c
        originator = e.originator_id
        if self.engine.dialect.name == "postgresql":  # text: no UUID object made per row
            originator = cast(originator, String).label("originator_id")
        query = (
            select(e.id, originator, e.originator_version, e.topic, e.state)
            .where(e.id > start, e.id <= horizon)
            .order_by(e.id)
            .limit(self.batch)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).all()

    # ---- applying -----------------------------------------------------------------------

    def _apply(self, notifications: Iterable[Any], batch: Batch) -> None:
        touched: dict[UUID, tuple[Progress, set[str], str | None]] = {}
        uuids = self.uuids
        plain = self.decode is library.decode_plain_json
        for notification in notifications:
            needing = [v for v in batch.views if (self.positions[v] or 0) < notification.id]
            raw = notification.originator_id
            uuid = uuids.get(raw) or uuids.setdefault(raw, t.as_uuid(raw))
            position = notification.originator_version
            progress = self._progress_of(uuid, position, needing)
            following = [view for view in needing if view not in progress.stopped]
            if not following:
                continue
            if uuid not in touched:  # the stage before the batch: `history` rows carry it
                stage = progress.cycle.stage if progress.cycle is not None else None
                touched[uuid] = (progress, set(), stage)
            touched[uuid][1].update(needing)
            try:
                if plain:
                    event: CycleEvent = library.decode_plain_json(notification, uuid)
                else:
                    event = self.decode(notification)
                concerned = follow(progress, event)
            except Exception as error:  # noqa: BLE001 - whatever the damage, mark it
                self._mark_unreadable(progress, uuid, Unreadable(position, error))
                continue
            batch.events += 1
            following = [view for view in needing if view not in progress.stopped]
            assert progress.cycle is not None
            self._rows(batch, following, progress, progress.cycle, event, concerned)
        for uuid, (progress, views, stage) in touched.items():
            self._cursors(batch, views, uuid, progress, stage)

    def _rows(
        self,
        batch: Batch,
        needing: list[str],
        progress: Progress,
        cycle: Cycle,
        event: CycleEvent,
        concerned: set[str],
    ) -> None:
        cycle_id = cycle.cycle_id
        if "cycles" in needing:
            listed = unit_rows(event, cycle)
            if listed is not None:
                batch.units[cycle_id] = listed
        if "audit" in needing:
            position = event.originator_version
            row = audit_row(event)
            # Rows of these two, one or more per event, as tuples in column order.
            batch.audit.append(
                (
                    cycle_id,
                    position,
                    microseconds(event.timestamp),
                    row["verb"],
                    row["actor"],
                    dumps(row),
                    row["account"] or "",
                )
            )
            batch.audit_units.extend((cycle_id, unit, position) for unit in concerned)
            change = appeal_change(event)
            if change is not None and change[0] == "filed":
                filed: Any = change[1]
                batch.appeals.append(
                    {
                        "cycle": cycle_id,
                        "appeal": filed["appeal"],
                        "position": position,
                        "unit": filed["unit"],
                        "status": filed["status"],
                        "doc": dumps(filed),
                    }
                )
            elif change is not None:
                batch.statuses.append(
                    {"c": cycle_id, "a": event.data["appeal"], "status": change[1]}
                )
        if progress.results is None:
            return
        version = event.data["version"]
        if "results" in needing:
            batch.versions.append(
                {"cycle": cycle_id, "scheme": cycle.scheme, **version_row(event, progress.memo)}
            )
            batch.results.extend(
                {
                    "cycle": cycle_id,
                    "version": version,
                    "ord": ord_,
                    "unit": row["unit"],
                    "category": row["category"],
                    "doc": dumps(row),
                }
                for ord_, row in enumerate(progress.results)
            )
        if "history" in needing:
            batch.history[cycle_id] = [
                {
                    "unit": entry_unit,
                    "cycle": cycle_id,
                    "year": cycle.year,
                    "stage": entry["stage"],
                    "doc": dumps(entry),
                }
                for entry_unit, entry in zip(
                    (row["unit"] for row in progress.results),
                    history_rows(cycle, version, progress.results),
                    strict=True,
                )
            ]

    def _cursors(
        self,
        batch: Batch,
        needing: set[str],
        uuid: UUID,
        progress: Progress,
        stage_before: str | None,
    ) -> None:
        cycle = progress.cycle
        cycle_id = cycle.cycle_id if cycle is not None else str(uuid)
        position = cycle.version if cycle is not None else 0
        for view in needing:
            batch.cursors[(view, str(uuid))] = {
                "view": view,
                "originator_id": str(uuid),
                "cycle": cycle_id,
                "position": t.CORRUPT if view in progress.stopped else position,
                "memo": dumps(progress.memo.as_json()),
            }
        if "cycles" in needing:
            if progress.unreadable is not None or cycle is None:
                header: dict[str, Any] = {"id": cycle_id}
                if cycle is not None:
                    header.update(scheme=cycle.scheme, year=cycle.year, title=cycle.title)
                doc = corrupt_summary(header, progress.unreadable or "")
            else:
                doc = summary_of(cycle)
            batch.cycles[cycle_id] = {
                "cycle": cycle_id,
                "originator_id": str(uuid),
                "year": cycle.year if cycle is not None else None,
                "run_by": getattr(cycle, "run_by", None),
                "corrupt": progress.unreadable is not None or cycle is None,
                "doc": dumps(doc),
                "head": cycle.head if cycle is not None else None,
                "units": len(cycle.units) if cycle is not None else 0,
            }
        following_history = "history" in needing and "history" not in progress.stopped
        changed = cycle is not None and (cycle.stage != stage_before or cycle_id in batch.history)
        if following_history and changed and cycle is not None:
            batch.stages[cycle_id] = cycle.stage

    def _progress_of(self, uuid: UUID, position: int, needing: list[str]) -> Progress:
        """The cycle as followed up to the event before `position`: kept from the last
        batch, else loaded (from a snapshot where there is one) with the memo of a view
        that stands there."""
        known = self.progress.get(uuid)
        if known is not None:
            self.progress.move_to_end(uuid)
            standing = known.cycle.version if known.cycle is not None else 0
            if standing == position - 1 or known.unreadable is not None:
                return known
        progress = self._load(uuid, position - 1, needing)
        self.progress[uuid] = progress
        if len(self.progress) > CACHED_CYCLES:
            self.progress.popitem(last=False)
        return progress

    def _load(self, uuid: UUID, position: int, needing: list[str]) -> Progress:
        if position == 0:
            return Progress(cycle=None, memo=Memo())
        with self.engine.connect() as connection:
            stored = connection.execute(
                select(t.cursors.c.view, t.cursors.c.position, t.cursors.c.memo).where(
                    t.cursors.c.originator_id == str(uuid), t.cursors.c.view.in_(needing)
                )
            ).all()
        stopped = {view for view, at, _ in stored if at == t.CORRUPT}
        if stopped >= set(needing):
            return Progress(cycle=None, memo=Memo(), stopped=set(VIEWS))
        memo = next((Memo.of(orjson.loads(m)) for _, at, m in stored if at == position), None)
        if memo is None:  # another runner went on meanwhile, or the tables were changed
            if any(self.tracking.max_tracking_id(v) != self.positions[v] for v in needing):
                raise Conflict(uuid)
            raise LostPlace(f"read views lost their place in cycle {uuid} at event {position}")
        progress = Progress(cycle=None, memo=memo, stopped=stopped)
        try:
            progress.cycle = library.get_copy(
                self.app.repository, uuid, checked_replay, version=position
            )
        except Unreadable as unreadable:
            self._mark_unreadable(progress, uuid, unreadable)
        return progress

    def _mark_unreadable(self, progress: Progress, uuid: UUID, unreadable: Unreadable) -> None:
        cycle_id = progress.cycle.cycle_id if progress.cycle is not None else str(uuid)
        progress.unreadable = unreadable.refusal(cycle_id).message
        progress.stopped = set(VIEWS)

    # ---- writing --------------------------------------------------------------------------

    def _write(self, batch: Batch) -> None:
        try:
            with self.datastore.transaction(commit=True) as session:
                connection = session.connection()
                for view in batch.views:
                    self._move(connection, view, self.positions[view], batch.end)
                self._write_rows(connection, batch)
        except (IntegrityError, LibraryIntegrityError) as error:
            if any(self.tracking.max_tracking_id(v) != self.positions[v] for v in batch.views):
                raise Conflict from error  # another runner went first
            raise LostPlace(f"read views hold rows they should not ({error})") from None

    def _move(self, connection: Connection, view: str, old: int | None, new: int) -> None:
        """Compare-and-set the view's tracked position (the library's `_insert_tracking`
        checks, then updates: two runners could both pass the check)."""
        table = self.tracking.tracking_table
        if old is None:
            connection.execute(insert(table).values(application_name=view, notification_id=new))
            return
        moved = connection.execute(
            update(table)
            .where(table.c.application_name == view, table.c.notification_id == old)
            .values(notification_id=new)
        )
        if moved.rowcount != 1:
            raise Conflict(view)

    def _write_rows(self, c: Connection, batch: Batch) -> None:
        if batch.cursors:
            keys = [{"v": view, "o": uuid} for view, uuid in batch.cursors]
            cur = t.cursors.c
            c.execute(
                delete(t.cursors).where(
                    and_(cur.view == _bind("v"), cur.originator_id == _bind("o"))
                ),
                keys,
            )
            c.execute(insert(t.cursors), list(batch.cursors.values()))
        if batch.cycles:
            self._replace(c, t.cycles, t.cycles.c.cycle, list(batch.cycles.values()), "cycle")
        if batch.units:
            units = [
                {"cycle": cycle, **row} for cycle, listed in batch.units.items() for row in listed
            ]
            c.execute(
                delete(t.units).where(t.units.c.cycle == _bind("k")),
                [{"k": k} for k in batch.units],
            )
            if units:
                c.execute(insert(t.units), units)
        rows: Sequence[Any]
        for table, rows in (
            (t.versions, batch.versions),
            (t.results, batch.results),
            (t.audit, batch.audit),
            (t.audit_units, batch.audit_units),
            (t.appeals, batch.appeals),
        ):
            if rows:
                bulk_insert(c, table, rows)
        if batch.statuses:
            a = t.appeals.c
            c.execute(
                update(t.appeals)
                .where(and_(a.cycle == _bind("c"), a.appeal == _bind("a")))
                .values(status=_bind("status")),
                batch.statuses,
            )
        if batch.history:
            rows = [row for listed in batch.history.values() for row in listed]
            c.execute(
                delete(t.history).where(t.history.c.cycle == _bind("k")),
                [{"k": k} for k in batch.history],
            )
            if rows:
                bulk_insert(c, t.history, rows)
        if batch.stages:
            h = t.history.c
            c.execute(
                update(t.history).where(h.cycle == _bind("k")).values(stage=_bind("s")),
                [{"k": k, "s": s} for k, s in batch.stages.items()],
            )

    @staticmethod
    def _replace(
        c: Connection, table: Any, key: Any, rows: list[dict[str, Any]], name: str
    ) -> None:
        c.execute(delete(table).where(key == _bind("k")), [{"k": row[name]} for row in rows])
        c.execute(insert(table), rows)

    # ---- rebuilding ---------------------------------------------------------------------

    def reset(self, views: Sequence[str]) -> None:
        """Drop the rows, cursors and positions of `views`, in one transaction."""
        with self.datastore.transaction(commit=True) as session:
            connection = session.connection()
            for view in views:
                for table in t.OWNED[view]:
                    connection.execute(delete(table))
                connection.execute(delete(t.cursors).where(t.cursors.c.view == view))
                tracking = self.tracking.tracking_table
                connection.execute(delete(tracking).where(tracking.c.application_name == view))
        self.reload()


def bulk_insert(c: Connection, table: Any, rows: Sequence[Any]) -> None:
    """Many rows into a table, as fast as the driver goes: PostgreSQL's COPY (a third of
    the time of multi-row INSERTs for rows of JSON text), SQLite's `executemany` of
    tuples (without SQLAlchemy's per-row parameter processing)."""
    names = [column.name for column in table.columns]
    values = rows if isinstance(rows[0], tuple) else [tuple(r[n] for n in names) for r in rows]
    if c.dialect.name == "postgresql":
        lines = io.StringIO()
        # Every column written this way is NOT NULL: texts quoted, numbers not.
        csv.writer(lines, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(values)
        lines.seek(0)
        cursor = c.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.copy_expert(
                f"COPY {table.name} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)", lines
            )
        finally:
            cursor.close()
        return
    marks = ", ".join("?" for _ in names)
    c.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", values)


def _bind(name: str) -> Any:
    return bindparam(name)


def wait_until(runner: ViewRunner, position: int, timeout: float) -> bool:
    """Run the views until every one has processed `position` (or time is up)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runner.run()
        if all((p or 0) >= position for p in runner.positions.values()):
            return True
        time.sleep(0.01)
    return False


class Follower:
    """The views kept current by a background thread of this process (`assess serve`).
    A store that fails is waited out; the thread stops with the process's services."""

    def __init__(self, app: AssessApp, interval: float = 0.05) -> None:
        self.app = app
        self.interval = interval
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="assess-views", daemon=True)

    def start(self) -> Follower:
        self.thread.start()
        return self

    def _run(self) -> None:
        failures = 0
        while not self.stop.is_set():
            try:
                runner = ViewRunner(self.app)
            except Exception as error:  # noqa: BLE001 - the store may come back
                failures += 1
                if failures == 1:
                    log.warning("read views not started: %s: %s", type(error).__name__, error)
                self.stop.wait(min(5.0, self.interval * 2**failures))
                continue
            runner.follow(self.stop, self.interval)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
