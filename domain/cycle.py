"""The assessment cycle: one event-sourced aggregate per cycle (SPEC §3).

`perform(action)` admits the action by SPEC §3's table (domain/policy.py: verb,
actor and role, stage) and then runs the verb's own method, which reads like the
regulation: the fields' guards first, then one event. The fields each verb takes are
declared in domain/verbs.py, each scheme's own input checks live in its module under
domain/schemes/, and the season header is checked by domain/season_header.py.
Nothing is recorded unless every check passes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from assess.domain import events as ev
from assess.domain.actions import Act, bounded_score, day_of
from assess.domain.attachments import Uploaded
from assess.domain.chain import GENESIS, event_content, link
from assess.domain.errors import DomainError
from assess.domain.flat import flat_score
from assess.domain.policy import ROLES, admit
from assess.domain.requests import Request, is_repeat
from assess.domain.results import digest, results_array
from assess.domain.rules import effective_rules
from assess.domain.schemes import (
    GROUP_PARTY_ORG,
    LEADERSHIP_TEAM,
    PERFORMANCE_EVALUATION,
    SCHEME_MODULES,
    group_party_org,
    leadership_team,
    performance_evaluation,
)
from assess.domain.season_header import unit_category, unit_parent, validate_header
from assess.domain.texts import check_characters
from assess.domain.verbs import (
    CORRECTION_KINDS,
    OUTCOMES,
    SUPERVISION_METHODS,
    VERBS,
    VETO_BASES,
)

NAMESPACE = uuid.UUID("6f1d7f9e-3c1a-4b8e-9a55-0c2f4a1b7d10")


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
    if isinstance(value, dict):  # plain values as they are, without a call each
        return {
            key if type(key) is str else str(key): (
                item if type(item) in PLAIN_TYPES else plain(item)
            )
            for key, item in value.items()
        }
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
    # idempotency key -> what its request stored, set by the first keyed event
    # (events.remember_request): a cycle without any, and so its snapshots, stay as they
    # were before keys were stored.
    requests: dict[str, dict[str, Any]]

    # ---- creation ---------------------------------------------------------------

    @classmethod
    def create(
        cls,
        header: dict[str, Any],
        actor: str = "system",
        role: str = "system",
        account: str | None = None,
        request: Request | None = None,
    ) -> Cycle:
        """A new cycle from a season header (SPEC §5): cycle, rules, actors, units;
        `account` is the account importing it (SPEC §4.1), `request` its idempotency key."""
        data = plain(validate_header(header))
        fields = {"actor": actor, "role": role, "at": None, "data": data, "account": account}
        if request is not None:  # absent otherwise: unkeyed events are stored as before
            fields["request"] = request
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
        self.actors: dict[str, dict[str, Any]] = {
            entry["id"]: {key: value for key, value in entry.items() if key != "id"}
            for entry in data["actors"]
        }
        if "run_by" in header:  # SPEC §9; set only when given, so that older snapshots
            self.run_by: str = header["run_by"]  # and replays keep the same state
        self.units: dict[str, dict[str, str]] = {
            entry["id"]: {key: value for key, value in entry.items() if key != "id"}
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

    # ---- the chain: every event links to the one before -------------------------

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        """The next event, linked to the one before. Built as the library's constructor
        builds it (the same attributes in the same order: tests/integration/test_lean_paths.py
        holds them equal) without its per-event checks: this cycle numbers its own events."""
        timestamp = event_class.create_timestamp()
        position = self.version + 1
        content = event_content(event_class.__name__, position, timestamp, kwargs, self.head)
        state = {
            "originator_id": self.id,
            "originator_version": position,
            "timestamp": timestamp,
            "actor": kwargs["actor"],
            "role": kwargs["role"],
            "at": kwargs["at"],
            "data": kwargs["data"],
            "chain": link(content),
            "account": kwargs.get("account"),
            "request": kwargs.get("request"),
        }
        event = object.__new__(event_class)
        object.__setattr__(event, "__dict__", state)
        event.apply(self)
        self.version = position
        self.modified_on = timestamp
        self.pending_events.append(event)

    # ---- dispatch: the checks of SPEC §3, in order --------------------------------

    def perform(
        self,
        action: dict[str, Any],
        account: str | None = None,
        request: Request | None = None,
        files: Mapping[str, Uploaded] | None = None,
    ) -> None:
        """SPEC §3's table admits the action; the verb's method checks its fields.
        `account` submitted it (SPEC §4.1): its events record it beside the actor, and
        `request`, the idempotency key of the request it is part of; `files` are the
        evidence files that account uploaded to the cycle, which the action may name."""
        if type(action) is dict and action.get("do") == "submit_score":  # read flat
            flat = flat_score(self, action)
            if flat is not None:
                actor, role, data = flat
                self._store(ev.ScoreSubmitted, actor, role, None, plain(data), account, request)
                return
        self.perform_declared(action, account, request, files)

    def perform_declared(
        self,
        action: dict[str, Any],
        account: str | None = None,
        request: Request | None = None,
        files: Mapping[str, Uploaded] | None = None,
    ) -> None:
        """`perform` by the declarations alone: the policy table, `Act`, the verb."""
        if not isinstance(action, dict):
            raise DomainError("invalid_value", "an action must be an object")
        # Before SPEC §3's checks: a text no field may hold makes the action unreadable,
        # as malformed JSON would, and no refusal below may quote it.
        check_characters(action)
        admitted = admit(action, self.scheme, self.stage, self.actors)
        verb = admitted.verb
        act = Act(action, admitted.actor, admitted.role, admitted.unit, VERBS[verb])
        act.account = account
        act.request = request
        act.files = files or {}
        getattr(self, verb)(act)

    def stored_request(self, request: Request) -> dict[str, Any] | None:
        """What the request stored, if a request with its key was stored before; a key
        used for another request is a `conflict`."""
        known = self.__dict__.get("requests", {}).get(request["key"])
        return known if is_repeat(request, known and known["digest"]) else None

    def _emit(self, event_class: type[ev.CycleEvent], act: Act, **data: Any) -> None:
        self._record(event_class, act, plain(data))

    def _record(self, event_class: type[ev.CycleEvent], act: Act, data: dict[str, Any]) -> None:
        self._store(event_class, act.actor, act.role, act.at, data, act.account, act.request)

    def _store(
        self,
        event_class: type[ev.CycleEvent],
        actor: str,
        role: str,
        at: str | None,
        data: dict[str, Any],
        account: str | None,
        request: Request | None,
    ) -> None:
        """One event, by whom and when; `request` only when a keyed request made it."""
        keyed = {} if request is None else {"request": request}
        self.trigger_event(
            event_class, actor=actor, role=role, at=at, data=data, account=account, **keyed
        )

    def _emit_version(self, event_class: type[ev.CycleEvent], act: Act, **data: Any) -> None:
        """An event that creates a results version records that version's digest."""
        data = plain(data)
        trial = self.trial()
        event_class.effect(trial, data)
        data["version"] = len(self.versions) + 1
        data["digest"] = digest(results_array(trial))
        self._record(event_class, act, data)

    def _emit_maybe_version(self, event_class: type[ev.CycleEvent], act: Act, **data: Any) -> None:
        """Before scoring closes there are no results versions to create."""
        if self.versions:
            self._emit_version(event_class, act, **data)
        else:
            self._emit(event_class, act, **data)

    def trial(self) -> Cycle:
        """A copy whose inputs can change without touching this cycle. Idempotency keys
        are no input, and may be many: shared, not copied."""
        copy = object.__new__(type(self))
        copy.__dict__.update(
            {
                key: value if key == "requests" else _copy_tree(value)
                for key, value in vars(self).items()
            }
        )
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
        if not SCHEME_MODULES[self.scheme].item_applies(self.items[item], unit, self):
            raise DomainError("invalid_value", f"item {item} does not apply to unit {unit}")

    def _require_new(self, collection: dict[str, Any], key: str, what: str) -> None:
        if key in collection:
            raise DomainError("duplicate", f"{what} {key!r} exists already")

    def _require_found(self, collection: dict[str, Any], key: str, what: str) -> dict[str, Any]:
        if key not in collection:
            raise DomainError("not_found", f"no {what} {key!r} in this cycle")
        return collection[key]

    def missing_inputs(self, unit: str) -> list[str]:
        return SCHEME_MODULES[self.scheme].missing_inputs(unit, self)

    def _require_complete(self, unit: str) -> None:
        missing = self.missing_inputs(unit)
        if missing:
            raise DomainError("incomplete", f"unit {unit} lacks {', '.join(missing)}")

    # ---- draft: units and items (年初定项) ----------------------------------------

    def add_unit(self, act: Act) -> None:
        unit = act.text("id") if act.has("id") else act.text("unit")
        self._require_new(self.units, unit, "unit")
        category = unit_category(self.scheme, act.get("category", ""))
        data = {"unit": unit, "name": act.text("name", default=unit), "category": category}
        if act.has("parent"):  # absent otherwise, as in events stored before SPEC §9
            data["parent"] = unit_parent(unit, act.text("parent"))
        self._emit(ev.UnitAdded, act, **data)

    # ---- actors: who may act, added and retired (SPEC §3) -----------------------------

    def add_actor(self, act: Act) -> None:
        actor = act.text("actor")
        self._require_new(self.actors, actor, "actor")
        role = act.choice("role", ROLES)
        data: dict[str, Any] = {"actor": actor, "role": role}
        if role == "unit":
            data["unit"] = self._known_unit(act)
        elif act.has("unit"):
            raise DomainError("invalid_value", f"unit is only for a unit actor, not a {role}")
        if act.has("body"):
            if role != "assessor":
                raise DomainError("invalid_value", f"body is only for an assessor, not a {role}")
            body = act.text("body")
            if self.scheme == LEADERSHIP_TEAM:
                body = leadership_team.check_body(actor, body)
            data["body"] = body
        self._emit(ev.ActorAdded, act, **data)

    def retire_actor(self, act: Act) -> None:
        actor = act.text("actor")
        entry = self._require_found(self.actors, actor, "actor")
        if entry.get("retired"):
            raise DomainError("conflict", f"actor {actor!r} is retired already")
        if actor == act.actor:
            raise DomainError("conflict", f"{actor} may not retire itself")
        self._emit(ev.ActorRetired, act, actor=actor, reason=act.text("reason"))

    def define_item(self, act: Act) -> None:
        item = act.text("item")
        self._require_new(self.items, item, "item")
        title = act.text("title")
        if self.scheme == LEADERSHIP_TEAM:
            fields = leadership_team.read_item(act)
            self._emit(ev.ItemDefined, act, item=item, title=title, **fields)
            return
        self._emit(
            ev.ItemDefined,
            act,
            item=item,
            title=title,
            kind=act.choice("kind", performance_evaluation.DEFINED_KINDS),
            weight=performance_evaluation.read_weight(act),
            applies_to=performance_evaluation.read_applies_to(act, self.units),
        )

    def publish_items(self, act: Act) -> None:
        if self.scheme != GROUP_PARTY_ORG and not self.items:
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
            kind=performance_evaluation.ELECTIVE,
            weight=performance_evaluation.read_weight(act),
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
        self._emit(ev.SupervisionRecorded, act, **data, **act.attachments())

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
            **act.attachments(),
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
            **act.attachments(),
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
        if self.scheme == GROUP_PARTY_ORG:
            return {"unit": unit, **group_party_org.read_score(act)}
        item = self._known_item(act, unit)
        if self.scheme == LEADERSHIP_TEAM:
            if as_submitter:
                self._require_body(act, item)
            return {"unit": unit, "item": item, "value": act.score()}
        method = performance_evaluation.read_method(act)
        value = performance_evaluation.fixed_point(act.raw("value"), self.rules)
        return {"unit": unit, "item": item, "method": method, "value": value}

    def _require_body(self, act: Act, item: str) -> None:
        body = self.actors[act.actor].get("body")
        leadership_team.require_body(act.actor, body, item, self.items[item]["body"])

    def submit_sheet(self, act: Act) -> None:
        unit = self._known_unit(act)
        data: dict[str, Any] = {"unit": unit}
        if self.scheme == PERFORMANCE_EVALUATION:
            data["method"] = performance_evaluation.read_method(act)
        scores = {}
        for item, raw in act.mapping("scores").items():
            if item not in self.items:
                raise DomainError("unknown_item", f"no item {item!r} in this cycle")
            self._require_applicable(item, unit)
            if self.scheme == LEADERSHIP_TEAM:
                self._require_body(act, item)
                scores[item] = bounded_score(raw, f"scores.{item}")
            else:
                scores[item] = performance_evaluation.fixed_point(raw, self.rules, f"scores.{item}")
        self._emit(ev.ScoreSheetSubmitted, act, **data, scores=scores)

    def submit_ballots(self, act: Act) -> None:
        entry = self._ballots_entry(act)
        self._emit(ev.BallotsSubmitted, act, **entry, submitter=act.actor)

    def _ballots_entry(self, act: Act) -> dict[str, Any]:
        unit = self._known_unit(act)
        category = self.units[unit]["category"]
        return {"unit": unit, **leadership_team.read_ballots(act, category, self.rules)}

    def record_award(self, act: Act) -> None:
        unit = self._known_unit(act)
        award = leadership_team.read_award(act, self.rules)
        self._emit(ev.AwardRecorded, act, unit=unit, award=award)

    def recognize_innovation(self, act: Act) -> None:
        innovation = act.text("innovation")
        if self._require_found(self.innovations, innovation, "innovation")["recognized"]:
            raise DomainError("duplicate", f"innovation {innovation!r} is recognised already")
        basis = leadership_team.read_basis(act)
        self._emit(ev.InnovationRecognized, act, innovation=innovation, basis=basis)

    def apply_cap(self, act: Act) -> None:
        unit = self._known_unit(act)
        condition = group_party_org.read_condition(act)
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
        self._emit_maybe_version(
            ev.VetoApplied, act, unit=unit, basis=basis, reason=reason, **act.attachments()
        )

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
        self._emit_version(ev.ScoreCorrected, act, **entry, reason=reason, **act.attachments())

    def _correction_entry(self, act: Act, kind: str) -> dict[str, Any]:
        """A correction by org_dept: submitter and body rules do not apply."""
        if kind == "score":
            return {"kind": kind, **self._score_entry(act, as_submitter=False)}
        if kind == "ballots":
            if self.scheme != LEADERSHIP_TEAM:
                raise DomainError("invalid_value", f"{self.scheme} has no ballots")
            return {"kind": kind, **self._ballots_entry(act)}
        unit = self._known_unit(act)
        if kind == "revoke_veto":
            if unit not in self.vetoes:
                raise DomainError("conflict", f"unit {unit} is not vetoed")
            return {"kind": kind, "unit": unit}
        condition = group_party_org.read_condition(act)
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
            delta=performance_evaluation.read_delta(act),
            reason=act.text("reason"),
            **act.attachments(),
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
        self._require_in_window(act)
        self._emit(
            ev.AppealFiled, act, unit=unit, appeal=appeal, reason=reason, **act.attachments()
        )

    def _require_in_window(self, act: Act) -> None:
        """Publication and appeal are each dated by their `at`, else by the day they are
        recorded (now, for the appeal being decided); day `appeal_window_days` is the last."""
        if self.published_at:
            published = day_of(self.published_at)
        elif recorded := getattr(self, "published_on", None):
            published = date.fromisoformat(recorded)
        else:  # undated, in a snapshot of a release that did not keep its day: unknown
            return
        filed = day_of(act.at) if act.at else datetime.now(UTC).date()
        days = (filed - published).days
        window = self.rules["appeal_window_days"]
        if days < 0:
            raise DomainError("wrong_stage", f"the appeal is dated before publication, {published}")
        if days > window:
            raise DomainError(
                "wrong_stage",
                f"the appeal window closed: {days} days after publication, {window} allowed",
            )

    def resolve_appeal(self, act: Act) -> None:
        appeal_id = act.text("appeal")
        appeal = self._require_found(self.appeals, appeal_id, "appeal")
        if appeal["status"] != "pending":
            raise DomainError("conflict", f"appeal {appeal_id!r} is {appeal['status']} already")
        outcome = act.choice("outcome", OUTCOMES)
        answer = act.text("answer")
        raw = act.get("corrections") or []
        if not isinstance(raw, list):
            raise DomainError("invalid_value", "corrections must be a list")
        if raw and outcome != "upheld":
            raise DomainError("invalid_value", "only an upheld appeal carries corrections")
        corrections = [self._appeal_correction(act, appeal["unit"], entry) for entry in raw]
        data = {"appeal": appeal_id, "outcome": outcome, "answer": answer, **act.attachments()}
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
        return self._correction_entry(act.entry("corrections", {**entry, "unit": unit}), kind)

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
