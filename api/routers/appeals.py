"""Appeals (申诉) of a cycle: the list, and one appeal's full case file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.exact_json import ExactJSONRoute
from assess.api.idempotency import IGNORED_KEY
from assess.api.models import PLAIN_TEXT, AppealOut, CaseFileOut, PreviewIn, PreviewOut
from assess.api.routers.cycles import REFUSALS
from assess.application.appeals import appeals_of, case_file, preview_resolution
from assess.domain.errors import DomainError
from assess.domain.texts import ID, LONGEST

router = APIRouter(prefix="/cycles", tags=["appeals"], route_class=ExactJSONRoute)
AppealId = Annotated[str, Path(min_length=1, max_length=LONGEST[ID], pattern=PLAIN_TEXT)]


@router.get("/{cycle_id}/appeals", response_model=list[AppealOut], responses=REFUSALS)
def list_appeals(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> list[dict[str, Any]]:
    """Every appeal with its status; a unit account sees its own unit's appeals only."""
    return appeals_of(app, cycle_id, viewer.appeals_unit())


@router.get("/{cycle_id}/appeals/{appeal_id}", response_model=CaseFileOut, responses=REFUSALS)
def get_appeal(
    cycle_id: CycleId,
    appeal_id: AppealId,
    viewer: ViewerDep,
    app: AppDep,
) -> dict[str, Any]:
    """The case file: the appeal, the unit's results at publication, every event that
    touched the unit, the answer and the unit's results after an upheld correction."""
    only_unit = viewer.appeals_unit()
    found = case_file(app, cycle_id, appeal_id)
    if only_unit is not None and found["appeal"]["unit"] != only_unit:
        raise DomainError("not_found", f"no appeal {appeal_id!r} of unit {only_unit}")
    return found


@router.post(
    "/{cycle_id}/appeals/{appeal_id}/preview",
    response_model=PreviewOut,
    responses=REFUSALS,
    dependencies=[IGNORED_KEY],
)
def preview_appeal(
    cycle_id: CycleId,
    appeal_id: AppealId,
    proposal: PreviewIn,
    viewer: ViewerDep,
    app: AppDep,
) -> dict[str, Any]:
    """A dry run of `resolve_appeal` with these corrections: the appellant's new figures and
    every knock-on change for other units (rank, tier across a quota boundary), refused
    exactly as the real answer would be. Nothing is stored (an `Idempotency-Key` is
    accepted and ignored)."""
    viewer.require_everything("appeal previews")
    by = viewer.actor if viewer.role == "org_dept" else None
    return preview_resolution(
        app, cycle_id, appeal_id, proposal.corrections, proposal.outcome, by=by
    )
