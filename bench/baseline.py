"""Raw-driver baselines for the benchmarks.

"The same number of rows of the same JSON payloads bulk-inserted into a plain
table with the same driver": ``sqlite3`` ``executemany`` for SQLite, psycopg2
``execute_values`` for PostgreSQL, one transaction, no ORM, no SQLAlchemy.

The plain table is ``raw_baseline(id, originator_id, originator_version, topic,
state)`` with only its primary key (no unique index on
``(originator_id, originator_version)``, unlike the events tables). All rows
get one originator id and versions 1..N, like one aggregate's events. The
table is created before and dropped after each measurement. A SQLite file is
switched to WAL mode first, as the application does.

Each measurement reports its wall time and the CPU seconds of this process
(``time.process_time``: the driver's own work, row building excluded); on PostgreSQL
also the CPU seconds of the server backend serving the connection, read from
``/proc/<pid>/stat`` when the server runs on this machine (None otherwise).

URLs take the same forms as :func:`infrastructure.persistence.resolve_url`.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from assess.infrastructure.persistence import normalise_url, sqlite_path

__all__ = [
    "TABLE",
    "RawTiming",
    "backend_cpu_seconds",
    "raw_insert",
    "raw_insert_rate",
    "raw_log_scan",
    "raw_scan",
    "raw_scan_rate",
]

TABLE = "raw_baseline"
TOPIC = "bench.baseline:Event"
PAGE_SIZE = 1000  # rows per execute_values statement (SQLAlchemy's insertmanyvalues default)

_SQLITE_DDL = (
    f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
    "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, state BLOB NOT NULL)"
)
_PG_DDL = (
    f"CREATE TABLE {TABLE} (id BIGSERIAL PRIMARY KEY, originator_id UUID NOT NULL, "
    "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, state BYTEA NOT NULL)"
)
_COLUMNS = "originator_id, originator_version, topic, state"
_SCAN = f"SELECT id, {_COLUMNS} FROM {TABLE} ORDER BY id"


@dataclass(frozen=True)
class RawTiming:
    """One timed raw-driver measurement."""

    rows: int
    wall_seconds: float
    cpu_seconds: float  # this process (time.process_time)
    server_cpu_seconds: float | None = None  # the PostgreSQL backend, when readable

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.wall_seconds

    @property
    def cpu_us_per_row(self) -> float:
        return self.cpu_seconds / self.rows * 1e6

    @property
    def server_cpu_us_per_row(self) -> float | None:
        if self.server_cpu_seconds is None:
            return None
        return self.server_cpu_seconds / self.rows * 1e6


def backend_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of the PostgreSQL process ``pid`` so far, from /proc;
    None when there is no such process here (a server elsewhere, another PID namespace)."""
    base = Path(f"/proc/{pid}")
    try:
        if (base / "comm").read_text().strip() != "postgres":
            return None
        stat = (base / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # after "pid (comm) "; state is field 3
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


class _Driver:
    """Just enough of one DBAPI connection for the two measurements."""

    def __init__(self, url: str) -> None:
        url = normalise_url(url)
        self.is_sqlite = url.startswith("sqlite")
        self.backend_pid: int | None = None
        if self.is_sqlite:
            self.conn: Any = sqlite3.connect(sqlite_path(url) or ":memory:", isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
        else:
            import psycopg2

            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            self.conn = psycopg2.connect(dsn)
            cur = self.conn.cursor()
            cur.execute("SELECT pg_backend_pid()")
            self.backend_pid = cur.fetchone()[0]
            self.conn.rollback()

    def server_cpu(self) -> float | None:
        if self.is_sqlite or self.backend_pid is None:
            return None
        return backend_cpu_seconds(self.backend_pid)

    def run(self, sql: str) -> None:
        cur = self.conn.cursor()
        cur.execute(sql)
        if not self.is_sqlite:
            self.conn.commit()

    def create(self) -> None:
        self.run(f"DROP TABLE IF EXISTS {TABLE}")
        self.run(_SQLITE_DDL if self.is_sqlite else _PG_DDL)

    def insert(self, rows: list[tuple[str, int, str, bytes]]) -> None:
        """Bulk insert in one transaction, committed."""
        if self.is_sqlite:
            self.conn.execute("BEGIN")
            self.conn.executemany(f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES (?, ?, ?, ?)", rows)
            self.conn.execute("COMMIT")
        else:
            from psycopg2.extras import execute_values

            cur = self.conn.cursor()
            execute_values(
                cur, f"INSERT INTO {TABLE} ({_COLUMNS}) VALUES %s", rows, page_size=PAGE_SIZE
            )
            self.conn.commit()

    def scan(self) -> list[Any]:
        cur = self.conn.cursor()
        cur.execute(_SCAN)
        rows = cur.fetchall()
        if not self.is_sqlite:
            self.conn.commit()
        return rows

    def close(self) -> None:
        try:
            if not self.is_sqlite:
                self.conn.rollback()
            elif self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            self.run(f"DROP TABLE IF EXISTS {TABLE}")
        finally:
            self.conn.close()


@contextmanager
def _fresh_table(url: str) -> Iterator[_Driver]:
    driver = _Driver(url)
    try:
        driver.create()
        yield driver
    finally:
        driver.close()


def _rows(payloads: Sequence[bytes]) -> list[tuple[str, int, str, bytes]]:
    if not payloads:
        raise ValueError("no payloads to measure")
    oid = str(uuid.uuid4())
    return [(oid, version, TOPIC, bytes(p)) for version, p in enumerate(payloads, start=1)]


def _timed(driver: _Driver, rows: int, action: Callable[[], object]) -> RawTiming:
    server = driver.server_cpu()
    cpu = time.process_time()
    started = time.perf_counter()
    action()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    server_after = driver.server_cpu()
    server_seconds = None if server is None or server_after is None else server_after - server
    return RawTiming(rows, wall, cpu, server_seconds)


def raw_insert(url: str, payloads: Sequence[bytes]) -> RawTiming:
    """Bulk insert ``payloads`` with the raw driver, timed.

    Times only the insert and its commit (table creation, row building and
    the final DROP are outside the timing).
    """
    rows = _rows(payloads)
    with _fresh_table(url) as driver:
        return _timed(driver, len(rows), lambda: driver.insert(rows))


def raw_scan(url: str, payloads: Sequence[bytes]) -> RawTiming:
    """SELECT back (and fetch) ``payloads`` with the raw driver, timed.

    The rows are inserted first, untimed; then one ``SELECT ... ORDER BY id``
    and ``fetchall()`` is timed.
    """
    rows = _rows(payloads)
    with _fresh_table(url) as driver:
        driver.insert(rows)
        fetched: list[Any] = []
        timing = _timed(driver, len(rows), lambda: fetched.extend(driver.scan()))
    if len(fetched) != len(rows):
        raise RuntimeError(f"scanned {len(fetched)} rows, inserted {len(rows)}")
    return timing


def raw_insert_rate(url: str, payloads: Sequence[bytes]) -> float:
    """Rows per second of :func:`raw_insert`."""
    return raw_insert(url, payloads).rows_per_s


def raw_scan_rate(url: str, payloads: Sequence[bytes]) -> float:
    """Rows per second of :func:`raw_scan`."""
    return raw_scan(url, payloads).rows_per_s


def raw_log_scan(url: str, table: str, stop: int, page: int | None) -> tuple[int, float]:
    """Rows read and seconds to read an existing events ``table``'s rows up to id
    ``stop`` in id order (id, originator_id, originator_version, topic, state) with the
    raw driver: keyset pages of ``page`` rows (``WHERE id > last AND id <= stop ORDER
    BY id LIMIT page``, as the view runner reads the log), or one ``SELECT ... ORDER BY
    id`` and ``fetchall()`` when ``page`` is None. Writes nothing; connecting is untimed.
    """
    driver = _Driver(url)
    mark = "?" if driver.is_sqlite else "%s"
    columns = f"id, {_COLUMNS}"
    try:
        cur = driver.conn.cursor()
        started = time.perf_counter()
        count = 0
        if page is None:
            cur.execute(f"SELECT {columns} FROM {table} WHERE id <= {mark} ORDER BY id", (stop,))
            count = len(cur.fetchall())
        else:
            last = 0
            query = (
                f"SELECT {columns} FROM {table} WHERE id > {mark} AND id <= {mark} "
                f"ORDER BY id LIMIT {int(page)}"
            )
            while True:
                cur.execute(query, (last, stop))
                rows = cur.fetchall()
                if not rows:
                    break
                count += len(rows)
                last = rows[-1][0]
        seconds = time.perf_counter() - started
    finally:
        if not driver.is_sqlite:
            driver.conn.rollback()
        driver.conn.close()
    return count, seconds
