"""`GET /healthz`: the process answers and both stores are reachable, within
`ASSESS_HEALTH_TIMEOUT` (the ping: api/health_probe.py)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assess.api.deps import ServicesDep
from assess.api.errors import error_body, log
from assess.api.models import ErrorOut, HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": ErrorOut}})
async def healthz(services: ServicesDep) -> HealthOut | JSONResponse:
    """200 when the database answers (accounts and events) within the health timeout
    (2 s by default); 503 otherwise."""
    try:
        await services.health.check(services.settings.health_timeout)
    except Exception as error:  # a timeout or any failure to reach the database
        log.error("health check failed: %s", type(error).__name__)
        return JSONResponse(
            error_body("unavailable", "the database is unavailable"), status_code=503
        )
    return HealthOut()
