"""What a cycle asks for (SPEC §6.1): its structure, and the signed-in actor's to-do list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.models import StructureOut, TodoOut
from assess.api.routers.cycles import REFUSALS
from assess.application.structure import structure, todo

router = APIRouter(prefix="/cycles", tags=["cycles"])


@router.get("/{cycle_id}/structure", response_model=StructureOut, responses=REFUSALS)
def get_structure(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> dict[str, Any]:
    """Units, items and the header, for every actor of the cycle; the actors too for
    the roles that read everything."""
    return structure(app, cycle_id, with_actors=viewer.reads_everything)


@router.get(
    "/{cycle_id}/todo",
    response_model=TodoOut,
    response_model_exclude_none=True,
    responses=REFUSALS,
)
def get_todo(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> dict[str, Any]:
    """The inputs close_scoring would still miss that your actor may submit now."""
    return todo(app, cycle_id, viewer.acting_actor())
