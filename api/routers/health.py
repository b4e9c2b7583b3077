"""`GET /healthz`: the process answers and both stores are reachable.

A stalled database (one that accepts connections but never answers) must give a 503
within `ASSESS_HEALTH_TIMEOUT`, not a request that hangs: the ping runs in a thread of
its own that the answer does not wait for beyond the deadline. At most one ping is under
way at a time (concurrent checks share it), so that checks repeated against a stalled
database do not pile up threads, nor take the thread pool the other requests use.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import suppress

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assess.api.deps import Services, ServicesDep
from assess.api.errors import error_body, log
from assess.api.models import ErrorOut, HealthOut

router = APIRouter(tags=["health"])


class Probe:
    """One ping at a time, in a daemon thread (a stalled one must not keep the process
    from exiting); callers wait for it up to their own deadline."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._pending: asyncio.Future[None] | None = None

    def _ping(self) -> None:
        self.services.accounts.ping()
        self.services.app.recorder.max_notification_id()

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


def _probe(request: Request, services: Services) -> Probe:
    """The probe of these services (made on the event loop: no race), a new one when the
    lifespan has opened new services."""
    probe = getattr(request.app.state, "health_probe", None)
    if probe is None or probe.services is not services:
        probe = request.app.state.health_probe = Probe(services)
    return probe


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": ErrorOut}})
async def healthz(request: Request, services: ServicesDep) -> HealthOut | JSONResponse:
    """200 when the database answers (accounts and events) within the health timeout
    (2 s by default); 503 otherwise."""
    try:
        await _probe(request, services).check(services.settings.health_timeout)
    except Exception as error:  # a timeout or any failure to reach the database
        log.error("health check failed: %s", type(error).__name__)
        return JSONResponse(
            error_body("unavailable", "the database is unavailable"), status_code=503
        )
    return HealthOut()
