"""The health check's ping of the database.

A stalled database (one that accepts connections but never answers) must give a 503
within `ASSESS_HEALTH_TIMEOUT`, not a request that hangs: the ping runs in a thread of
its own that the answer does not wait for beyond the deadline. At most one ping is under
way at a time (concurrent checks share it), so that checks repeated against a stalled
database do not pile up threads, nor take the thread pool the other requests use.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from contextlib import suppress


class Probe:
    """One ping at a time, in a daemon thread (a stalled one must not keep the process
    from exiting); callers wait for it up to their own deadline."""

    def __init__(self, ping: Callable[[], object]) -> None:
        self._ping = ping  # reaches the database, or raises
        self._pending: asyncio.Future[None] | None = None

    async def check(self, timeout: float) -> None:
        """Returns if the ping succeeds in time; raises its error or TimeoutError."""
        if self._pending is None or self._pending.done():
            self._pending = self._start()
        await asyncio.wait_for(asyncio.shield(self._pending), timeout)

    def _start(self) -> asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()

        def settle(error: Exception | None) -> None:
            if future.done():
                return
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)
            future.exception()  # retrieved: nobody may be waiting any more

        def run() -> None:
            error: Exception | None = None
            try:
                self._ping()
            except Exception as failure:  # any failure to reach the database
                error = failure
            with suppress(RuntimeError):  # the event loop closed while the ping hung
                loop.call_soon_threadsafe(settle, error)

        threading.Thread(target=run, name="assess-healthz", daemon=True).start()
        return future
