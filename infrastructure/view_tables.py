"""The tables of the read views (SPEC §8), beside the events in the same database.

Each view's rows hold the answer documents as JSON text (`doc`), with the columns that
reads filter, order and page on. `view_tracking` (the library's tracking table) holds
the last notification each view processed; `view_cursor` holds, per view and cycle, the
last event position it applied and what it remembers of the cycle (`Memo`), written in
the same transaction as the rows. A position of -1 marks a cycle the view stopped
following because its events do not read (reads then go to the events, which say why).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.persistence import PersistenceError as LibraryPersistenceError
from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    inspect,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

TRACKING_TABLE = "view_tracking"
CORRUPT = -1

metadata = MetaData()
Id = String(100)  # cycle and unit ids (64 for new ones; 100 over HTTP)

cursors = Table(
    "view_cursor",
    metadata,
    Column("view", String(16), primary_key=True),
    Column("originator_id", String(36), primary_key=True),
    Column("cycle", Id, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("memo", Text, nullable=False),
)

cycles = Table(
    "view_cycles",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("originator_id", String(36), nullable=False),
    Column("year", Integer),
    Column("run_by", Id),
    Column("corrupt", Boolean, nullable=False),
    Column("doc", Text, nullable=False),  # application.service.summary_of
    Column("head", String(64)),
    Column("units", Integer, nullable=False),
)
Index("view_cycles_year", cycles.c.year, cycles.c.cycle)
Index("view_cycles_run_by", cycles.c.run_by)

units = Table(
    "view_units",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("unit", Id, primary_key=True),
    Column("parent", Id),
)
Index("view_units_unit", units.c.unit)

versions = Table(
    "view_versions",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("scheme", String(32), nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("moment", String(40), nullable=False),  # when it took effect (history.moment_of)
)

results = Table(
    "view_results",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("ord", Integer, primary_key=True),  # the row's place: by rank, then unit
    Column("unit", Id, nullable=False),
    Column("category", String(200), nullable=False),
    Column("doc", Text, nullable=False),  # a row of SPEC §6's `results`
)
Index(
    "view_results_category", results.c.cycle, results.c.version, results.c.category, results.c.ord
)
Index("view_results_unit", results.c.cycle, results.c.version, results.c.unit)

audit = Table(
    "view_audit",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("recorded_us", BigInteger, nullable=False),  # microseconds since 1970 (UTC)
    Column("verb", String(32), nullable=False),
    Column("actor", Id, nullable=False),
    Column("doc", Text, nullable=False),  # application.audit.audit_row
    Column("account", Id, nullable=False),  # "" for events stored before accounts were
)
Index("view_audit_verb", audit.c.cycle, audit.c.verb, audit.c.position)
Index("view_audit_actor", audit.c.cycle, audit.c.actor, audit.c.position)
Index("view_audit_account", audit.c.cycle, audit.c.account, audit.c.position)

audit_units = Table(
    "view_audit_units",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("unit", Id, primary_key=True),
    Column("position", BigInteger, primary_key=True),
)

appeals = Table(
    "view_appeals",
    metadata,
    Column("cycle", Id, primary_key=True),
    Column("appeal", Id, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("unit", Id, nullable=False),
    Column("status", String(32), nullable=False),
    Column("doc", Text, nullable=False),  # application.audit.appeal_as_filed
)

history = Table(
    "view_history",
    metadata,
    Column("unit", Id, primary_key=True),
    Column("cycle", Id, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("doc", Text, nullable=False),  # an entry of SPEC §9's history
)
Index("view_history_cycle", history.c.cycle)

# The tables each view owns: dropped and refilled together by `rebuild`.
OWNED: dict[str, tuple[Table, ...]] = {
    "cycles": (cycles, units),
    "results": (versions, results),
    "audit": (audit, audit_units, appeals),
    "history": (history,),
}


def as_uuid(value: Any) -> UUID:
    """An originator id as the driver gives it (a UUID, its 16 bytes or its text)."""
    if isinstance(value, UUID):
        return value
    if isinstance(value, bytes):
        return UUID(bytes=value)
    return UUID(str(value))


def tracking_recorder(datastore: Any) -> SQLAlchemyTrackingRecorder:
    """The library's tracking table, on the application's datastore."""
    return SQLAlchemyTrackingRecorder(datastore, tracking_table_name=TRACKING_TABLE)


def create_tables(engine: Engine, tracking: SQLAlchemyTrackingRecorder) -> None:
    """The tables, if missing. Processes opening a new store at once may both find a
    table missing, and one of them then fails to create it: it looks again."""
    for attempt in range(3):
        try:
            tracking.create_table()
            _renew_audit(engine, tracking)
            metadata.create_all(engine, checkfirst=True)
            return
        except (DatabaseError, LibraryPersistenceError):
            if attempt == 2:
                raise


def _renew_audit(engine: Engine, tracking: SQLAlchemyTrackingRecorder) -> None:
    """`view_audit` gained its `account` column (issue 13): a database with the table as it
    was drops the `audit` view's tables and position, which the runner then fills again
    from the start of the log."""
    found = inspect(engine)
    if not found.has_table(audit.name):
        return
    if "account" in {column["name"] for column in found.get_columns(audit.name)}:
        return
    with engine.begin() as c:
        for table in reversed(OWNED["audit"]):
            table.drop(c, checkfirst=True)
        if found.has_table(cursors.name):
            c.execute(delete(cursors).where(cursors.c.view == "audit"))
        kept = tracking.tracking_table
        c.execute(delete(kept).where(kept.c.application_name == "audit"))
