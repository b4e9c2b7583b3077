"""The audit trail of a cycle: every event in order, filtered and paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.models import LARGEST_NUMBER, PLAIN_TEXT, AuditPage
from assess.api.routers.cycles import REFUSALS
from assess.domain.texts import ID, LONGEST

router = APIRouter(prefix="/cycles", tags=["audit"])


def _iso(value: object) -> object:
    """ISO 8601 text only (pydantic would also take a number as a Unix time)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    raise ValueError("an ISO 8601 date-time is expected")


Moment = Annotated[datetime | None, BeforeValidator(_iso)]


def _id_filter(description: str) -> Any:
    return Query(max_length=LONGEST[ID], pattern=PLAIN_TEXT, description=description)


@router.get("/{cycle_id}/audit", response_model=AuditPage, responses=REFUSALS)
def audit(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    unit: Annotated[str | None, _id_filter("Events that concern this unit.")] = None,
    verb: Annotated[str | None, _id_filter("Events of this verb.")] = None,
    actor: Annotated[str | None, _id_filter("Events by this actor.")] = None,
    since: Annotated[Moment, Query(description="Recorded at or after (UTC if no zone).")] = None,
    until: Annotated[Moment, Query(description="Recorded before (UTC if no zone).")] = None,
    offset: Annotated[int, Query(ge=0, le=LARGEST_NUMBER)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> AuditPage:
    """Position, recording time, `at`, actor, role, verb, summary, reason and chain hash
    of each event. A unit account sees the events of its own unit only, a rater its own
    acts only. Times without a zone are taken as UTC."""
    unit, actor = viewer.audit_scope(unit, actor)
    rows, total = app.audit(cycle_id, unit, verb, actor, since, until, offset=offset, limit=limit)
    return AuditPage(cycle=viewer.cycle, total=total, offset=offset, limit=limit, rows=rows)
