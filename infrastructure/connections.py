"""How connections to the store are made: timeouts, TCP keepalives and the pool.

Without them a stalled database (a hung server, a black-holed network) hangs the
client for ever. One set of limits serves the events store (eventsourcing-sqlalchemy's
engine, see ``infrastructure.recorders``) and the account store. Environment variables,
in seconds (``0`` means no limit):

* ``ASSESS_DB_CONNECT_TIMEOUT`` (default 10): PostgreSQL connection set-up (libpq
  ``connect_timeout``, which counts at least 2 s).
* ``ASSESS_DB_STATEMENT_TIMEOUT`` (default none here, 60 s for ``assess serve``, see
  ``api/settings.py``): PostgreSQL ``statement_timeout``, so the server cancels a
  statement that runs too long. None by default on the command line: an import of
  600,000 events or a full ``verify`` may legitimately run one long statement.
* ``ASSESS_DB_POOL_TIMEOUT`` (default 10): waiting for a free pooled connection.
* ``ASSESS_DB_BUSY_TIMEOUT`` (default 30): SQLite waiting for another writer's lock
  (Python's default is 5 s: concurrent writers were refused needlessly).

TCP keepalives (probe after 30 s idle, every 10 s, 3 tries) and ``tcp_user_timeout``
(60 s) make a connection whose peer vanished fail rather than wait. A peer that still
acknowledges packets but never answers (a stopped server process) is detected only by
the statement timeout, and only if the server runs; the HTTP health check has a
deadline of its own (``api/routers/health.py``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url

__all__ = ["ENV", "DbLimits", "engine_options", "make_engine"]

ENV = {
    "connect": "ASSESS_DB_CONNECT_TIMEOUT",
    "statement": "ASSESS_DB_STATEMENT_TIMEOUT",
    "pool": "ASSESS_DB_POOL_TIMEOUT",
    "busy": "ASSESS_DB_BUSY_TIMEOUT",
}
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10}
KEEPALIVE_COUNT = 3
TCP_USER_TIMEOUT_MS = 60_000
LIBPQ_SHORTEST_CONNECT = 2  # libpq reads 1 s as 2 s
OPTIONAL = ("connect", "statement")  # the pool and SQLite's lock wait always have a bound:
NO_LIMIT = 24 * 3600.0  # "0" for them means a day


@dataclass(frozen=True)
class DbLimits:
    """Seconds; None: wait as long as it takes."""

    connect: float | None = 10.0
    statement: float | None = None
    pool: float = 10.0
    busy: float = 30.0

    @classmethod
    def from_env(
        cls, get: Callable[[str], str | None] | Mapping[str, str] | None = None
    ) -> DbLimits:
        """The limits the environment sets (``os.environ`` unless given); others default.
        A value that is not a number is refused (ValueError, one line)."""
        lookup = get if callable(get) else (get if get is not None else os.environ).get
        values: dict[str, float | None] = {}
        for field, name in ENV.items():
            raw = lookup(name)
            if raw is None or not raw.strip():
                continue
            try:
                seconds = float(raw)
            except ValueError:
                raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
            if not math.isfinite(seconds) or seconds < 0:
                raise ValueError(f"{name} must be 0 (no limit) or a positive number of seconds")
            values[field] = seconds or (None if field in OPTIONAL else NO_LIMIT)
        return cls(**values)  # type: ignore[arg-type]

    def as_env(self) -> dict[str, str]:
        """The same limits as environment settings (``0``: none), for ``App(env=...)``."""
        return {name: str(getattr(self, field) or 0) for field, name in ENV.items()}


def engine_options(url: str, limits: DbLimits, pre_ping: bool = False) -> dict[str, Any]:
    """``create_engine`` keyword arguments applying ``limits`` to ``url``'s database.
    `pre_ping`: a round trip before each use of a pooled connection, so that one broken
    by a database restart is replaced unseen. The events engine goes without (every
    write would pay it; after a restart one request fails and the pool is renewed)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        connect_args: dict[str, Any] = {
            **KEEPALIVES,
            "keepalives_count": KEEPALIVE_COUNT,
            "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
        }
        if limits.connect:
            connect_args["connect_timeout"] = max(LIBPQ_SHORTEST_CONNECT, math.ceil(limits.connect))
        if limits.statement:
            connect_args["options"] = f"-c statement_timeout={math.ceil(limits.statement * 1000)}"
        pool = {"pool_timeout": limits.pool, "pool_pre_ping": pre_ping}
        return {"connect_args": connect_args, **pool}
    if backend == "sqlite":
        options: dict[str, Any] = {"connect_args": {"timeout": limits.busy}}
        database = parsed.database or ""
        if database and ":memory:" not in database and "mode=memory" not in str(parsed):
            options["pool_timeout"] = limits.pool  # in-memory databases use a StaticPool
        return options
    return {}


def make_engine(url: str, limits: DbLimits | None = None, pre_ping: bool = True) -> Engine:
    """An engine on ``url`` with ``limits`` (else those of the environment)."""
    return create_engine(url, **engine_options(url, limits or DbLimits.from_env(), pre_ping))
