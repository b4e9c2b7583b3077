"""Appeals (申诉) of a cycle: the list, and one appeal's full case file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import AppDep, CycleId, ViewerDep
from api.models import AppealOut, CaseFileOut
from api.routers.cycles import REFUSALS
from application.appeals import appeals_of, case_file
from domain.errors import DomainError

router = APIRouter(prefix="/cycles", tags=["appeals"])


@router.get("/{cycle_id}/appeals", response_model=list[AppealOut], responses=REFUSALS)
def list_appeals(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> list[dict[str, Any]]:
    """Every appeal with its status; a unit account sees its own unit's appeals only."""
    return appeals_of(app, cycle_id, viewer.appeals_unit())


@router.get("/{cycle_id}/appeals/{appeal_id}", response_model=CaseFileOut, responses=REFUSALS)
def get_appeal(
    cycle_id: CycleId,
    appeal_id: Annotated[str, Path(max_length=200)],
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
