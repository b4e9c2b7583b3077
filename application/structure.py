"""What a cycle asks for (SPEC §6.1): its structure, and one actor's to-do list.

Both read the cycle in place (`AssessApp.inspect`) and return copies. The to-do list
takes what `close_scoring` would find missing (each scheme's `missing_entries`) and
keeps the entries the actor's submission would pass the verb policy for
(`domain/policy.py`, and leadership-team's body rule), so neither rule is restated here.
"""

from __future__ import annotations

from typing import Any

from assess.application.service import AssessApp
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.policy import admit
from assess.domain.schemes import LEADERSHIP_TEAM, SCHEME_MODULES, leadership_team
from assess.domain.schemes.performance_evaluation import ELECTIVE

BALLOTS = {component for kinds in leadership_team.BALLOT_COMPONENTS.values() for component in kinds}


def structure(app: AssessApp, cycle_id: str, *, with_actors: bool) -> dict[str, Any]:
    """Header, units, items and (for readers of everything) actors, each ordered by id;
    absent values are None. Without `with_actors`, `actors` is None."""
    return app.inspect(cycle_id, lambda cycle: _structure_of(cycle, with_actors))


def _structure_of(cycle: Cycle, with_actors: bool) -> dict[str, Any]:
    return {
        "cycle": cycle.cycle_id,
        "scheme": cycle.scheme,
        "year": cycle.year or None,  # 0 stands for "not given" (season header)
        "title": cycle.title or None,
        "run_by": getattr(cycle, "run_by", None),  # SPEC §9, once the header carries it
        "stage": cycle.stage,
        "units": [
            {
                "unit": unit,
                "name": entry["name"],
                "category": entry["category"],
                "parent": entry.get("parent"),
            }
            for unit, entry in sorted(cycle.units.items())
        ],
        "items": [_item(item, entry) for item, entry in sorted(cycle.items.items())],
        "actors": [_actor(actor, entry) for actor, entry in sorted(cycle.actors.items())]
        if with_actors
        else None,
    }


def _item(item: str, entry: dict[str, Any]) -> dict[str, Any]:
    applies_to = entry.get("applies_to")
    kind = entry.get("kind")
    return {
        "item": item,
        "title": entry.get("title"),
        "kind": kind,
        "weight": entry.get("weight"),
        "body": entry.get("body"),
        "applies_to": list(applies_to) if isinstance(applies_to, list) else applies_to,
        # An elective item applies to the unit that declared it, and to no other.
        "declared_by": applies_to[0] if kind == ELECTIVE and applies_to else None,
    }


def _actor(actor: str, entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "actor": actor,
        "role": entry["role"],
        "unit": entry.get("unit"),
        "body": entry.get("body"),
        "retired": bool(entry.get("retired", False)),
    }


def todo(app: AssessApp, cycle_id: str, actor: str) -> dict[str, Any]:
    """The entries `close_scoring` would list as missing that `actor` may submit now,
    vetoed units left out, ordered by unit, component or item, method."""
    return app.inspect(cycle_id, lambda cycle: _todo_of(cycle, actor))


def _todo_of(cycle: Cycle, actor: str) -> dict[str, Any]:
    entry = cycle.actors.get(actor)
    if entry is None:
        raise DomainError("not_found", f"no actor {actor!r} in {cycle.cycle_id}")
    scheme = SCHEME_MODULES[cycle.scheme]
    missing = []
    if not entry.get("retired", False):
        missing = [
            dict(lacking)
            for unit in cycle.units
            if unit not in cycle.vetoes
            for lacking in scheme.missing_entries(unit, cycle)
            if may_submit(cycle, actor, entry, lacking)
        ]
    missing.sort(
        key=lambda e: (e["unit"], e.get("component", e.get("item", "")), e.get("method", ""))
    )
    return {"cycle": cycle.cycle_id, "actor": actor, "stage": cycle.stage, "missing": missing}


def may_submit(cycle: Cycle, actor: str, entry: dict[str, Any], lacking: dict[str, str]) -> bool:
    """Whether the action that gives `lacking` would pass the policy for `actor` now."""
    action = submission_of(cycle.scheme, lacking)
    if action is None:
        return False
    try:
        admit({**action, "by": actor}, cycle.scheme, cycle.stage, cycle.actors)
        if cycle.scheme == LEADERSHIP_TEAM and "item" in lacking:
            item = lacking["item"]
            leadership_team.require_body(actor, entry.get("body"), item, cycle.items[item]["body"])
    except DomainError:
        return False
    return True


def submission_of(scheme: str, lacking: dict[str, str]) -> dict[str, Any] | None:
    """The action that would give a missing entry; None for a unit with no item (only
    org_dept's items can change that)."""
    component = lacking.get("component")
    if scheme == LEADERSHIP_TEAM and component in BALLOTS:
        return {"do": "submit_ballots", **lacking}
    if scheme == LEADERSHIP_TEAM and component == "annual":
        return {"do": "record_award", "unit": lacking["unit"]}
    if component is None and "item" not in lacking:
        return None
    return {"do": "submit_score", **lacking}
