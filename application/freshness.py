"""Read staleness: how long a cached cycle is read without asking the store for more.

Readers may take the cached cycle as it is for READ_STALENESS_MS after it was last
brought up to date (each brings it up to date with a query otherwise): they then miss
at most that much of what *other processes* wrote. This process's own writes are in
the cached cycle at once, and writers always catch up first."""

from __future__ import annotations

import time
from uuid import UUID


class ReadStaleness:
    """When each cached cycle was last brought up to date, and how long that holds."""

    def __init__(self, milliseconds: int) -> None:
        self.seconds = milliseconds / 1000
        self._fresh_until: dict[UUID, float] = {}

    @staticmethod
    def now() -> float:
        return time.monotonic()

    def caught_up(self, aggregate_id: UUID, since: float) -> None:
        """The cycle was brought up to date by a read started at `since`."""
        if self.seconds:
            self._fresh_until[aggregate_id] = since + self.seconds

    def is_fresh(self, aggregate_id: UUID) -> bool:
        return time.monotonic() < self._fresh_until.get(aggregate_id, 0.0)

    def forget(self, aggregate_id: UUID) -> None:
        self._fresh_until.pop(aggregate_id, None)
