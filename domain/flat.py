"""One score, checked flat: the hot verb's plain case, read in one pass (issue 16).

A season is mostly `submit_score`, one action per score. `flat_score` reads such an
action in one pass over precomputed lookups — the verb's row of the policy table, the
declared field names, the scheme's own reader of the figure — and gives the event's
data only when the declared path (`Cycle.perform`: the policy's `admit`, `Act`, the
verb's method) would store exactly that. Anything not plainly acceptable (an unknown
or extra field, `at`, deductions, a text that is not printable, any check that fails)
gives None, and the declared path decides: every refusal, and its message, is the
declared path's own. tests/unit/test_flat_scores.py holds the two equal on generated
and mutated actions of every scheme.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from assess.domain.actions import bounded_score
from assess.domain.errors import DomainError
from assess.domain.policy import VERB_POLICY
from assess.domain.schemes import (
    GROUP_PARTY_ORG,
    LEADERSHIP_TEAM,
    PERFORMANCE_EVALUATION,
    SCHEME_MODULES,
)
from assess.domain.schemes import group_party_org as gpo
from assess.domain.schemes import leadership_team as lt
from assess.domain.schemes import performance_evaluation as pe
from assess.domain.texts import ID, LONGEST, all_printable

RULE = VERB_POLICY["submit_score"]
# The fields of the plain case in each scheme (`unit` optional for a unit's own).
FIELDS = {
    GROUP_PARTY_ORG: frozenset({"do", "by", "unit", "component", "value"}),
    LEADERSHIP_TEAM: frozenset({"do", "by", "unit", "item", "value"}),
    PERFORMANCE_EVALUATION: frozenset({"do", "by", "unit", "item", "method", "value"}),
}
LONGEST_ID = LONGEST[ID]


def flat_score(cycle: Any, action: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(actor, role, event data) of a plain `submit_score` the declared path would store
    with this very data; None for anything else."""
    scheme = cycle.scheme
    fields = FIELDS.get(scheme)
    if fields is None or not fields.issuperset(action) or not all_printable(action):
        return None
    admitted = _admitted(cycle, scheme, action)
    if admitted is None:
        return None
    by, actor = admitted
    role = actor["role"]
    unit = action.get("unit")
    if unit is None:
        unit = actor.get("unit")
    if not _known(unit, cycle.units):
        return None
    try:
        if scheme == GROUP_PARTY_ORG:
            component = action.get("component")
            if component not in gpo.COMPONENTS or action.get("value") is None:
                return None
            return by, role, {"unit": unit, "component": component, "value": _score(action)}
        item = action.get("item")
        if not _known(item, cycle.items) or not _applies(cycle, item, unit):
            return None
        if scheme == LEADERSHIP_TEAM:
            lt.require_body(by, actor.get("body"), item, cycle.items[item]["body"])
            return by, role, {"unit": unit, "item": item, "value": _score(action)}
        method = action.get("method")
        if method not in pe.METHODS:
            return None
        value = pe.fixed_point(action.get("value"), cycle.rules)
        return by, role, {"unit": unit, "item": item, "method": method, "value": value}
    except DomainError:
        return None


def _admitted(cycle: Any, scheme: str, action: dict[str, Any]) -> tuple[str, Any] | None:
    """The acting actor, when the policy table admits it as `admit` would."""
    if scheme not in RULE.schemes or cycle.stage not in RULE.stages_of(scheme, action):
        return None
    by = action.get("by")
    if type(by) is not str:
        return None
    actor = cycle.actors.get(by)
    if actor is None or actor.get("retired") or actor["role"] not in RULE.roles_of(scheme):
        return None
    role = actor["role"]
    if role == "unit" and action.get("unit", actor.get("unit")) != actor.get("unit"):
        return None
    for owners in RULE.owners:
        value = action.get(owners.field)
        expected = owners.role_of.get(value) if type(value) is str else None
        if scheme in owners.schemes and expected is not None and expected != role:
            return None
    for limit in RULE.limits:
        if role == limit.role and action.get(limit.field) not in limit.values:
            return None
    return by, actor


def _known(value: Any, known: dict[str, Any]) -> TypeGuard[str]:
    """An id as `Act.text` reads one (a non-empty text without spaces, at most 64
    characters), and one the cycle has."""
    return (
        type(value) is str
        and value in known
        and bool(value.strip())
        and " " not in value
        and len(value) <= LONGEST_ID
    )


def _applies(cycle: Any, item: str, unit: str) -> bool:
    return bool(SCHEME_MODULES[cycle.scheme].item_applies(cycle.items[item], unit, cycle))


def _score(action: dict[str, Any]) -> Any:
    return bounded_score(action["value"], "value")
