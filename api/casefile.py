"""Appeals of a cycle and the case file of one, read from its events.

TODO(application): these are queries on the event history with no HTTP in them;
they belong beside `application/audit.py`."""

from __future__ import annotations

from typing import Any

from application.audit import audit_rows, verb_of
from application.service import AssessApp
from domain.errors import DomainError


def appeals(app: AssessApp, cycle_id: str, unit: str | None = None) -> list[dict[str, Any]]:
    """Every appeal (optionally of one unit) as filed, with its status now."""
    found: dict[str, dict[str, Any]] = {}
    for event in app.events_of(cycle_id):
        verb = verb_of(event)
        if verb == "file_appeal":
            found[event.data["appeal"]] = _filed(event)
        elif verb == "resolve_appeal":
            found[event.data["appeal"]]["status"] = event.data["outcome"]
    return [entry for entry in found.values() if unit is None or entry["unit"] == unit]


def case_file(app: AssessApp, cycle_id: str, appeal_id: str) -> dict[str, Any]:
    """The appeal, the unit's results at publication, every event that touched the unit,
    the answer, and the unit's results in the version the answer created (if any)."""
    events = app.events_of(cycle_id)
    filed = next(
        (e for e in events if verb_of(e) == "file_appeal" and e.data["appeal"] == appeal_id), None
    )
    if filed is None:
        raise DomainError("not_found", f"no appeal {appeal_id!r} in cycle {cycle_id!r}")
    unit = filed.data["unit"]
    published = next((e for e in events if verb_of(e) == "publish_results"), None)
    resolved = next(
        (e for e in events if verb_of(e) == "resolve_appeal" and e.data["appeal"] == appeal_id),
        None,
    )
    appeal = _filed(filed)
    if resolved is not None:
        appeal["status"] = resolved.data["outcome"]
    after = resolved.data.get("version") if resolved is not None else None
    return {
        "appeal": appeal,
        "results_at_publication": _unit_result(
            app, cycle_id, published.data["results_version"] if published else None, unit
        ),
        "events": audit_rows(events, unit),
        "resolution": _resolution(resolved) if resolved is not None else None,
        "results_after_resolution": _unit_result(app, cycle_id, after, unit),
    }


def _filed(event: Any) -> dict[str, Any]:
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


def _resolution(event: Any) -> dict[str, Any]:
    return {
        "outcome": event.data["outcome"],
        "answer": event.data["answer"],
        "corrections": event.data.get("corrections", []),
        "version": event.data.get("version"),
        "resolved_by": event.actor,
        "resolved_at": event.at,
        "recorded": event.timestamp.isoformat(),
        "position": event.originator_version,
    }


def _unit_result(
    app: AssessApp, cycle_id: str, version: int | None, unit: str
) -> dict[str, Any] | None:
    if version is None:
        return None
    document = app.results(cycle_id, version)
    row = next((row for row in document["results"] if row["unit"] == unit), None)
    return {"version": document["version"], "digest": document["digest"], "row": row}
