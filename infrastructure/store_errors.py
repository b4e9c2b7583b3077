"""Which exceptions mean "the store is unavailable or failing", and how to say so in a line.

The store's failures arrive in many wrappers: eventsourcing's own classes (made from
SQLAlchemy's), SQLAlchemy's (wrapping psycopg2's or sqlite3's), a pool timeout, the
driver's. They all mean the same to a user — the database cannot be reached or cannot
do its work now (refused or stalled connection, missing database, failed sign-in, a
timeout, a read-only or full SQLite file) — not that their input was wrong.
"""

from __future__ import annotations

import errno
import re
import sqlite3

import eventsourcing.persistence as es
import sqlalchemy.exc as sa

__all__ = ["STORE_FAILURES", "describe", "is_store_failure"]

STORE_FAILURES: tuple[type[BaseException], ...] = (
    es.OperationalError,
    es.InterfaceError,
    sa.OperationalError,
    sa.InterfaceError,
    sa.TimeoutError,  # no pooled connection came free in time
    sa.DisconnectionError,
    sqlite3.OperationalError,
)
# psycopg2 is a dependency on every install, but the check must not need it.
try:
    import psycopg2

    STORE_FAILURES += (psycopg2.OperationalError, psycopg2.InterfaceError)
except ImportError:  # pragma: no cover
    pass
DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
LONGEST = 300
SECRETS = (
    (re.compile(r"(://[^:/@\s]*):[^@/\s]*@"), r"\1:***@"),  # a URL's password
    (re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE), r"\1***"),  # a libpq keyword
)


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not each for each in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_store_failure(error: BaseException) -> bool:
    """True when ``error``, or what caused it, is one of the store's failures."""
    for each in _chain(error):
        if isinstance(each, STORE_FAILURES):
            return True
        if isinstance(each, OSError) and each.errno in DISK_ERRNOS:
            return True
        if type(each) is sqlite3.DatabaseError:  # "file is not a database" (not its subclasses)
            return True
    return False


def describe(error: BaseException) -> str:
    """The cause in one line, passwords hidden: the driver's own words when there are
    some (``connection to server at "127.0.0.1", port 1 failed: Connection refused``)."""
    innermost = error
    for each in _chain(error):
        innermost = getattr(each, "orig", None) or each
    text = ""
    for candidate in (innermost, error):
        lines = [line.strip() for line in str(candidate).splitlines() if line.strip()]
        if lines:
            text = lines[0]
            break
    text = re.sub(r"^\([\w.]+\)\s*", "", text) or type(innermost).__name__
    for pattern, replacement in SECRETS:
        text = pattern.sub(replacement, text)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"
