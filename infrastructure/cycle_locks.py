"""Writers to one cycle, one at a time across processes sharing a store.

Group commit already lets one writer per cycle decide and store within a process. Two
processes (two `assess serve`, or a server and `assess act`) would still decide on the
same version and collide on the store's unique positions: one of them is decided again,
and after a few collisions refused as `conflict` although nothing was wrong with it.
The locks here make the other process wait instead:

* PostgreSQL: a session-level advisory lock per cycle (`pg_advisory_lock`), taken on a
  connection of a pool of its own, so that a writer holding it never waits for the
  pool its store needs; released once the batch is committed (or the connection is
  dropped, which releases it too).
* SQLite file: `flock` on one of `SLOTS` lock files in a folder beside the database
  (cycles that share a slot wait for each other, which is harmless).
* In-memory stores: none (one process is all there is).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import eventsourcing.persistence as es_persistence
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from assess.domain.cycle import cycle_uuid

try:
    import fcntl
except ImportError:  # not POSIX: SQLite writers then rely on the store's own checks
    fcntl = None  # type: ignore[assignment]

__all__ = ["AdvisoryLocks", "FileLocks", "SLOTS", "for_recorder", "lock_key"]

log = logging.getLogger(__name__)

SLOTS = 64  # lock files per SQLite database


def lock_key(cycle_id: str) -> int:
    """The cycle's advisory lock key: the first 8 bytes of a SHA-256, as a signed bigint."""
    digest = hashlib.sha256(b"assess-cycle\x00" + cycle_id.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _store_error(error: SQLAlchemyError) -> Exception:
    """The error as the event store raises its own (eventsourcing's classes)."""
    orig = getattr(error, "orig", None)
    name = type(orig).__name__ if orig is not None else type(error).__name__
    cls = getattr(es_persistence, name, None)
    if not (isinstance(cls, type) and issubclass(cls, es_persistence.PersistenceError)):
        cls = es_persistence.PersistenceError
    return cls(str(error).split("\n", 1)[0])


class AdvisoryLocks:
    """PostgreSQL advisory locks, one per cycle. Taking one also reads, in the same
    round trip and after the lock is held, the cycle's last stored position: a writer
    whose cached cycle is at that position decides on it without reading the store."""

    def __init__(self, engine: Engine, events_table: str) -> None:
        # Same connection settings (timeouts included) and pool size as the store's pool,
        # but a pool of its own: at most one connection per cycle being written. In
        # autocommit, taking and releasing a lock is one round trip each: no BEGIN, no
        # ROLLBACK (session-level advisory locks belong to no transaction).
        self._engine = create_engine(
            engine.url, pool=engine.pool.recreate(), isolation_level="AUTOCOMMIT"
        )
        # Two statements, run in order: the position is read once the lock is held.
        self._take = (
            "SELECT pg_advisory_lock(%(key)s); "
            f"SELECT max(originator_version) FROM {events_table} WHERE originator_id = %(id)s"
        )

    @contextlib.contextmanager
    def hold(self, cycle_id: str) -> Iterator[int | None]:
        """Held while the block runs; yields the cycle's last stored position (None:
        no events)."""
        key = {"key": lock_key(cycle_id)}
        try:
            connection = self._engine.connect()
        except SQLAlchemyError as error:
            raise _store_error(error) from error
        try:
            stored = connection.exec_driver_sql(
                self._take, {**key, "id": str(cycle_uuid(cycle_id))}
            ).scalar()
        except SQLAlchemyError as error:
            connection.invalidate()  # the session ends: no lock can be left behind
            connection.close()
            raise _store_error(error) from error
        try:
            yield stored
        finally:
            self._release(connection, key)

    @staticmethod
    def _release(connection: Any, key: dict[str, int]) -> None:
        """Never raises: the batch may be stored already, and must be reported so."""
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
        except SQLAlchemyError:
            log.warning("advisory lock %s: unlock failed; dropping the connection", key["key"])
            with contextlib.suppress(SQLAlchemyError):
                connection.invalidate()  # closing the session releases the lock
        finally:
            with contextlib.suppress(SQLAlchemyError):
                connection.close()

    def close(self) -> None:
        self._engine.dispose()


class FileLocks:
    """`flock` on lock files beside a SQLite database, one per slot of cycles."""

    def __init__(self, database: str | Path) -> None:
        self.folder = Path(f"{database}.locks")

    @contextlib.contextmanager
    def hold(self, cycle_id: str) -> Iterator[int | None]:
        """Held while the block runs; yields None: the stored position is not known
        (reading it from SQLite costs no round trip, the writer reads it itself)."""
        descriptor = self._open(self.folder / f"{lock_key(cycle_id) % SLOTS:02d}")
        try:
            if descriptor is not None and fcntl is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield None
        finally:
            if descriptor is not None:
                os.close(descriptor)  # releases the lock

    def _open(self, path: Path) -> int | None:
        try:
            self.folder.mkdir(exist_ok=True)
            return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:  # e.g. a read-only folder: the store will say more
            log.warning("no writer lock at %s: %s", path, error)
            return None

    def close(self) -> None:
        pass


def for_recorder(recorder: Any) -> AdvisoryLocks | FileLocks | None:
    """The writer locks for the store behind an eventsourcing-sqlalchemy recorder
    (None: an in-memory or other store, used by one process)."""
    datastore = getattr(recorder, "datastore", None)
    engine = getattr(datastore, "engine", None)
    if not isinstance(engine, Engine):
        return None
    if engine.dialect.name == "postgresql":
        return AdvisoryLocks(engine, recorder.events_table_name)
    if getattr(datastore, "is_sqlite_filedb", False) and engine.url.database:
        return FileLocks(engine.url.database)
    return None
