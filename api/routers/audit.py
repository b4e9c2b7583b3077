"""The audit trail of a cycle: every event in order, filtered and paginated."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.models import LARGEST_NUMBER, PLAIN_TEXT, AuditPage
from assess.api.routers.cycles import REFUSALS
from assess.application.audit import audit_rows
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
    rows = [
        row
        for row in audit_rows(app.events_of(cycle_id), unit)
        if (verb is None or row["verb"] == verb)
        and (actor is None or row["actor"] == actor)
        and _within(row, since, until)
    ]
    return AuditPage(
        cycle=viewer.cycle,
        total=len(rows),
        offset=offset,
        limit=limit,
        rows=rows[offset : offset + limit],
    )


def _within(row: dict[str, Any], since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    recorded = _utc(datetime.fromisoformat(row["recorded"]))
    return (since is None or recorded >= _utc(since)) and (until is None or recorded < _utc(until))


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
