"""The organisation tree of a year and a unit's history (SPEC §9), as far as you may read."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from assess.api.access import viewer_of
from assess.api.deps import AppDep, CurrentAccount
from assess.api.models import ID_TEXT, HistoryOut, TreeOut
from assess.api.routers.cycles import REFUSALS
from assess.application.access import Viewer, cycle_actors
from assess.application.organisation import history, readable_cycles, readable_rows, tree
from assess.application.service import AssessApp
from assess.domain.season_header import MAX_YEAR, MIN_YEAR
from assess.domain.texts import ID, LONGEST
from assess.infrastructure.accounts import Account

router = APIRouter(tags=["organisation"])

Year = Annotated[int, Path(ge=MIN_YEAR, le=MAX_YEAR, description="A year (0: cycles without one).")]
UnitId = Annotated[
    str, Path(max_length=LONGEST[ID], pattern=ID_TEXT, examples=["T0001"], description="A unit id.")
]


@router.get("/tree/{year}", response_model=TreeOut, responses=REFUSALS)
def get_tree(year: Year, account: CurrentAccount, app: AppDep) -> dict[str, Any]:
    """The cycles of the year that your account may read (it holds an actor in them; an
    admin: all), ordered by id: units, grade counts of the latest version, and `below`,
    the cycles run by one of its units (一级考核一级)."""
    return tree(app, year, readable_cycles(_viewers(app, account)))


@router.get("/units/{unit}/history", response_model=HistoryOut, responses=REFUSALS)
def get_history(unit: UnitId, account: CurrentAccount, app: AppDep) -> dict[str, Any]:
    """The unit across cycles and years, from each cycle's latest results version: the
    cycles in which your account may read the unit's results (a reader of everything; a
    unit actor its own unit; any actor once results are published)."""
    return history(app, unit, readable_rows(_viewers(app, account)))


def _viewers(app: AssessApp, account: Account) -> Any:
    def viewer(cycle: str) -> Viewer:
        return viewer_of(app, cycle, cycle_actors(app, cycle), account)

    return viewer
