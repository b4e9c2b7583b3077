"""A cycle through time: which version stood at a moment, and what changed between two."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from assess.application.audit import summary, verb_of, with_units
from assess.domain.errors import DomainError
from assess.domain.events import CycleEvent

COMPARED = ("score", "extra", "final", "rank", "category_rank", "grade", "vetoed", "capped")


def parse_moment(text: str) -> datetime:
    """An ISO date (meaning the end of that day) or date-time (naive means UTC)."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise DomainError("invalid_value", f"not an ISO date or date-time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def effective_moments(events: list[CycleEvent]) -> list[datetime]:
    """When each event took effect: its `at` if given, else that of the event before
    (a season's later steps belong to its last dated step), else its recording time."""
    moments: list[datetime] = []
    for event in events:
        moments.append(moment_of(event, moments[-1] if moments else None))
    return moments


def moment_of(event: CycleEvent, before: datetime | None) -> datetime:
    """When one event took effect, given when the one before it did (`effective_moments`)."""
    if event.at:
        return parse_moment(event.at) if len(event.at) > 10 else _start_of(event.at)
    return before if before is not None else event.timestamp


def _start_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.min, tzinfo=UTC)


def version_at(
    events: list[CycleEvent], position: int | None = None, moment: datetime | None = None
) -> int:
    """The latest results version created at or before a position or a moment."""
    moments = effective_moments(events)
    found = None
    for event, when in zip(events, moments, strict=True):
        if "digest" not in event.data:
            continue
        if position is not None and event.originator_version > position:
            break
        if moment is not None and when > moment:
            break
        found = event.data["version"]
    if found is None:
        raise DomainError("not_found", "no results version existed at that point")
    return found


def version_standing(
    versions: list[dict[str, Any]], position: int | None = None, moment: datetime | None = None
) -> int:
    """`version_at` from the versions as the `results` view keeps them: each with the
    position of the event that created it and the moment that event took effect."""
    found = None
    for entry in versions:
        if position is not None and entry["position"] > position:
            break
        if moment is not None and datetime.fromisoformat(entry["moment"]) > moment:
            break
        found = entry["version"]
    if found is None:
        raise DomainError("not_found", "no results version existed at that point")
    return found


def row_changes(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, list[Any]]:
    """Field by field, what differs between a unit's two results rows."""
    if before is None:
        return {"new": [None, after["unit"]]}
    changes = {key: [before[key], after[key]] for key in COMPARED if before[key] != after[key]}
    for key in sorted(set(before["components"]) | set(after["components"])):
        old, new = before["components"].get(key), after["components"].get(key)
        if old != new:
            changes[f"components.{key}"] = [old, new]
    return changes


def compare_results(before: list[dict], after: list[dict]) -> list[dict[str, Any]]:
    """Every unit whose row changed, in the order of the later results."""
    earlier = {row["unit"]: row for row in before}
    changed = []
    for row in after:
        changes = row_changes(earlier.get(row["unit"]), row)
        if changes:
            changed.append({"unit": row["unit"], "name": row["name"], "changes": changes})
    return changed


def explain(
    changed: list[dict[str, Any]], events: list[CycleEvent], start: int, end: int
) -> list[dict[str, Any]]:
    """Attach to each changed unit the events in (start, end] that touched it; a unit
    no event touched moved because others did (a knock-on change)."""
    touching: dict[str, list[dict[str, Any]]] = {}
    for _, event, units in with_units(events):
        if start < event.originator_version <= end:
            for unit in units:
                touching.setdefault(unit, []).append(describe(event))
    for entry in changed:
        entry["events"] = touching.get(entry["unit"], [])
        entry["knock_on"] = not entry["events"]
    return changed


def explained(
    changed: list[dict[str, Any]], touching: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """`explain`, given the audit rows of the events in the range under each unit they
    concern (the `audit` view's)."""
    for entry in changed:
        entry["events"] = [described(row) for row in touching.get(entry["unit"], [])]
        entry["knock_on"] = not entry["events"]
    return changed


def described(row: dict[str, Any]) -> dict[str, Any]:
    """`describe` of an event, from its audit row."""
    return {key: row[key] for key in DESCRIBED}


DESCRIBED = ("position", "verb", "actor", "account", "at", "summary", "reason")


def describe(event: CycleEvent) -> dict[str, Any]:
    return {
        "position": event.originator_version,
        "verb": verb_of(event),
        "actor": event.actor,
        "account": event.account,
        "at": event.at,
        "summary": summary(event.data),
        "reason": event.data.get("reason") or event.data.get("answer") or "",
    }
