"""Who may use each verb, in which schemes and in which stages: SPEC §3's table, as data.

`VERB_POLICY` is the table. Its special cases are rows' data too: the roles of a
scheme that differ (`roles_in`), the values of a field that belong to one role
(`owners`), a role limited to some values of a field (`limits`), and the values of a
field that open other stages (`stage_exceptions`). `admit` applies the table in
SPEC §3's order: the verb and scheme, the actor and its role, then the stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from assess.domain.errors import DomainError
from assess.domain.schemes import (
    GROUP_PARTY_ORG,
    LEADERSHIP_TEAM,
    PERFORMANCE_EVALUATION,
    SCHEME_IDS,
)
from assess.domain.schemes.performance_evaluation import METHOD_ROLES
from assess.domain.suggest import unknown_verb

STAGES = ("draft", "in_progress", "assessment", "review", "approved", "published", "closed")
ROLES = ("org_dept", "leading_group", "assessor", "rater", "unit", "auditor")


@dataclass(frozen=True)
class Owners:
    """In `schemes`, each value of `field` listed here may be given only by its role."""

    field: str
    role_of: Mapping[str, str]
    schemes: tuple[str, ...]


@dataclass(frozen=True)
class Limit:
    """`role` may use the verb only with `field` set to one of `values`."""

    role: str
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class StageException:
    """In `schemes`, when `field` matches `pattern` (shell-style), other stages apply."""

    field: str
    pattern: str
    stages: tuple[str, ...]
    schemes: tuple[str, ...] = SCHEME_IDS


@dataclass(frozen=True)
class VerbRule:
    """One row of SPEC §3's table."""

    schemes: tuple[str, ...]
    roles: tuple[str, ...]
    stages: tuple[str, ...]
    roles_in: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    owners: tuple[Owners, ...] = ()
    limits: tuple[Limit, ...] = ()
    stage_exceptions: tuple[StageException, ...] = ()

    def roles_of(self, scheme: str) -> tuple[str, ...]:
        return self.roles_in.get(scheme, self.roles)

    def stages_of(self, scheme: str, action: dict[str, Any]) -> tuple[str, ...]:
        for exception in self.stage_exceptions:
            value = str(action.get(exception.field, ""))
            if scheme in exception.schemes and fnmatchcase(value, exception.pattern):
                return exception.stages
        return self.stages


EVERY = SCHEME_IDS
ITEMS = (LEADERSHIP_TEAM, PERFORMANCE_EVALUATION)
SCORING = ("assessment",)
REVIEW = ("review",)
UNTIL_REVIEW = ("in_progress", "assessment", "review")
MID_YEAR = ("in_progress", "assessment")
UNTIL_SCORING = ("draft", "in_progress", "assessment")
UNTIL_PUBLISHED = STAGES[: STAGES.index("published") + 1]
# Only assessors score, except in performance-evaluation: there each method has one
# role (SPEC §3), a unit scores `self`, an assessor `org`, a rater `social`.
SCORERS_IN = {PERFORMANCE_EVALUATION: ("assessor", "unit", "rater")}
METHOD_OWNERS = (Owners("method", METHOD_ROLES, (PERFORMANCE_EVALUATION,)),)
# group-party-org's half-yearly research scores come in while the cycle is in progress.
RESEARCH = StageException("component", "research_*", MID_YEAR, (GROUP_PARTY_ORG,))
# Instant items may be added until scoring closes.
INSTANT = StageException("kind", "instant", UNTIL_SCORING)
# A unit submits only its democratic self-evaluation ballots.
SELF_BALLOTS = Limit("unit", "component", ("democratic_self",))

VERB_POLICY: dict[str, VerbRule] = {
    "add_unit": VerbRule(EVERY, ("org_dept",), ("draft",)),
    "add_actor": VerbRule(EVERY, ("org_dept",), UNTIL_PUBLISHED),
    "retire_actor": VerbRule(EVERY, ("org_dept",), UNTIL_PUBLISHED),
    "define_item": VerbRule(ITEMS, ("org_dept",), ("draft",), stage_exceptions=(INSTANT,)),
    "publish_items": VerbRule(EVERY, ("org_dept",), ("draft",)),
    "declare_item": VerbRule((PERFORMANCE_EVALUATION,), ("unit",), ("in_progress",)),
    "record_supervision": VerbRule(EVERY, ("assessor",), MID_YEAR),
    "declare_innovation": VerbRule((LEADERSHIP_TEAM,), ("unit",), ("in_progress",)),
    "claim_commendation": VerbRule((GROUP_PARTY_ORG,), ("unit",), MID_YEAR),
    "confirm_commendation": VerbRule((GROUP_PARTY_ORG,), ("assessor",), MID_YEAR),
    "record_criticism": VerbRule((GROUP_PARTY_ORG,), ("assessor",), MID_YEAR),
    "open_assessment": VerbRule(EVERY, ("org_dept",), ("in_progress",)),
    "submit_score": VerbRule(
        EVERY,
        ("assessor",),
        SCORING,
        roles_in=SCORERS_IN,
        owners=METHOD_OWNERS,
        stage_exceptions=(RESEARCH,),
    ),
    "submit_sheet": VerbRule(
        ITEMS, ("assessor",), SCORING, roles_in=SCORERS_IN, owners=METHOD_OWNERS
    ),
    "submit_ballots": VerbRule(
        (LEADERSHIP_TEAM,), ("rater", "unit"), SCORING, limits=(SELF_BALLOTS,)
    ),
    "record_award": VerbRule((LEADERSHIP_TEAM,), ("assessor",), SCORING),
    "recognize_innovation": VerbRule((LEADERSHIP_TEAM,), ("assessor",), SCORING),
    "apply_cap": VerbRule((GROUP_PARTY_ORG,), ("assessor", "org_dept"), ("assessment", "review")),
    "apply_veto": VerbRule(EVERY, ("leading_group",), UNTIL_REVIEW),
    "revoke_veto": VerbRule(EVERY, ("leading_group",), UNTIL_REVIEW),
    "close_scoring": VerbRule(EVERY, ("org_dept",), SCORING),
    "correct_score": VerbRule(EVERY, ("org_dept",), REVIEW),
    "propose_adjustment": VerbRule((PERFORMANCE_EVALUATION,), ("assessor", "org_dept"), REVIEW),
    "approve_adjustment": VerbRule((PERFORMANCE_EVALUATION,), ("leading_group",), REVIEW),
    "reject_adjustment": VerbRule((PERFORMANCE_EVALUATION,), ("leading_group",), REVIEW),
    "approve_results": VerbRule(EVERY, ("leading_group",), REVIEW),
    "publish_results": VerbRule(EVERY, ("org_dept",), ("approved",)),
    "file_appeal": VerbRule(EVERY, ("unit",), ("published",)),
    "resolve_appeal": VerbRule(EVERY, ("org_dept",), ("published",)),
    "close_cycle": VerbRule(EVERY, ("org_dept",), ("published",)),
}


@dataclass(frozen=True)
class Admitted:
    """An action that passed the table: its verb, and who acts in which role."""

    verb: str
    actor: str
    role: str
    unit: str | None


def admit(
    action: dict[str, Any], scheme: str, stage: str, actors: dict[str, dict[str, Any]]
) -> Admitted:
    """SPEC §3's checks before the fields: verb and scheme, actor and role, stage."""
    verb = action.get("do")
    rule = VERB_POLICY.get(verb) if isinstance(verb, str) else None
    if not isinstance(verb, str) or rule is None:
        ours = [name for name, known in VERB_POLICY.items() if scheme in known.schemes]
        raise DomainError("invalid_value", unknown_verb(verb, ours))
    if scheme not in rule.schemes:
        raise DomainError("invalid_value", f"{verb!r} is not a verb of {scheme}")
    admitted = _authorise(verb, rule, scheme, action, actors)
    stages = rule.stages_of(scheme, action)
    if stage not in stages:
        raise DomainError(
            "wrong_stage", f"{verb} is allowed in {'/'.join(stages)}, the cycle is {stage}"
        )
    return admitted


def _authorise(
    verb: str,
    rule: VerbRule,
    scheme: str,
    action: dict[str, Any],
    actors: dict[str, dict[str, Any]],
) -> Admitted:
    """Who acts, and whether that role may use this verb for this unit and these values."""
    by = action.get("by")
    actor = actors.get(by) if isinstance(by, str) else None
    if actor is None or not isinstance(by, str):
        raise DomainError("permission_denied", f"unknown actor {by!r}")
    if actor.get("retired"):
        raise DomainError("permission_denied", f"actor {by} was retired")
    role = actor["role"]
    if role not in rule.roles_of(scheme):
        raise DomainError("permission_denied", f"{by} ({role}) may not {verb}")
    own_unit = actor.get("unit")
    if role == "unit" and action.get("unit", own_unit) != own_unit:
        raise DomainError(
            "permission_denied", f"{by} acts for unit {own_unit}, not {action.get('unit')}"
        )
    for owners in rule.owners:
        value = action.get(owners.field)
        expected = owners.role_of.get(value) if isinstance(value, str) else None
        if scheme in owners.schemes and expected is not None and expected != role:
            message = f"{owners.field} {value} is scored by a {expected}"
            raise DomainError("permission_denied", message)
    for limit in rule.limits:
        if role == limit.role and action.get(limit.field) not in limit.values:
            raise DomainError(
                "permission_denied",
                f"a {role} gives {verb} only for {limit.field} {'/'.join(limit.values)}",
            )
    return Admitted(verb, by, role, own_unit)
