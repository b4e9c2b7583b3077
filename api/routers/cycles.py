"""Cycles: list, create from a season header, read one, act on one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, status

from assess.api.access import viewer_of
from assess.api.deps import AdminAccount, AppDep, CurrentAccount, CycleId, ViewerDep
from assess.api.exact_json import ExactJSONRoute
from assess.api.idempotency import IdempotencyKey
from assess.api.models import (
    SCORE,
    SHEET,
    ActionBatchIn,
    ActionsIn,
    AppliedOut,
    CountsOut,
    CycleDetail,
    CycleSummary,
    ErrorOut,
    SeasonHeaderIn,
    VersionOut,
    ViewerOut,
)
from assess.application.access import Viewer, cycle_actors
from assess.application.service import AssessApp
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.requests import Request, request_of

router = APIRouter(prefix="/cycles", tags=["cycles"], route_class=ExactJSONRoute)

REFUSALS: dict[int | str, dict[str, Any]] = {
    status_code: {"model": ErrorOut} for status_code in (401, 403, 404, 409, 422)
}
ACTION_EXAMPLES = {
    "score": {"summary": "One score", "value": SCORE},
    "sheet": {"summary": "A score sheet (leadership-team, performance-evaluation)", "value": SHEET},
    "batch": {
        "summary": "A batch: all or nothing",
        "value": {"actions": [SCORE, {**SCORE, "component": "research_h2", "value": 90}]},
    },
}


@router.get("", response_model=list[CycleSummary], responses=REFUSALS)
def list_cycles(account: CurrentAccount, app: AppDep) -> list[dict[str, Any]]:
    """The cycles your account holds an actor in (an admin: every cycle)."""
    return [entry for entry in app.cycles() if account.admin or account.actor_in(entry["cycle"])]


@router.post(
    "", response_model=CycleDetail, status_code=status.HTTP_201_CREATED, responses=REFUSALS
)
def create_cycle(
    header: SeasonHeaderIn, account: AdminAccount, app: AppDep, key: IdempotencyKey = None
) -> CycleDetail:
    """A new cycle (stage `draft`) from a season header (admin accounts). Bind accounts
    to its actors with `PUT /users/{name}/actors/{cycle}`. An existing cycle is a 409
    `duplicate`, unless this `Idempotency-Key` created it from this header: then the
    answer is 201 with the cycle as it stands."""
    season = header.as_season()
    request = request_of(key, {"account": account.name, "season": season})
    app.import_season(season, actor=account.name, account=account.name, request=request)
    cycle = header.cycle.id
    return detail(viewer_of(app, cycle, cycle_actors(app, cycle), account))


@router.get("/{cycle_id}", response_model=CycleDetail, responses=REFUSALS)
def get_cycle(viewer: ViewerDep) -> CycleDetail:
    """Stage, results versions, counts, and the actor you hold in the cycle."""
    return detail(viewer)


@router.post("/{cycle_id}/actions", response_model=AppliedOut, responses=REFUSALS)
def act(
    cycle_id: CycleId,
    body: Annotated[ActionsIn, Body(openapi_examples=ACTION_EXAMPLES)],
    viewer: ViewerDep,
    app: AppDep,
    key: IdempotencyKey = None,
) -> AppliedOut:
    """One action, or a batch applied atomically (all stored or none), by the actor your
    account holds in the cycle. SPEC §3 decides what that actor may do; a refusal names
    the action (`action_index`) and stores nothing. Sent again with the same
    `Idempotency-Key` and body, it is answered as the first time and stores nothing."""
    # what was asked, as received (before `by` is filled in), by whom
    asked = {"account": viewer.account, "body": body.model_dump(exclude_unset=True)}
    request = request_of(key, asked)
    actions = body.actions if isinstance(body, ActionBatchIn) else [body]
    actor = viewer.acting_actor()
    for index, action in enumerate(actions):
        if action.by is not None and action.by != actor:
            raise _not_yours(index, action.do, action.by, actor)
        if action.at is not None and viewer.role != "org_dept":
            raise _undated(index, action.do, viewer.role)
    filled = [action.as_action(actor) for action in actions]
    return perform(app, cycle_id, filled, viewer.account, request)


def perform(
    app: AssessApp,
    cycle_id: str,
    actions: list[dict[str, Any]],
    account: str,
    request: Request | None = None,
) -> AppliedOut:
    """The actions stored; their events record `account`, the signed-in account's name,
    and `request`, the idempotency key (a repeat gets the first answer)."""
    return AppliedOut(**app.act(cycle_id, actions, account=account, request=request).answer())


def _not_yours(index: int, verb: str, by: str, actor: str) -> DomainError:
    error = DomainError("invalid_value", f"by is {by!r}, but your actor here is {actor!r}")
    return ActionRefused(index, verb, error)


def _undated(index: int, verb: str, role: str | None) -> DomainError:
    """Over HTTP only org_dept enters dated paper records (SPEC §3); the server dates the rest."""
    error = DomainError("invalid_value", f"at may be given only by org_dept, not by a {role}")
    return ActionRefused(index, verb, error)


def detail(viewer: Viewer) -> CycleDetail:
    state = viewer.state
    return CycleDetail(
        **state.summary,
        versions=[VersionOut(**entry) for entry in state.versions],
        counts=CountsOut(**viewer.counts()),
        viewer=ViewerOut(
            account=viewer.account, actor=viewer.actor, role=viewer.role, unit=viewer.unit
        ),
    )
