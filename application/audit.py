"""The audit trail of a cycle: every event in order, in words a reviewer can read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assess.domain.chain import GENESIS
from assess.domain.events import VERB_OF_EVENT, CycleEvent

# Fields that refer to an earlier record of a unit, rather than naming the unit.
REFERENCES = ("claim", "innovation", "adjustment", "appeal")
SUMMARY_SKIPS = {"reason", "answer", "findings", "evidence", "deductions", "head"}


def verb_of(event: CycleEvent) -> str:
    return VERB_OF_EVENT.get(type(event).__name__, "create_cycle")


def summary(data: dict[str, Any], limit: int = 120) -> str:
    parts = []
    for key, value in data.items():
        if key in SUMMARY_SKIPS:
            continue
        if key == "scores" and isinstance(value, dict):
            value = ",".join(f"{item}={score}" for item, score in value.items())
        elif key in ("ballots", "corrections", "attachments") and isinstance(value, list):
            value = len(value)
        elif key in ("digest", "results_digest") and isinstance(value, str):
            value = value[:12]
        elif key in ("cycle", "rules", "actors", "units"):
            value = value.get("id") if isinstance(value, dict) else f"{len(value)}"
        parts.append(f"{key}={value}")
    text = " ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def units_touched(data: dict[str, Any], owners: dict[str, str]) -> set[str]:
    units = {data["unit"]} if isinstance(data.get("unit"), str) else set()
    for entry in data.get("corrections", []):
        units.add(entry["unit"])
    for field in REFERENCES:
        if field in data and data[field] in owners:
            units.add(owners[data[field]])
    return units


def with_units(events: list[CycleEvent]) -> Iterator[tuple[str, CycleEvent, set[str]]]:
    """(previous chain, event, the units it concerns) for every event in order."""
    owners: dict[str, str] = {}  # claim/innovation/adjustment/appeal id -> unit
    previous = GENESIS
    for event in events:
        data = event.data
        for field in REFERENCES:
            if field in data and isinstance(data.get("unit"), str):
                owners.setdefault(data[field], data["unit"])
        yield previous, event, units_touched(data, owners)
        previous = event.chain


def concerning(
    events: list[CycleEvent], unit: str | None = None
) -> Iterator[tuple[str, CycleEvent]]:
    """(previous chain, event) for every event, or for those that concern `unit`."""
    for previous, event, units in with_units(events):
        if unit is None or unit in units:
            yield previous, event


def audit_rows(events: list[CycleEvent], unit: str | None = None) -> list[dict[str, Any]]:
    return [audit_row(event) for _, event in concerning(events, unit)]


def audit_row(event: CycleEvent) -> dict[str, Any]:
    """One event of the audit trail, as `assess audit` shows it (and the `audit` view
    stores it); `attachments` only for an event that attaches evidence files."""
    row = {
        "position": event.originator_version,
        "recorded": event.timestamp.isoformat(),
        "at": event.at,
        "actor": event.actor,
        "role": event.role,
        "account": event.account,
        "request": event.request["key"] if event.request else None,
        "verb": verb_of(event),
        "summary": summary(event.data),
        "reason": event.data.get("reason") or event.data.get("answer") or "",
        "chain": event.chain,
    }
    if "attachments" in event.data:
        row["attachments"] = event.data["attachments"]
    return row


def appeal_as_filed(event: CycleEvent) -> dict[str, Any]:
    """An appeal as listed: what was filed, by whom and when; `status` pending."""
    return {
        "appeal": event.data["appeal"],
        "unit": event.data["unit"],
        "status": "pending",
        "reason": event.data["reason"],
        "filed_by": event.actor,
        "filed_at": event.at,
        "recorded": event.timestamp.isoformat(),
        "position": event.originator_version,
    }


def export_records(events: list[CycleEvent], unit: str | None = None) -> list[dict[str, Any]]:
    """Each event in full, with the hash linking it to the one before: what an outside
    auditor needs to re-check the chain (docs/verification.md)."""
    return [
        {
            "position": event.originator_version,
            "event": type(event).__name__,
            "verb": verb_of(event),
            "recorded": event.timestamp.isoformat(),
            "actor": event.actor,
            "role": event.role,
            "account": event.account,
            "request": event.request,
            "at": event.at,
            "data": event.data,
            "previous": previous,
            "chain": event.chain,
        }
        for previous, event in concerning(events, unit)
    ]
