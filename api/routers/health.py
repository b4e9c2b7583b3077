"""`GET /healthz`: the process answers and both stores are reachable."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assess.api.deps import ServicesDep
from assess.api.errors import error_body, log
from assess.api.models import ErrorOut, HealthOut

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": ErrorOut}})
def healthz(services: ServicesDep) -> HealthOut | JSONResponse:
    """200 when the database answers (accounts and events); 503 otherwise."""
    try:
        services.accounts.ping()
        services.app.recorder.max_notification_id()
    except Exception as error:  # any failure to reach the database is "unavailable"
        log.error("health check failed: %s", type(error).__name__)
        return JSONResponse(
            error_body("unavailable", "the database is unavailable"), status_code=503
        )
    return HealthOut()
