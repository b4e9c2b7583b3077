"""Faster recorders for eventsourcing-sqlalchemy.

The stock recorders of ``eventsourcing_sqlalchemy`` build one ORM object per
stored event, ``session.add`` it and flush, and read events back as ORM
objects: that costs far more per event than the database does. The classes
here keep the library's tables, columns, sessions/transactions, PostgreSQL
table lock, NOTIFY (both optional: ``LOCK_EVENTS_TABLE``) and error mapping, and
replace only the per-row work with SQLAlchemy Core:

* Inserts are one Core ``insert()`` executed with the list of parameter sets.
  On PostgreSQL SQLAlchemy 2 sends them as multi-row ``INSERT ... VALUES``
  pages ("insertmanyvalues"); on SQLite it is the driver's ``executemany``.
  The statement targets a twin of the events table (same name and columns)
  whose types do no per-row Python conversion; the values are converted
  up front exactly as the library's column types would (``UUIDType`` stores
  ``uuid.bytes`` on SQLite and the UUID string on PostgreSQL).
* Application recorders return the new notification ids in the order of the
  stored events, as the library's process/system machinery expects:
  PostgreSQL uses ``RETURNING id`` with ``sort_by_parameter_order=True``;
  SQLite reads ``max(id)`` before and after the insert (an ``INTEGER PRIMARY
  KEY`` without AUTOINCREMENT gets ``max(rowid) + 1`` per row, and the writer
  holds the database write lock), falling back to looking the ids up by
  ``(originator_id, originator_version)`` if the ids are not consecutive.
* Reads (``select_events``, ``select_notifications``, ``max_notification_id``)
  are Core ``select()`` statements returning plain rows.

A duplicate ``(originator_id, originator_version)`` still raises
``eventsourcing.persistence.IntegrityError`` (the library's ``Transaction``
translates SQLAlchemy's exception) and the whole transaction is rolled back.

Select the factory with the environment setting
``PERSISTENCE_MODULE=infrastructure.recorders:FastSQLAlchemyFactory``
(:data:`FACTORY_TOPIC`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification, StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import (
    SQLAlchemyAggregateRecorder,
    SQLAlchemyApplicationRecorder,
    SQLAlchemyProcessRecorder,
)
from sqlalchemy import Column, Connection, LargeBinary, MetaData, Table, func, insert, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.types import UserDefinedType
from sqlalchemy_utils.types.uuid import UUIDType

from assess.infrastructure.connections import DbLimits, engine_options

__all__ = [
    "FACTORY_TOPIC",
    "FastAggregateRecorder",
    "FastApplicationRecorder",
    "FastProcessRecorder",
    "FastSQLAlchemyDatastore",
    "FastSQLAlchemyFactory",
]

FACTORY_TOPIC = "assess.infrastructure.recorders:FastSQLAlchemyFactory"


class _PassThrough(UserDefinedType):  # type: ignore[type-arg]
    """A column type that hands values to the driver unchanged."""

    cache_ok = True

    def __init__(self, col_spec: str) -> None:
        self.col_spec = col_spec

    def get_col_spec(self, **kw: Any) -> str:
        return self.col_spec


# How UUIDType stores a UUID, and the SQL types of the twin table's columns.
_UUID_TO_DB: dict[str, Callable[[UUID], Any]] = {
    "sqlite": lambda u: u.bytes,
    "postgresql": str,
}
_RAW_SPECS: dict[str, tuple[str, str]] = {  # dialect -> (uuid spec, bytes spec)
    "sqlite": ("BLOB", "BLOB"),
    "postgresql": ("UUID", "BYTEA"),
}


def _as_bytes(value: Any) -> bytes:
    # psycopg2 hands bytea back as memoryview unless SQLAlchemy converted it.
    return bytes(value) if isinstance(value, memoryview) else value


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


class _CoreEventsMixin:
    """Core ``insert()``/``select()`` over the recorder's events table."""

    events_record_cls: Any
    _twins: dict[str, Table]

    @property
    def _table(self) -> Table:
        return self.events_record_cls.__table__

    def _twin_table(self, dialect_name: str) -> Table | None:
        """The events table with pass-through column types (None: use the real one)."""
        if dialect_name not in _RAW_SPECS:
            return None
        twins = self.__dict__.setdefault("_twins", {})
        twin = twins.get(dialect_name)
        if twin is None:
            uuid_spec, bytes_spec = _RAW_SPECS[dialect_name]
            table = self._table
            columns = []
            for col in table.columns:
                if isinstance(col.type, UUIDType):
                    col_type: Any = _PassThrough(uuid_spec)
                elif isinstance(col.type, LargeBinary):
                    col_type = _PassThrough(bytes_spec)
                else:
                    col_type = col.type
                columns.append(
                    Column(
                        col.name,
                        col_type,
                        primary_key=col.primary_key,
                        autoincrement=col.autoincrement,
                        nullable=col.nullable,
                    )
                )
            twin = Table(table.name, MetaData(), *columns, schema=table.schema)
            twins[dialect_name] = twin
        return twin

    def _rows(self, dialect_name: str, stored_events: Sequence[StoredEvent]) -> list[dict]:
        to_db = _UUID_TO_DB.get(dialect_name)
        cache: dict[Any, Any] = {}
        rows = []
        for e in stored_events:
            oid = e.originator_id
            if to_db is not None:
                try:
                    oid = cache[e.originator_id]
                except KeyError:
                    oid = to_db(_as_uuid(e.originator_id))
                    cache[e.originator_id] = oid
            rows.append(
                {
                    "originator_id": oid,
                    "originator_version": e.originator_version,
                    "topic": e.topic,
                    "state": e.state,
                }
            )
        return rows

    @staticmethod
    def _tuples(stored_events: Sequence[StoredEvent]) -> list[tuple[Any, ...]]:
        """SQLite rows as `UUIDType` stores them (the UUID's 16 bytes), converted once per
        originator."""
        ids: dict[Any, bytes] = {}
        rows = []
        for e in stored_events:
            oid = ids.get(e.originator_id)
            if oid is None:
                oid = ids[e.originator_id] = _as_uuid(e.originator_id).bytes
            rows.append((oid, e.originator_version, e.topic, e.state))
        return rows

    @staticmethod
    def _sqlite_insert(table: Table) -> str:
        return (
            f'INSERT INTO "{table.name}" (originator_id, originator_version, topic, state) '
            "VALUES (?, ?, ?, ?)"
        )

    def _core_insert(
        self,
        session: Session,
        stored_events: Sequence[StoredEvent],
        *,
        return_ids: bool,
    ) -> list[int] | None:
        connection = session.connection()
        dialect_name = connection.dialect.name
        table = self._twin_table(dialect_name)
        if table is None:  # Another dialect: let the column types convert.
            table = self._table
            dialect_name = ""
        if not return_ids and dialect_name == "sqlite":
            # Tuples straight to the driver's executemany: no per-row parameter handling.
            connection.exec_driver_sql(self._sqlite_insert(table), self._tuples(stored_events))
            return None
        rows = self._rows(dialect_name, stored_events)
        if not return_ids:
            connection.execute(insert(table), rows)
            return None
        if dialect_name == "sqlite":
            return self._insert_sqlite_returning_ids(connection, table, rows, stored_events)
        # PostgreSQL batches an ordered RETURNING (INSERT ... SELECT ... ORDER BY
        # a sentinel counter). Elsewhere SQLAlchemy may go row by row: correct.
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(connection.execute(stmt, rows).scalars())

    def _insert_sqlite_returning_ids(
        self,
        connection: Connection,
        table: Table,
        rows: list[dict],
        stored_events: Sequence[StoredEvent],
    ) -> list[int]:
        # SQLite does not promise the order of RETURNING rows, so an ordered
        # RETURNING would run one statement per row. Instead: without an
        # explicit id, each row of an INTEGER PRIMARY KEY table gets
        # max(rowid) + 1, and no other writer can insert once this transaction
        # has written. If the ids turn out consecutive, they are ours, in order.
        max_id = select(func.max(table.c.id))
        before = connection.execute(max_id).scalar() or 0
        connection.execute(insert(table), rows)
        last = connection.execute(max_id).scalar() or 0
        if last - before == len(rows):
            return list(range(before + 1, last + 1))
        # Someone wrote between our first query and our insert: look ids up.
        found = connection.execute(
            select(table.c.id, table.c.originator_id, table.c.originator_version).where(
                table.c.id > before
            )
        )
        ids = {(oid, version): nid for nid, oid, version in found}
        return [ids[(row["originator_id"], row["originator_version"])] for row in rows]

    def select_events(
        self,
        originator_id: UUID | str,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[StoredEvent]:
        table = self._table
        version = table.c.originator_version
        stmt = select(version, table.c.topic, table.c.state).where(
            table.c.originator_id == originator_id
        )
        if gt is not None:
            stmt = stmt.where(version > gt)
        if lte is not None:
            stmt = stmt.where(version <= lte)
        stmt = stmt.order_by(version.desc() if desc else version)
        if limit is not None:
            stmt = stmt.limit(limit)
        # Every row has the originator id we asked for: reuse one UUID object
        # rather than converting the column value on each row.
        oid = _as_uuid(originator_id)
        with self.transaction(commit=False) as session:  # type: ignore[attr-defined]
            rows = session.connection().execute(stmt).all()
        return [
            StoredEvent(
                originator_id=oid,
                originator_version=v,
                topic=topic,
                state=_as_bytes(state),
            )
            for v, topic, state in rows
        ]


class FastAggregateRecorder(_CoreEventsMixin, SQLAlchemyAggregateRecorder):
    """Aggregate recorder (the factory also uses it for the snapshots table)."""

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return None
        if self._has_autoincrementing_ids:
            self._lock_table(session)
        self._core_insert(session, stored_events, return_ids=False)
        return None


class FastApplicationRecorder(_CoreEventsMixin, SQLAlchemyApplicationRecorder):
    """Application recorder: Core inserts returning notification ids in order."""

    #: Set to False (on a subclass) to skip fetching ids. ``Application.save``
    #: then returns no recordings; process applications and systems need them,
    #: so the default keeps the library's behaviour.
    return_notification_ids = True

    #: Set to False to insert without the table lock and the NOTIFY. The library takes
    #: ``LOCK TABLE ... IN EXCLUSIVE MODE`` on PostgreSQL so that notification ids
    #: commit in the order they were given: a follower reading the notification log by
    #: id (process applications, systems, projections) could otherwise read id n+1
    #: before id n commits, and never see n. An application that none follows needs
    #: neither, and the lock makes every write wait for the longest insert in progress,
    #: whatever its aggregate (13 s behind a 600,000-event import).
    lock_events_table = True

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        if self.lock_events_table:
            self._lock_table_and_notify(session)
        ids = self._core_insert(session, stored_events, return_ids=self.return_notification_ids)
        return ids or []

    def insert_rows(self, session: Session, rows: Sequence[tuple[Any, int, str, bytes]]) -> None:
        """Rows (originator id, position, topic, payload) inserted in the session's
        transaction, as `insert_events` would insert the same stored events: on SQLite as
        tuples straight to the driver's `executemany`."""
        if self.lock_events_table:
            self._lock_table_and_notify(session)
        connection = session.connection()
        if connection.dialect.name == "sqlite":
            ids: dict[Any, bytes] = {}
            converted = []
            for oid, version, topic, state in rows:
                key = ids.get(oid)
                if key is None:
                    key = ids[oid] = _as_uuid(oid).bytes
                converted.append((key, version, topic, state))
            connection.exec_driver_sql(self._sqlite_insert(self._table), converted)
            return
        self._core_insert(session, [StoredEvent(*row) for row in rows], return_ids=False)

    def _lock_table_and_notify(self, session: Session) -> None:
        """On PostgreSQL the table lock and the NOTIFY (delivered at commit anyway) go
        in one round trip: a single score's save is a handful of them in all."""
        assert self.datastore.engine is not None
        if self.datastore.engine.dialect.name != "postgresql":
            self._lock_table(session)
            return
        table = self.events_table_name
        if self.schema_name is not None:
            table = f"{self.schema_name}.{table}"
        session.connection().exec_driver_sql(
            f"LOCK TABLE {table} IN EXCLUSIVE MODE; NOTIFY {self.channel_name}"
        )

    def max_notification_id(self) -> int | None:
        stmt = select(func.max(self._table.c.id))
        with self.transaction(commit=False) as session:
            return session.connection().execute(stmt).scalar()

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> list[Notification]:
        table = self._table
        stmt = select(
            table.c.id,
            table.c.originator_id,
            table.c.originator_version,
            table.c.topic,
            table.c.state,
        )
        if start is not None:
            stmt = stmt.where(table.c.id >= start if inclusive_of_start else table.c.id > start)
        if stop is not None:
            stmt = stmt.where(table.c.id <= stop)
        if topics:
            stmt = stmt.where(table.c.topic.in_(topics))
        stmt = stmt.order_by(table.c.id).limit(limit)
        with self.transaction(commit=False) as session:
            rows = session.connection().execute(stmt).all()
        return [
            Notification(
                id=nid,
                originator_id=oid,
                originator_version=version,
                topic=topic,
                state=_as_bytes(state),
            )
            for nid, oid, version, topic, state in rows
        ]


class FastProcessRecorder(FastApplicationRecorder, SQLAlchemyProcessRecorder):
    """Process recorder: tracking record and events in one transaction."""


class FastSQLAlchemyDatastore(SQLAlchemyDatastore):
    """The library's datastore; psycopg2 engines use the "format" paramstyle.

    psycopg2 fills ``%s`` placeholders from a tuple noticeably faster than
    ``%(name)s`` ones from a dict: about a quarter less time for a bulk insert
    of 1,000-row pages. SQLAlchemy compiles every statement (``text()``
    with ``:name`` binds included) for whichever paramstyle the engine uses.
    """

    def __init__(
        self, *, url: str | None = None, limits: DbLimits | None = None, **kwargs: Any
    ) -> None:
        if url:
            # Timeouts, keepalives and the pool wait (infrastructure/connections.py).
            for key, value in engine_options(url, limits or DbLimits.from_env()).items():
                kwargs.setdefault(key, value)
        if url and "paramstyle" not in kwargs:
            drivername = make_url(url).drivername
            if drivername in ("postgresql", "postgresql+psycopg2"):
                kwargs["paramstyle"] = "format"
        super().__init__(url=url, **kwargs)


class FastSQLAlchemyFactory(SQLAlchemyFactory):
    """eventsourcing-sqlalchemy's factory, building the recorders above.

    Same settings as the stock factory (``SQLALCHEMY_URL``, ``CREATE_TABLE``,
    ``SQLALCHEMY_SCHEMA``...). ``close()`` also disposes of the engine's
    connection pool (the stock factory leaves connections open).
    """

    datastore_class = FastSQLAlchemyDatastore
    aggregate_recorder_class = FastAggregateRecorder
    application_recorder_class = FastApplicationRecorder
    process_recorder_class = FastProcessRecorder

    #: Setting ``RETURN_NOTIFICATION_IDS=n`` skips fetching the ids of inserted
    #: events, for applications that no process or system follows (10–20 % faster
    #: saves on PostgreSQL).
    RETURN_NOTIFICATION_IDS = "RETURN_NOTIFICATION_IDS"
    #: Setting ``LOCK_EVENTS_TABLE=n`` inserts without the events-table lock and the
    #: NOTIFY, for applications that none follows (see ``lock_events_table``).
    LOCK_EVENTS_TABLE = "LOCK_EVENTS_TABLE"

    def __init__(self, env: Environment) -> None:
        # The stock factory builds the datastore from the URL alone: the connection
        # limits (ASSESS_DB_*_TIMEOUT, from the application's env or the process's)
        # are bound to the datastore class of this factory.
        limits = DbLimits.from_env(env.get)
        self.datastore_class = partial(FastSQLAlchemyDatastore, limits=limits)  # type: ignore[assignment]
        super().__init__(env)

    def application_recorder(self) -> ApplicationRecorder:
        recorder = super().application_recorder()
        if self._is_off(self.RETURN_NOTIFICATION_IDS):
            recorder.return_notification_ids = False  # type: ignore[attr-defined]
        if self._is_off(self.LOCK_EVENTS_TABLE):
            recorder.lock_events_table = False  # type: ignore[attr-defined]
        return recorder

    def _is_off(self, key: str) -> bool:
        return self.env.get(key, "y").lower() in ("n", "no", "false", "0")

    def close(self) -> None:
        super().close()
        engine = getattr(self.datastore, "engine", None)
        if isinstance(engine, Engine):
            engine.dispose()
