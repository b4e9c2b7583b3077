"""The events of a cycle: one class per verb of SPEC §3, named in the past tense.

Every event carries who (`actor`, `role`, and the `account` that submitted it, SPEC
§4.1; None in events stored before accounts were recorded), when (`at` as given, and the library's
recording `timestamp`), what (`data`, plain JSON values; figures as decimal text),
`chain`, the hash linking it to the previous event (SPEC §7), and `request`, the
idempotency key and digest of the request that stored it, if it named one
(domain/requests.py). `effect` is the
state change; it runs again on every replay, so it never checks anything.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic, register_topic


class CycleEvent(Aggregate.Event):
    actor: str
    role: str
    at: str | None
    data: dict[str, Any]
    chain: str
    # A default, so that events stored without it read as None (the library and
    # `library.decode_plain_json` set the stored state as the event's __dict__).
    account: str | None = None
    request: dict[str, str] | None = None  # likewise: only keyed requests store it

    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        pass

    def apply(self, aggregate: Any) -> None:
        self.effect(aggregate, self.data)
        aggregate.head = self.chain
        if "digest" in self.data:
            aggregate.versions.append(
                {
                    "version": self.data["version"],
                    "position": self.originator_version,
                    "recorded": self.timestamp.isoformat(),
                    "digest": self.data["digest"],
                }
            )
        remember_request(aggregate, self)


def remember_request(cycle: Any, event: CycleEvent) -> None:
    """A keyed request's answer, kept up to date as each of its events is applied: its
    first and last positions, and the stage and latest results version after it. A
    snapshot taken before keys were stored has no `requests`: it starts empty."""
    if event.request is None:
        return
    requests = cycle.__dict__.setdefault("requests", {})
    position = event.originator_version
    known = requests.get(event.request["key"])
    requests[event.request["key"]] = {
        "digest": event.request["digest"],
        "first": known["first"] if known else position,
        "position": position,
        "stage": cycle.stage,
        "version": cycle.versions[-1]["version"] if cycle.versions else None,
    }


class CycleCreated(CycleEvent, Aggregate.Created):
    def apply(self, aggregate: Any) -> None:
        aggregate.head = self.chain
        remember_request(aggregate, self)


def _set_stage(stage: str) -> Any:
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.stage = stage

    return staticmethod(effect)


class UnitAdded(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.units[data["unit"]] = {
            key: value for key, value in data.items() if key in ("name", "category", "parent")
        }


class ActorAdded(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.actors[data["actor"]] = {
            key: value for key, value in data.items() if key in ("role", "unit", "body")
        }


class ActorRetired(CycleEvent):
    """The entry stays, marked, so structure and audit still name the actor."""

    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        # A new entry, not a change in place: readers may hold a shallow copy of `actors`.
        cycle.actors[data["actor"]] = {**cycle.actors[data["actor"]], "retired": True}


class ItemDefined(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        item = {key: value for key, value in data.items() if key != "item"}
        cycle.items[data["item"]] = item


class ItemDeclared(ItemDefined):
    pass


class ItemsPublished(CycleEvent):
    effect = _set_stage("in_progress")


class SupervisionRecorded(CycleEvent):
    """年中督查: findings are kept in the event for the case file; no figure changes."""


class InnovationDeclared(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.innovations[data["innovation"]] = {
            "unit": data["unit"],
            "title": data["title"],
            "recognized": None,
        }


class CommendationClaimed(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.claims[data["claim"]] = {
            "unit": data["unit"],
            "level": data["level"],
            "title": data["title"],
            "confirmed": False,
        }


class CommendationConfirmed(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.claims[data["claim"]]["confirmed"] = True


class CriticismRecorded(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.criticisms.append(
            {"unit": data["unit"], "level": data["level"], "title": data["title"]}
        )


class AssessmentOpened(CycleEvent):
    effect = _set_stage("assessment")


def put_score(cycle: Any, entry: dict[str, Any]) -> None:
    """One score: A keys by component, B by item, C by method then item."""
    unit_scores = cycle.scores.setdefault(entry["unit"], {})
    if "method" in entry:
        unit_scores.setdefault(entry["method"], {})[entry["item"]] = entry["value"]
    else:
        unit_scores[entry.get("component") or entry["item"]] = entry["value"]


def put_ballots(cycle: Any, entry: dict[str, Any], submitter: str) -> None:
    sets = cycle.ballots.setdefault(entry["unit"], {}).setdefault(entry["component"], {})
    if submitter == "":  # a correction replaces every set of that unit and component
        sets.clear()
    sets[submitter] = entry["ballots"]


def put_sheet(cycle: Any, data: dict[str, Any]) -> None:
    for item, value in data["scores"].items():
        entry = {"unit": data["unit"], "item": item, "value": value}
        if "method" in data:
            entry["method"] = data["method"]
        put_score(cycle, entry)


def put_correction(cycle: Any, entry: dict[str, Any]) -> None:
    kind = entry["kind"]
    if kind == "score":
        put_score(cycle, entry)
    elif kind == "ballots":
        put_ballots(cycle, entry, submitter="")
    elif kind == "revoke_veto":
        cycle.vetoes.pop(entry["unit"], None)
    elif kind == "remove_cap":
        cycle.caps[entry["unit"]] = [
            c for c in cycle.caps[entry["unit"]] if c != entry["condition"]
        ]


class ScoreSubmitted(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        put_score(cycle, data)


class ScoreSheetSubmitted(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        put_sheet(cycle, data)


class BallotsSubmitted(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        put_ballots(cycle, data, submitter=data["submitter"])


class AwardRecorded(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.awards[data["unit"]] = data["award"]


class InnovationRecognized(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.innovations[data["innovation"]]["recognized"] = data["basis"]


class CapApplied(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.caps[data["unit"]] = [*cycle.caps.get(data["unit"], []), data["condition"]]


class VetoApplied(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.vetoes[data["unit"]] = {"basis": data["basis"], "reason": data["reason"]}


class VetoRevoked(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.vetoes.pop(data["unit"], None)


class ScoringClosed(CycleEvent):
    effect = _set_stage("review")


class ScoreCorrected(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        put_correction(cycle, data)


class AdjustmentProposed(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.adjustments[data["adjustment"]] = {
            "unit": data["unit"],
            "delta": data["delta"],
            "status": "proposed",
        }


def _decide_adjustment(status: str) -> Any:
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.adjustments[data["adjustment"]]["status"] = status

    return staticmethod(effect)


class AdjustmentApproved(CycleEvent):
    effect = _decide_adjustment("approved")


class AdjustmentRejected(CycleEvent):
    effect = _decide_adjustment("rejected")


class ResultsApproved(CycleEvent):
    effect = _set_stage("approved")


class ResultsPublished(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.stage = "published"
        cycle.published_at = data.get("published_at")

    def apply(self, aggregate: Any) -> None:
        """Undated, the appeal window counts from the day of recording (UTC). Only then is
        `published_on` set: a cycle's state, and so its snapshots, stay as they were."""
        super().apply(aggregate)
        if not self.data.get("published_at"):
            aggregate.published_on = self.timestamp.astimezone(UTC).date().isoformat()


class AppealFiled(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.appeals[data["appeal"]] = {"unit": data["unit"], "status": "pending"}


class AppealResolved(CycleEvent):
    @staticmethod
    def effect(cycle: Any, data: dict[str, Any]) -> None:
        cycle.appeals[data["appeal"]]["status"] = data["outcome"]
        for entry in data.get("corrections", []):
            put_correction(cycle, entry)


class CycleClosed(CycleEvent):
    effect = _set_stage("closed")


EVENT_OF_VERB: dict[str, type[CycleEvent]] = {
    "add_unit": UnitAdded,
    "add_actor": ActorAdded,
    "retire_actor": ActorRetired,
    "define_item": ItemDefined,
    "publish_items": ItemsPublished,
    "declare_item": ItemDeclared,
    "record_supervision": SupervisionRecorded,
    "declare_innovation": InnovationDeclared,
    "claim_commendation": CommendationClaimed,
    "confirm_commendation": CommendationConfirmed,
    "record_criticism": CriticismRecorded,
    "open_assessment": AssessmentOpened,
    "submit_score": ScoreSubmitted,
    "submit_sheet": ScoreSheetSubmitted,
    "submit_ballots": BallotsSubmitted,
    "record_award": AwardRecorded,
    "recognize_innovation": InnovationRecognized,
    "apply_cap": CapApplied,
    "apply_veto": VetoApplied,
    "revoke_veto": VetoRevoked,
    "close_scoring": ScoringClosed,
    "correct_score": ScoreCorrected,
    "propose_adjustment": AdjustmentProposed,
    "approve_adjustment": AdjustmentApproved,
    "reject_adjustment": AdjustmentRejected,
    "approve_results": ResultsApproved,
    "publish_results": ResultsPublished,
    "file_appeal": AppealFiled,
    "resolve_appeal": AppealResolved,
    "close_cycle": CycleClosed,
}
VERB_OF_EVENT = {cls.__name__: verb for verb, cls in EVENT_OF_VERB.items()}


# Releases before the `assess` namespace stored these classes as `domain.events:<Name>`.
PREVIOUS_RELEASE: list[type[CycleEvent]] = [CycleEvent, CycleCreated, *EVENT_OF_VERB.values()]
for _event_class in PREVIOUS_RELEASE:
    register_topic(f"domain.events:{_event_class.__name__}", _event_class)


def stored_topics(event_class: type[CycleEvent]) -> list[str]:
    """Every topic under which events of this class may be stored, today's first."""
    return [get_topic(event_class), f"domain.events:{event_class.__name__}"]
