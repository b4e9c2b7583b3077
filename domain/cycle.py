"""The assessment cycle: one event-sourced aggregate per cycle (SPEC §3).

`perform(action)` runs the checks of SPEC §3 in their order (verb, permission,
stage, fields) and then the verb's own method, which reads like the regulation:
guards first, then one event. Nothing is recorded unless every check passes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from assess.domain import events as ev
from assess.domain.actions import Act, bounded_score, day_of
from assess.domain.chain import GENESIS, event_content, link
from assess.domain.errors import DomainError
from assess.domain.numbers import parse_decimal
from assess.domain.results import digest, results_array
from assess.domain.rules import SCHEMES as SCHEME_IDS
from assess.domain.rules import effective_rules
from assess.domain.schemes import SCHEMES, group_party_org, leadership_team, performance_evaluation

A, B, C = SCHEME_IDS
STAGES = ("draft", "in_progress", "assessment", "review", "approved", "published", "closed")
ROLES = ("org_dept", "leading_group", "assessor", "rater", "unit", "auditor")
SUPERVISION_METHODS = ("meeting", "site_visit", "ledger_review")
VETO_BASES = ("criticized_by_superior", "serious_dereliction", "other")
OUTCOMES = ("upheld", "dismissed")
CORRECTION_KINDS = ("score", "ballots", "revoke_veto", "remove_cap")
NAMESPACE = uuid.UUID("6f1d7f9e-3c1a-4b8e-9a55-0c2f4a1b7d10")


@dataclass(frozen=True)
class VerbRule:
    """Who may use a verb, in which schemes and stages (SPEC §3's table)."""

    schemes: tuple[str, ...]
    roles: tuple[str, ...]
    stages: tuple[str, ...]


EVERY = SCHEME_IDS
SCORING = ("assessment",)
REVIEW = ("review",)
UNTIL_REVIEW = ("in_progress", "assessment", "review")
MID_YEAR = ("in_progress", "assessment")
RULES: dict[str, VerbRule] = {
    "add_unit": VerbRule(EVERY, ("org_dept",), ("draft",)),
    "define_item": VerbRule((B, C), ("org_dept",), ("draft",)),
    "publish_items": VerbRule(EVERY, ("org_dept",), ("draft",)),
    "declare_item": VerbRule((C,), ("unit",), ("in_progress",)),
    "record_supervision": VerbRule(EVERY, ("assessor",), MID_YEAR),
    "declare_innovation": VerbRule((B,), ("unit",), ("in_progress",)),
    "claim_commendation": VerbRule((A,), ("unit",), MID_YEAR),
    "confirm_commendation": VerbRule((A,), ("assessor",), MID_YEAR),
    "record_criticism": VerbRule((A,), ("assessor",), MID_YEAR),
    "open_assessment": VerbRule(EVERY, ("org_dept",), ("in_progress",)),
    "submit_score": VerbRule(EVERY, ("assessor", "unit", "rater"), SCORING),
    "submit_sheet": VerbRule((B, C), ("assessor", "unit", "rater"), SCORING),
    "submit_ballots": VerbRule((B,), ("rater", "unit"), SCORING),
    "record_award": VerbRule((B,), ("assessor",), SCORING),
    "recognize_innovation": VerbRule((B,), ("assessor",), SCORING),
    "apply_cap": VerbRule((A,), ("assessor", "org_dept"), ("assessment", "review")),
    "apply_veto": VerbRule(EVERY, ("leading_group",), UNTIL_REVIEW),
    "revoke_veto": VerbRule(EVERY, ("leading_group",), UNTIL_REVIEW),
    "close_scoring": VerbRule(EVERY, ("org_dept",), SCORING),
    "correct_score": VerbRule(EVERY, ("org_dept",), REVIEW),
    "propose_adjustment": VerbRule((C,), ("assessor", "org_dept"), REVIEW),
    "approve_adjustment": VerbRule((C,), ("leading_group",), REVIEW),
    "reject_adjustment": VerbRule((C,), ("leading_group",), REVIEW),
    "approve_results": VerbRule(EVERY, ("leading_group",), REVIEW),
    "publish_results": VerbRule(EVERY, ("org_dept",), ("approved",)),
    "file_appeal": VerbRule(EVERY, ("unit",), ("published",)),
    "resolve_appeal": VerbRule(EVERY, ("org_dept",), ("published",)),
    "close_cycle": VerbRule(EVERY, ("org_dept",), ("published",)),
}
VERBS = tuple(RULES)


def replay(cycle: Cycle | None, events: Any) -> Cycle | None:
    """Events applied in order (the library's projector also type-checks each one)."""
    for event in events:
        cycle = event.mutate(cycle)
    return cycle


def cycle_uuid(cycle_id: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, cycle_id)


PLAIN_TYPES = frozenset({str, int, bool, type(None)})


def plain(value: Any) -> Any:
    """Event data holds plain JSON values only: figures become decimal text."""
    if type(value) in PLAIN_TYPES:
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _copy_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _copy_tree(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_tree(item) for item in value]
    return value


class Cycle(Aggregate):
    # ---- creation ---------------------------------------------------------------

    @classmethod
    def create(cls, header: dict[str, Any], actor: str = "system", role: str = "system") -> Cycle:
        """A new cycle from a season header (SPEC §5): cycle, rules, actors, units."""
        data = plain(validate_header(header))
        fields = {"actor": actor, "role": role, "at": None, "data": data}
        timestamp = ev.CycleCreated.create_timestamp()
        chain = link(event_content("CycleCreated", 1, timestamp, fields, GENESIS))
        return cls._create(
            ev.CycleCreated,
            id=cycle_uuid(data["cycle"]["id"]),
            timestamp=timestamp,
            chain=chain,
            **fields,
        )

    def __init__(self, actor: str, role: str, at: str | None, data: dict[str, Any], chain: str):
        header = data["cycle"]
        self.cycle_id: str = header["id"]
        self.scheme: str = header["scheme"]
        self.year: int = header.get("year", 0)
        self.title: str = header.get("title", "")
        self.rules: dict[str, Any] = effective_rules(self.scheme, data.get("rules"))
        self.actors: dict[str, dict[str, str]] = {
            entry["id"]: {key: value for key, value in entry.items() if key != "id"}
            for entry in data["actors"]
        }
        self.units: dict[str, dict[str, str]] = {
            entry["id"]: {"name": entry["name"], "category": entry["category"]}
            for entry in data["units"]
        }
        self.stage = "draft"
        self.items: dict[str, dict[str, Any]] = {}
        self.scores: dict[str, dict[str, Any]] = {}
        self.ballots: dict[str, dict[str, dict[str, list[str]]]] = {}
        self.awards: dict[str, str] = {}
        self.innovations: dict[str, dict[str, Any]] = {}
        self.claims: dict[str, dict[str, Any]] = {}
        self.criticisms: list[dict[str, str]] = []
        self.caps: dict[str, list[str]] = {}
        self.vetoes: dict[str, dict[str, str]] = {}
        self.adjustments: dict[str, dict[str, Any]] = {}
        self.appeals: dict[str, dict[str, str]] = {}
        self.published_at: str | None = None
        self.versions: list[dict[str, Any]] = []
        self.head = chain

    def collect_events(self) -> list[Any]:
        """The pending events, handed over at once (the library pops them one by one,
        which grows quadratically with a season of 180,000 scores)."""
        collected, self._pending_events = self._pending_events, []
        return collected

    # ---- the chain: every event links to the one before -------------------------

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        timestamp = event_class.create_timestamp()
        content = event_content(
            event_class.__name__, self.version + 1, timestamp, kwargs, self.head
        )
        super().trigger_event(event_class, timestamp=timestamp, chain=link(content), **kwargs)

    # ---- dispatch: the checks of SPEC §3, in order --------------------------------

    def perform(self, action: dict[str, Any]) -> None:
        if not isinstance(action, dict):
            raise DomainError("invalid_value", "an action must be an object")
        verb = action.get("do")
        rule = RULES.get(verb) if isinstance(verb, str) else None
        if not isinstance(verb, str) or rule is None or self.scheme not in rule.schemes:
            raise DomainError("invalid_value", f"{verb!r} is not a verb of {self.scheme}")
        by, role, own_unit = self._authorise(verb, rule, action)
        stages = self._stages_for(verb, rule, action)
        if self.stage not in stages:
            raise DomainError(
                "wrong_stage", f"{verb} is allowed in {'/'.join(stages)}, the cycle is {self.stage}"
            )
        getattr(self, verb)(Act(action, actor=by, role=role, unit=own_unit))

    def _authorise(
        self, verb: str, rule: VerbRule, action: dict[str, Any]
    ) -> tuple[str, str, str | None]:
        """Who acts, and whether that role may use this verb for this unit and method."""
        by = action.get("by")
        actor = self.actors.get(by) if isinstance(by, str) else None
        if actor is None or not isinstance(by, str):
            raise DomainError("permission_denied", f"unknown actor {by!r}")
        role = actor["role"]
        if role not in self._roles_for(verb, rule):
            raise DomainError("permission_denied", f"{by} ({role}) may not {verb}")
        own_unit = actor.get("unit")
        if role == "unit" and action.get("unit", own_unit) != own_unit:
            raise DomainError(
                "permission_denied", f"{by} acts for unit {own_unit}, not {action.get('unit')}"
            )
        method = action.get("method")
        if self.scheme == C and verb in ("submit_score", "submit_sheet"):
            expected = performance_evaluation.METHOD_ROLES.get(method) if method else None
            if expected is not None and expected != role:
                raise DomainError("permission_denied", f"method {method} is scored by a {expected}")
        self_evaluation = action.get("component") == "democratic_self"
        if verb == "submit_ballots" and role == "unit" and not self_evaluation:
            raise DomainError("permission_denied", "a unit submits only democratic_self ballots")
        return by, role, own_unit

    def _roles_for(self, verb: str, rule: VerbRule) -> tuple[str, ...]:
        if verb in ("submit_score", "submit_sheet") and self.scheme != C:
            return ("assessor",)
        return rule.roles

    def _stages_for(self, verb: str, rule: VerbRule, action: dict[str, Any]) -> tuple[str, ...]:
        if verb == "define_item" and action.get("kind") == "instant":
            return ("draft", "in_progress", "assessment")
        research = str(action.get("component", "")).startswith("research_")
        if verb == "submit_score" and self.scheme == A and research:
            return ("in_progress", "assessment")
        return rule.stages

    def _emit(self, event_class: type[ev.CycleEvent], act: Act, **data: Any) -> None:
        self.trigger_event(event_class, actor=act.actor, role=act.role, at=act.at, data=plain(data))

    def _emit_version(self, event_class: type[ev.CycleEvent], act: Act, **data: Any) -> None:
        """An event that creates a results version records that version's digest."""
        data = plain(data)
        trial = self.trial()
        event_class.effect(trial, data)
        data["version"] = len(self.versions) + 1
        data["digest"] = digest(results_array(trial))
        self.trigger_event(event_class, actor=act.actor, role=act.role, at=act.at, data=data)

    def _emit_maybe_version(self, event_class: type[ev.CycleEvent], act: Act, **data: Any) -> None:
        """Before scoring closes there are no results versions to create."""
        if self.versions:
            self._emit_version(event_class, act, **data)
        else:
            self._emit(event_class, act, **data)

    def trial(self) -> Cycle:
        """A copy whose inputs can change without touching this cycle."""
        copy = object.__new__(type(self))
        copy.__dict__.update({key: _copy_tree(value) for key, value in vars(self).items()})
        return copy

    # ---- shared guards ----------------------------------------------------------

    def _known_unit(self, act: Act, field: str = "unit") -> str:
        unit = act.text(field, default=act.actor_unit)
        if unit not in self.units:
            raise DomainError("unknown_unit", f"no unit {unit!r} in this cycle")
        return unit

    def _known_item(self, act: Act, unit: str) -> str:
        item = act.text("item")
        if item not in self.items:
            raise DomainError("unknown_item", f"no item {item!r} in this cycle")
        self._require_applicable(item, unit)
        return item

    def _require_applicable(self, item: str, unit: str) -> None:
        if not SCHEMES[self.scheme].item_applies(self.items[item], unit, self):
            raise DomainError("invalid_value", f"item {item} does not apply to unit {unit}")

    def _require_new(self, collection: dict[str, Any], key: str, what: str) -> None:
        if key in collection:
            raise DomainError("duplicate", f"{what} {key!r} exists already")

    def _require_found(self, collection: dict[str, Any], key: str, what: str) -> dict[str, Any]:
        if key not in collection:
            raise DomainError("not_found", f"no {what} {key!r} in this cycle")
        return collection[key]

    def missing_inputs(self, unit: str) -> list[str]:
        return SCHEMES[self.scheme].missing_inputs(unit, self)

    def _require_complete(self, unit: str) -> None:
        missing = self.missing_inputs(unit)
        if missing:
            raise DomainError("incomplete", f"unit {unit} lacks {', '.join(missing)}")

    # ---- draft: units and items (年初定项) ----------------------------------------

    def add_unit(self, act: Act) -> None:
        unit = act.text("id") if act.has("id") else act.text("unit")
        self._require_new(self.units, unit, "unit")
        category = _category(self.scheme, act.fields.get("category", ""))
        self._emit(
            ev.UnitAdded, act, unit=unit, name=act.text("name", default=unit), category=category
        )

    def define_item(self, act: Act) -> None:
        item = act.text("item")
        self._require_new(self.items, item, "item")
        title = act.text("title")
        if self.scheme == B:
            self._emit(
                ev.ItemDefined,
                act,
                item=item,
                title=title,
                kind=act.choice("kind", leadership_team.ITEM_KINDS),
                body=act.choice("body", leadership_team.BODIES),
                applies_to=act.choice("applies_to", leadership_team.APPLIES_TO),
            )
            return
        kind = act.choice("kind", ("mandatory", "instant"))
        weight = _weight(act)
        applies_to = self._applies_to_units(act)
        self._emit(
            ev.ItemDefined,
            act,
            item=item,
            title=title,
            kind=kind,
            weight=weight,
            applies_to=applies_to,
        )

    def _applies_to_units(self, act: Act) -> str | list[str]:
        raw = act.fields.get("applies_to", "all")
        if raw == "all":
            return "all"
        if not isinstance(raw, list) or not raw or not all(isinstance(u, str) for u in raw):
            raise DomainError("invalid_value", "applies_to must be 'all' or a list of unit ids")
        for unit in raw:
            if unit not in self.units:
                raise DomainError("unknown_unit", f"no unit {unit!r} in this cycle")
        return list(dict.fromkeys(raw))

    def publish_items(self, act: Act) -> None:
        if self.scheme != A and not self.items:
            raise DomainError("incomplete", "no item is defined: define at least one item")
        self._emit(ev.ItemsPublished, act)

    # ---- in progress: declarations and supervision (年中督查) ---------------------

    def declare_item(self, act: Act) -> None:
        unit = self._known_unit(act)
        item = act.text("item")
        self._require_new(self.items, item, "item")
        self._emit(
            ev.ItemDeclared,
            act,
            item=item,
            title=act.text("title"),
            kind="elective",
            weight=_weight(act),
            applies_to=[unit],
        )

    def record_supervision(self, act: Act) -> None:
        unit = self._known_unit(act)
        data: dict[str, Any] = {
            "unit": unit,
            "method": act.choice("method", SUPERVISION_METHODS),
            "findings": act.text("findings"),
        }
        if act.has("item"):
            item = act.text("item")
            if item not in self.items:
                raise DomainError("unknown_item", f"no item {item!r} in this cycle")
            data["item"] = item
        self._emit(ev.SupervisionRecorded, act, **data)

    def declare_innovation(self, act: Act) -> None:
        unit = self._known_unit(act)
        innovation = act.text("innovation")
        self._require_new(self.innovations, innovation, "innovation")
        self._emit(
            ev.InnovationDeclared, act, unit=unit, innovation=innovation, title=act.text("title")
        )

    def claim_commendation(self, act: Act) -> None:
        unit = self._known_unit(act)
        claim = act.text("claim")
        self._require_new(self.claims, claim, "claim")
        self._emit(
            ev.CommendationClaimed,
            act,
            unit=unit,
            claim=claim,
            level=act.choice("level", group_party_org.LEVELS),
            title=act.text("title"),
            evidence=act.text("evidence"),
        )

    def confirm_commendation(self, act: Act) -> None:
        claim = act.text("claim")
        if self._require_found(self.claims, claim, "claim")["confirmed"]:
            raise DomainError("duplicate", f"claim {claim!r} is confirmed already")
        self._emit(ev.CommendationConfirmed, act, claim=claim)

    def record_criticism(self, act: Act) -> None:
        unit = self._known_unit(act)
        self._emit(
            ev.CriticismRecorded,
            act,
            unit=unit,
            level=act.choice("level", group_party_org.LEVELS),
            title=act.text("title"),
        )

    def open_assessment(self, act: Act) -> None:
        self._emit(ev.AssessmentOpened, act)

    # ---- scoring (年终考核) -------------------------------------------------------

    def submit_score(self, act: Act) -> None:
        entry = self._score_entry(act, as_submitter=True)
        self._emit(ev.ScoreSubmitted, act, **entry)

    def _score_entry(self, act: Act, as_submitter: bool) -> dict[str, Any]:
        """The fields of one score, checked as SPEC §2 and §3 say for the scheme."""
        unit = self._known_unit(act)
        if self.scheme == A:
            component = act.choice("component", group_party_org.COMPONENTS)
            return {"unit": unit, "component": component, **_group_value(act)}
        item = self._known_item(act, unit)
        if self.scheme == B:
            if as_submitter:
                self._require_body(act, item)
            return {"unit": unit, "item": item, "value": act.score()}
        method = act.choice("method", performance_evaluation.METHODS)
        return {
            "unit": unit,
            "item": item,
            "method": method,
            "value": self._fixed_point(act.raw("value")),
        }

    def _require_body(self, act: Act, item: str) -> None:
        body = self.actors[act.actor].get("body")
        if body and body != self.items[item]["body"]:
            raise DomainError(
                "permission_denied",
                f"{act.actor} scores {body} items, {item} is scored by {self.items[item]['body']}",
            )

    def _fixed_point(self, raw: object, field: str = "value") -> Decimal:
        points = self.rules["score_points"]
        if isinstance(raw, str) and raw in points:
            return points[raw]
        value = parse_decimal(raw, field)
        if value not in points.values():
            allowed = "/".join(str(p) for p in points.values())
            raise DomainError("invalid_value", f"{field} {raw} is not one of {allowed}")
        return value

    def submit_sheet(self, act: Act) -> None:
        unit = self._known_unit(act)
        data: dict[str, Any] = {"unit": unit}
        if self.scheme == C:
            data["method"] = act.choice("method", performance_evaluation.METHODS)
        scores = {}
        for item, raw in act.mapping("scores").items():
            if item not in self.items:
                raise DomainError("unknown_item", f"no item {item!r} in this cycle")
            self._require_applicable(item, unit)
            if self.scheme == B:
                self._require_body(act, item)
                scores[item] = bounded_score(raw, f"scores.{item}")
            else:
                scores[item] = self._fixed_point(raw, f"scores.{item}")
        self._emit(ev.ScoreSheetSubmitted, act, **data, scores=scores)

    def submit_ballots(self, act: Act) -> None:
        entry = self._ballots_entry(act)
        self._emit(ev.BallotsSubmitted, act, **entry, submitter=act.actor)

    def _ballots_entry(self, act: Act) -> dict[str, Any]:
        unit = self._known_unit(act)
        category = self.units[unit]["category"]
        component = act.choice("component", leadership_team.BALLOT_COMPONENTS[category])
        ballots = act.listing("ballots")
        if component == "debrief":
            ratings = list(self.rules["debrief_points"])
            for ballot in ballots:
                if ballot not in ratings:
                    raise DomainError(
                        "invalid_value",
                        f"debrief ballot {ballot!r} is not one of {'/'.join(ratings)}",
                    )
        else:
            ballots = [bounded_score(ballot, "ballot") for ballot in ballots]
        return {"unit": unit, "component": component, "ballots": ballots}

    def record_award(self, act: Act) -> None:
        unit = self._known_unit(act)
        award = act.choice("award", list(self.rules["award_points"]))
        self._emit(ev.AwardRecorded, act, unit=unit, award=award)

    def recognize_innovation(self, act: Act) -> None:
        innovation = act.text("innovation")
        if self._require_found(self.innovations, innovation, "innovation")["recognized"]:
            raise DomainError("duplicate", f"innovation {innovation!r} is recognised already")
        basis = act.choice("basis", leadership_team.INNOVATION_BASES)
        self._emit(ev.InnovationRecognized, act, innovation=innovation, basis=basis)

    def apply_cap(self, act: Act) -> None:
        unit = self._known_unit(act)
        condition = act.choice("condition", group_party_org.CAP_CONDITIONS)
        if condition in self.caps.get(unit, []):
            raise DomainError("duplicate", f"unit {unit} is capped for {condition} already")
        data = {"unit": unit, "condition": condition}
        if act.has("reason"):
            data["reason"] = act.text("reason")
        self._emit_maybe_version(ev.CapApplied, act, **data)

    # ---- veto (一票否决) ----------------------------------------------------------

    def apply_veto(self, act: Act) -> None:
        unit = self._known_unit(act)
        if unit in self.vetoes:
            raise DomainError("duplicate", f"unit {unit} is vetoed already")
        basis = act.choice("basis", VETO_BASES)
        reason = act.text("reason")
        self._emit_maybe_version(ev.VetoApplied, act, unit=unit, basis=basis, reason=reason)

    def revoke_veto(self, act: Act) -> None:
        unit = self._known_unit(act)
        reason = act.text("reason")
        if unit not in self.vetoes:
            raise DomainError("conflict", f"unit {unit} is not vetoed")
        if self.versions:
            self._require_complete(unit)
        self._emit_maybe_version(ev.VetoRevoked, act, unit=unit, reason=reason)

    # ---- review (审核), approval (审定), publication (反馈) ---------------------------

    def close_scoring(self, act: Act) -> None:
        missing = [
            f"{unit}: {', '.join(lacking)}"
            for unit in self.units
            if unit not in self.vetoes and (lacking := self.missing_inputs(unit))
        ]
        if missing:
            raise DomainError("incomplete", "inputs missing — " + "; ".join(missing))
        self._emit_version(ev.ScoringClosed, act)

    def correct_score(self, act: Act) -> None:
        reason = act.text("reason")
        entry = self._correction_entry(act, "ballots" if act.has("ballots") else "score")
        self._emit_version(ev.ScoreCorrected, act, **entry, reason=reason)

    def _correction_entry(self, act: Act, kind: str) -> dict[str, Any]:
        """A correction by org_dept: submitter and body rules do not apply."""
        if kind == "score":
            return {"kind": kind, **self._score_entry(act, as_submitter=False)}
        if kind == "ballots":
            if self.scheme != B:
                raise DomainError("invalid_value", f"{self.scheme} has no ballots")
            return {"kind": kind, **self._ballots_entry(act)}
        unit = self._known_unit(act)
        if kind == "revoke_veto":
            if unit not in self.vetoes:
                raise DomainError("conflict", f"unit {unit} is not vetoed")
            return {"kind": kind, "unit": unit}
        condition = act.choice("condition", group_party_org.CAP_CONDITIONS)
        if condition not in self.caps.get(unit, []):
            raise DomainError("conflict", f"unit {unit} is not capped for {condition}")
        return {"kind": kind, "unit": unit, "condition": condition}

    def propose_adjustment(self, act: Act) -> None:
        unit = self._known_unit(act)
        adjustment = act.text("adjustment")
        self._require_new(self.adjustments, adjustment, "adjustment")
        self._emit(
            ev.AdjustmentProposed,
            act,
            unit=unit,
            adjustment=adjustment,
            delta=act.decimal("delta"),
            reason=act.text("reason"),
        )

    def approve_adjustment(self, act: Act) -> None:
        adjustment = self._undecided_adjustment(act)
        self._emit_version(ev.AdjustmentApproved, act, adjustment=adjustment)

    def reject_adjustment(self, act: Act) -> None:
        adjustment = self._undecided_adjustment(act)
        data = {"adjustment": adjustment}
        if act.has("reason"):
            data["reason"] = act.text("reason")
        self._emit(ev.AdjustmentRejected, act, **data)

    def _undecided_adjustment(self, act: Act) -> str:
        adjustment = act.text("adjustment")
        found = self._require_found(self.adjustments, adjustment, "adjustment")
        if found["status"] != "proposed":
            raise DomainError("conflict", f"adjustment {adjustment!r} is {found['status']} already")
        return adjustment

    def approve_results(self, act: Act) -> None:
        self._emit(ev.ResultsApproved, act, **self._current_version(), head=self.head)

    def publish_results(self, act: Act) -> None:
        published_at = act.at
        self._emit(
            ev.ResultsPublished,
            act,
            **self._current_version(),
            head=self.head,
            published_at=published_at,
        )

    def _current_version(self) -> dict[str, Any]:
        latest = self.versions[-1]
        return {"results_version": latest["version"], "results_digest": latest["digest"]}

    # ---- appeals (申诉) -------------------------------------------------------------

    def file_appeal(self, act: Act) -> None:
        unit = self._known_unit(act)
        appeal = act.text("appeal")
        self._require_new(self.appeals, appeal, "appeal")
        reason = act.text("reason")
        if act.at and self.published_at:
            days = (day_of(act.at) - day_of(self.published_at)).days
            window = self.rules["appeal_window_days"]
            if days > window:
                raise DomainError(
                    "wrong_stage",
                    f"the appeal window closed: {days} days after publication, {window} allowed",
                )
        self._emit(ev.AppealFiled, act, unit=unit, appeal=appeal, reason=reason)

    def resolve_appeal(self, act: Act) -> None:
        appeal_id = act.text("appeal")
        appeal = self._require_found(self.appeals, appeal_id, "appeal")
        if appeal["status"] != "pending":
            raise DomainError("conflict", f"appeal {appeal_id!r} is {appeal['status']} already")
        outcome = act.choice("outcome", OUTCOMES)
        answer = act.text("answer")
        raw = act.fields.get("corrections") or []
        if not isinstance(raw, list):
            raise DomainError("invalid_value", "corrections must be a list")
        if raw and outcome != "upheld":
            raise DomainError("invalid_value", "only an upheld appeal carries corrections")
        corrections = [self._appeal_correction(act, appeal["unit"], entry) for entry in raw]
        data = {"appeal": appeal_id, "outcome": outcome, "answer": answer}
        if corrections:
            self._emit_version(ev.AppealResolved, act, **data, corrections=corrections)
        else:
            self._emit(ev.AppealResolved, act, **data)

    def _appeal_correction(self, act: Act, appellant: str, entry: Any) -> dict[str, Any]:
        if not isinstance(entry, dict):
            raise DomainError("invalid_value", "each correction must be an object")
        kind = entry.get("kind")
        if kind not in CORRECTION_KINDS:
            raise DomainError(
                "invalid_value", f"correction kind must be one of {', '.join(CORRECTION_KINDS)}"
            )
        unit = entry.get("unit", appellant)
        if unit != appellant:
            raise DomainError("invalid_value", f"a correction may concern only unit {appellant}")
        inner = Act({**entry, "do": act.verb, "unit": unit}, act.actor, act.role, None)
        return self._correction_entry(inner, kind)

    def close_cycle(self, act: Act) -> None:
        pending = [key for key, appeal in self.appeals.items() if appeal["status"] == "pending"]
        if pending:
            raise DomainError("conflict", f"appeals pending: {', '.join(pending)}")
        self._emit(ev.CycleClosed, act)

    # ---- reading ------------------------------------------------------------------

    def results(self) -> list[dict[str, Any]]:
        return results_array(self)


# Snapshots of releases before the `assess` namespace name the aggregate `domain.cycle:Cycle`.
register_topic("domain.cycle:Cycle", Cycle)


def _category(scheme: str, raw: object) -> str:
    if not isinstance(raw, str):
        raise DomainError("invalid_value", f"category must be text, got {raw!r}")
    if scheme == B and raw not in leadership_team.CATEGORIES:
        raise DomainError("invalid_value", f"category must be town or municipal, got {raw!r}")
    return raw


def _weight(act: Act) -> int:
    weight = act.raw("weight")
    if isinstance(weight, bool) or weight not in performance_evaluation.WEIGHTS:
        raise DomainError("invalid_value", f"weight must be 5, 3 or 1, got {weight!r}")
    return int(weight)


def _group_value(act: Act) -> dict[str, Any]:
    """A score by value, or by deductions on the negative list (负面清单)."""
    if act.has("value") == act.has("deductions"):
        raise DomainError("invalid_value", "give either value or deductions")
    if act.has("value"):
        return {"value": act.score()}
    deductions: list[dict[str, Any]] = []
    for entry in act.listing("deductions"):
        if not isinstance(entry, dict):
            raise DomainError("invalid_value", "each deduction must be an object")
        inner = Act({**entry, "do": act.verb}, act.actor, act.role, None)
        points = inner.decimal("points")
        if points < 0:
            raise DomainError(
                "invalid_value", f"deduction points must not be negative, got {points}"
            )
        deductions.append(
            {
                "area": inner.choice("area", group_party_org.DEDUCTION_AREAS),
                "points": points,
                "reason": inner.text("reason"),
            }
        )
    value = group_party_org.value_after_deductions([d["points"] for d in deductions])
    return {"value": value, "deductions": deductions}


def validate_header(header: dict[str, Any]) -> dict[str, Any]:
    """A season header (SPEC §5); anything invalid refuses the whole file."""
    cycle = header.get("cycle")
    if not isinstance(cycle, dict):
        raise DomainError("invalid_value", "the season needs a 'cycle' object")
    cycle_id, scheme = cycle.get("id"), cycle.get("scheme")
    if not isinstance(cycle_id, str) or not cycle_id.strip():
        raise DomainError("invalid_value", "cycle.id must be a non-empty text")
    if scheme not in SCHEME_IDS:
        raise DomainError("invalid_value", f"cycle.scheme must be one of {', '.join(SCHEME_IDS)}")
    year = cycle.get("year", 0)
    if isinstance(year, bool) or not isinstance(year, int):
        raise DomainError("invalid_value", f"cycle.year must be a whole number, got {year!r}")
    rules = header.get("rules") or {}
    if not isinstance(rules, dict):
        raise DomainError("invalid_value", "rules must be an object")
    effective_rules(scheme, rules)
    units = [_header_unit(scheme, entry) for entry in _list(header, "units")]
    _unique(units, "unit")
    unit_ids = {unit["id"] for unit in units}
    actors = [_header_actor(scheme, entry, unit_ids) for entry in _list(header, "actors")]
    _unique(actors, "actor")
    return {
        "cycle": {
            "id": cycle_id,
            "scheme": scheme,
            "year": year,
            "title": str(cycle.get("title", "")),
        },
        "rules": rules,
        "actors": actors,
        "units": units,
    }


def _list(header: dict[str, Any], key: str) -> list[Any]:
    value = header.get(key, [])
    if not isinstance(value, list):
        raise DomainError("invalid_value", f"{key} must be a list")
    return value


def _unique(entries: list[dict[str, Any]], what: str) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry["id"] in seen:
            raise DomainError("invalid_value", f"duplicate {what} id {entry['id']!r}")
        seen.add(entry["id"])


def _header_unit(scheme: str, entry: Any) -> dict[str, str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise DomainError("invalid_value", f"each unit needs an id, got {entry!r}")
    name = entry.get("name", entry["id"])
    if not isinstance(name, str):
        raise DomainError("invalid_value", f"unit {entry['id']} name must be text")
    return {
        "id": entry["id"],
        "name": name,
        "category": _category(scheme, entry.get("category", "")),
    }


def _header_actor(scheme: str, entry: Any, unit_ids: set[str]) -> dict[str, str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise DomainError("invalid_value", f"each actor needs an id, got {entry!r}")
    role = entry.get("role")
    if role not in ROLES:
        raise DomainError("invalid_value", f"actor {entry['id']}: unknown role {role!r}")
    actor = {"id": entry["id"], "role": role}
    if role == "unit":
        if entry.get("unit") not in unit_ids:
            raise DomainError(
                "invalid_value",
                f"actor {entry['id']} is bound to unknown unit {entry.get('unit')!r}",
            )
        actor["unit"] = entry["unit"]
    if role == "assessor" and entry.get("body") is not None:
        body = entry["body"]
        if scheme == B and body not in leadership_team.BODIES:
            raise DomainError("invalid_value", f"actor {entry['id']}: unknown body {body!r}")
        actor["body"] = str(body)
    return actor
