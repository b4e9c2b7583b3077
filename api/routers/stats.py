"""Statistics of a results version (SPEC §10), for the roles that read everything."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.models import LARGEST_NUMBER, StatsOut
from assess.api.routers.cycles import REFUSALS
from assess.application.stats import stats

router = APIRouter(prefix="/cycles", tags=["results"])


@router.get(
    "/{cycle_id}/stats",
    response_model=StatsOut,
    response_model_exclude_unset=True,
    responses=REFUSALS,
)
def get_stats(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    version: Annotated[
        int | None,
        Query(ge=1, le=LARGEST_NUMBER, description="A past version; latest if absent."),
    ] = None,
) -> dict[str, Any]:
    """Spread of finals and grades per category (scheme B against its quotas), each
    submitter's lean, and scheme C's self-evaluation gaps. They reveal every unit's
    grade: only for the roles that read everything."""
    viewer.require_everything("statistics")
    return stats(app, cycle_id, version)
