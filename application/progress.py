"""How far a cycle's scoring has come: the entries `close_scoring` requires, per scoring
body, how many are present, and the missing ones by unit (issue 13: the home page's
progress bars, the cycle page's "what blocks close_scoring").

Nothing here restates a rule. The required entries are each scheme's `missing_entries`
read against the cycle with no input entered; the missing ones, the same function read
against the cycle as it stands (what `close_scoring` refuses on); vetoed units are left
out, as `close_scoring` leaves them out. Who enters an entry is the verb policy's answer
(`domain/policy.admit`) for the action that would give it; in leadership-team an item is
scored by its body's assessors, so its body names the group.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assess.application.service import AssessApp
from assess.application.structure import submission_of
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.policy import ROLES, VERB_POLICY, admit
from assess.domain.schemes import LEADERSHIP_TEAM, SCHEME_MODULES

# An entry's kind (its fields but the unit) -> the roles that enter it, and its body.
Kinds = dict[tuple[tuple[str, str], ...], tuple[tuple[str, ...], str | None]]
NO_ITEM = "items"  # the group of units no item applies to: org_dept's items decide it


class _NothingEntered:
    """The cycle as if no score, ballot or award had been entered: what it requires."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle
        self.scores: Mapping[str, Any] = {}
        self.ballots: Mapping[str, Any] = {}
        self.awards: Mapping[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cycle, name)


def progress(app: AssessApp, cycle_id: str, *, with_missing: bool = False) -> dict[str, Any]:
    """`{"cycle", "stage", "present", "required", "groups": [...]}`; each group
    `{"group", "roles", "body", "present", "required"}` and, `with_missing`, `"missing"`:
    `[{"unit", "entries": [...]}]` ordered by unit. Groups are ordered by their key."""
    return app.inspect(cycle_id, lambda cycle: progress_of(cycle, with_missing))


def progress_of(cycle: Cycle, with_missing: bool = False) -> dict[str, Any]:
    scheme = SCHEME_MODULES[cycle.scheme]
    empty = _NothingEntered(cycle)
    groups: dict[str, dict[str, Any]] = {}
    kinds: Kinds = {}
    for unit in sorted(cycle.units):
        if unit in cycle.vetoes:
            continue
        for entry in scheme.missing_entries(unit, empty):
            _group(groups, cycle, entry, kinds)["required"] += 1
        for entry in scheme.missing_entries(unit, cycle):
            group = _group(groups, cycle, entry, kinds)
            group["lacking"] += 1
            if with_missing:
                group["missing"].setdefault(unit, []).append(dict(entry))
    shown = []
    for key in sorted(groups):
        group = groups[key]
        lacking = group.pop("lacking")
        group["present"] = group["required"] - lacking
        missing = group.pop("missing")
        if with_missing:
            group["missing"] = [{"unit": unit, "entries": missing[unit]} for unit in missing]
        shown.append(group)
    return {
        "cycle": cycle.cycle_id,
        "stage": cycle.stage,
        "present": sum(group["present"] for group in shown),
        "required": sum(group["required"] for group in shown),
        "groups": shown,
    }


def _group(
    groups: dict[str, dict[str, Any]], cycle: Cycle, entry: dict[str, str], kinds: Kinds
) -> dict:
    # Who enters an entry depends on its kind, not on its unit: asked once per kind (a
    # 2,000-unit cycle has tens of thousands of entries and a handful of kinds).
    kind = tuple(sorted((key, value) for key, value in entry.items() if key != "unit"))
    if kind not in kinds:
        kinds[kind] = _enterers(cycle, entry)
    roles, body = kinds[kind]
    key = f"body:{body}" if body else NO_ITEM if not roles else "roles:" + ",".join(roles)
    if key not in groups:
        groups[key] = {
            "group": key,
            "roles": list(roles),
            "body": body,
            "required": 0,
            "lacking": 0,
            "missing": {},
        }
    return groups[key]


def _enterers(cycle: Cycle, entry: dict[str, str]) -> tuple[tuple[str, ...], str | None]:
    """The roles whose actor may give the entry (policy), and the body for an item of
    leadership-team; no role for a unit without an applicable item."""
    if cycle.scheme == LEADERSHIP_TEAM and "item" in entry:
        return ("assessor",), cycle.items[entry["item"]]["body"]
    action = submission_of(cycle.scheme, entry)
    if action is None:
        return (), None
    rule = VERB_POLICY[action["do"]]
    stage = rule.stages_of(cycle.scheme, action)[0]  # any stage it has: the role decides
    roles = []
    for role in ROLES:
        someone = {"someone": {"role": role, "unit": entry["unit"]}}
        try:
            admit({**action, "by": "someone"}, cycle.scheme, stage, someone)
        except DomainError:
            continue
        roles.append(role)
    return tuple(roles), None
