"""Statistics of a results version (SPEC §10), for the roles that read everything."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.models import StatsOut
from assess.api.routers.cycles import REFUSALS
from assess.api.routers.results import VersionQuery
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
    version: VersionQuery = None,
) -> dict[str, Any]:
    """Spread of finals and grades per category (scheme B against its quotas), each
    submitter's lean, and scheme C's self-evaluation gaps. They reveal every unit's
    grade: only for the roles that read everything."""
    viewer.require_everything("statistics")
    return stats(app, cycle_id, version)
