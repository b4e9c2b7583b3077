"""Failed sign-ins per account name, kept in the events database so that every worker
process serving it counts the same failures (SPEC §4.1: after `limit` failures within
`window`, the name is refused for the rest of the window).

Table, created if missing: ``sign_in_failures(name, failed_at)``. Names that are not
accounts are counted too, so that a refusal never tells which names exist. Rows older
than the window are deleted whenever a failure is recorded, so the table stays small.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Index, MetaData, String, Table, delete, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

__all__ = ["SignInThrottle"]

metadata = MetaData()
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("name", String(64), nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Index("sign_in_failures_by_name", "name", "failed_at"),
    Index("sign_in_failures_by_time", "failed_at"),  # pruning
)


def utc_now() -> datetime:
    return datetime.now(UTC)


class SignInThrottle:
    """`retry_after(name)` before checking a password; `failed` or `succeeded` after."""

    def __init__(
        self,
        engine: Engine,
        limit: int,
        window: timedelta,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.limit = limit
        self.window = window
        self.clock = clock  # tests move time forward through it
        # Two workers starting at once may both try to create the table: the loser retries.
        try:
            metadata.create_all(engine)
        except (IntegrityError, ProgrammingError, OperationalError):
            metadata.create_all(engine)

    def retry_after(self, name: str) -> int | None:
        """Whole seconds until `name` may try again, or None if it may now: refused while
        `limit` failures lie within the window, until the oldest of them leaves it."""
        now = self.clock()
        query = (
            select(sign_in_failures.c.failed_at)
            .where(
                sign_in_failures.c.name == name, sign_in_failures.c.failed_at > now - self.window
            )
            .order_by(sign_in_failures.c.failed_at.desc())
            .offset(self.limit - 1)
            .limit(1)
        )
        with self.engine.connect() as connection:
            oldest = connection.execute(query).scalar()
        if oldest is None:
            return None
        if oldest.tzinfo is None:  # SQLite keeps no time zone: every time stored is UTC
            oldest = oldest.replace(tzinfo=UTC)
        return max(1, math.ceil((oldest + self.window - now).total_seconds()))

    def failed(self, name: str) -> None:
        now = self.clock()
        with self.engine.begin() as connection:
            connection.execute(insert(sign_in_failures).values(name=name, failed_at=now))
            connection.execute(
                delete(sign_in_failures).where(sign_in_failures.c.failed_at <= now - self.window)
            )

    def succeeded(self, name: str) -> None:
        """A right password clears the name's failures."""
        with self.engine.begin() as connection:
            connection.execute(delete(sign_in_failures).where(sign_in_failures.c.name == name))
