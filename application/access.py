"""Who may read what of a cycle (SPEC §4): one set of reading rights for every entry point.

A request on cycle C uses the actor id the account holds in C; its role there
decides. Reading:

* ``org_dept``, ``leading_group``, ``auditor`` read everything (SPEC §4). So do
  ``assessor`` actors: they belong to the assessing side and propose adjustments
  from the results in review (performance-evaluation), so they need every unit's results.
* ``unit`` actors read only their own unit's results before publication, every
  unit's once results are published (``published``, ``closed``); the audit trail
  and appeals of their own unit only.
* ``rater`` actors (ballot casters, the social evaluation agency) read no results
  before publication and every unit's after; the audit trail of their own acts
  only; no appeals.
* An ``admin`` account holding no actor in C reads everything of C but cannot act.
* Any other account gets 403 ``permission_denied`` for C.

Acting: only with an actor in C; the domain then checks that actor's role.

The viewer is built from plain facts (the account's name, whether it is an admin, the
actor it holds in C), so the API, the command line and a web console share it without
the application knowing how accounts are stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from assess.application.service import AssessApp, summary_of
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError

FULL_READERS = ("org_dept", "leading_group", "auditor", "assessor")
PUBLISHED = ("published", "closed")


@dataclass(frozen=True)
class CycleState:
    """What access decisions and the cycle page need, copied at one moment."""

    summary: dict[str, Any]  # application.service.summary_of
    stage: str
    actors: dict[str, dict[str, Any]]
    versions: list[dict[str, Any]]
    appeals: dict[str, dict[str, str]]
    units: int
    items: int
    vetoes: int


def cycle_state(app: AssessApp, cycle_id: str) -> CycleState:
    """The cycle's state without a deep copy (the cycle may hold 100,000s of scores)."""
    return app.inspect(cycle_id, _state_of)


def _state_of(cycle: Cycle) -> CycleState:
    return CycleState(
        summary=summary_of(cycle),
        stage=cycle.stage,
        actors={actor: dict(entry) for actor, entry in cycle.actors.items()},
        versions=[dict(entry) for entry in cycle.versions],
        appeals={key: dict(value) for key, value in cycle.appeals.items()},
        units=len(cycle.units),
        items=len(cycle.items),
        vetoes=len(cycle.vetoes),
    )


class ActorDirectory:
    """The actors of each cycle, read from the cycle on every request: `add_actor` and
    `retire_actor` change them, and a cached map would keep a retired actor acting. The
    read is cheap: the cached cycle, a shallow copy of one dict (its entries are replaced,
    never changed in place)."""

    def __init__(self, app: AssessApp) -> None:
        self.app = app

    def of(self, cycle_id: str) -> dict[str, dict[str, Any]]:
        return cycle_actors(self.app, cycle_id)


def cycle_actors(app: AssessApp, cycle_id: str) -> dict[str, dict[str, Any]]:
    """The cycle's actors as they stand; `not_found` for an unknown cycle."""
    return app.inspect(cycle_id, _actors_of)


def _actors_of(cycle: Cycle) -> dict[str, dict[str, Any]]:
    return dict(cycle.actors)


class Viewer:
    """An account looking at one cycle, with the actor it holds there (if any). The
    cycle's state is read only when a decision needs it (its stage) or it is shown."""

    def __init__(
        self,
        app: AssessApp,
        cycle: str,
        actors: Mapping[str, Mapping[str, Any]],
        *,
        account: str,
        admin: bool,
        holds: str | None,
    ) -> None:
        """`account` is the account's name, `holds` the actor it holds in `cycle`; a
        retired actor counts as none."""
        self.account = account
        self.cycle = cycle
        entry = actors.get(holds) if holds else None
        if entry is not None and entry.get("retired"):
            if not admin:
                raise DomainError("permission_denied", f"actor {holds} was retired in {cycle}")
            entry = None
        if entry is None and not admin:
            raise DomainError("permission_denied", f"account {account} holds no actor in {cycle}")
        self.actor = holds if entry is not None else None
        self.role = entry["role"] if entry else None
        self.unit = entry.get("unit") if entry else None
        self._app = app

    @cached_property
    def state(self) -> CycleState:
        return cycle_state(self._app, self.cycle)

    @property
    def reads_everything(self) -> bool:
        return self.role is None or self.role in FULL_READERS

    @property
    def published(self) -> bool:
        return self.state.stage in PUBLISHED

    def results_unit(self) -> str | None:
        """The only unit whose results the viewer may read; None for every unit."""
        if self.reads_everything or self.published:
            return None
        if self.role == "unit":
            return self.unit
        raise DomainError("permission_denied", "results are not published yet")

    def audit_scope(self, unit: str | None, actor: str | None) -> tuple[str | None, str | None]:
        """The (unit, actor) filters the viewer's audit query is held to."""
        if self.reads_everything:
            return unit, actor
        if self.role == "unit":
            return self._own("unit", unit, self.unit), actor
        return unit, self._own("actor", actor, self.actor)

    def appeals_unit(self) -> str | None:
        if self.reads_everything:
            return None
        if self.role == "unit":
            return self.unit
        raise DomainError("permission_denied", f"a {self.role} does not read appeals")

    def require_everything(self, what: str) -> None:
        if not self.reads_everything:
            raise DomainError("permission_denied", f"a {self.role} does not read {what}")

    def acting_actor(self) -> str:
        if self.actor is None:
            raise DomainError(
                "permission_denied", f"account {self.account} holds no actor in {self.cycle}"
            )
        return self.actor

    def counts(self) -> dict[str, Any]:
        """The cycle's counts, over what the viewer may read (SPEC §4). Units and items
        are every actor's to see (the structure shows them). Vetoes and actors count every
        unit: before publication a unit or rater reads only its own share, so they are
        withheld (None); once results are published every row shows its veto. Appeals are
        counted among those the viewer reads: a unit's own, none for a rater (None)."""
        state = self.state
        whole = self.reads_everything or self.published
        appeals: dict[str, int] | None = None
        if self.reads_everything or self.role == "unit":
            appeals = {"pending": 0, "upheld": 0, "dismissed": 0}
            for appeal in state.appeals.values():
                if self.reads_everything or appeal.get("unit") == self.unit:
                    appeals[appeal["status"]] += 1
        return {
            "units": state.units,
            "items": state.items,
            "actors": len(state.actors) if self.reads_everything else None,
            "vetoes": state.vetoes if whole else None,
            "appeals": appeals,
        }

    @staticmethod
    def _own(what: str, asked: str | None, own: str | None) -> str | None:
        if asked is not None and asked != own:
            raise DomainError("permission_denied", f"you may read only your own {what}'s events")
        return own


def require_bindable(app: AssessApp, cycle_id: str, actor: str) -> None:
    """An account may be bound only to an actor the cycle has and has not retired."""
    entry = cycle_actors(app, cycle_id).get(actor)
    if entry is None:
        raise DomainError("invalid_value", f"cycle {cycle_id} has no actor {actor!r}")
    if entry.get("retired"):
        raise DomainError("conflict", f"actor {actor} of {cycle_id} was retired")
