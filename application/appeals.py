"""Appeal review: the case file of an appeal, and a dry run of its resolution."""

from __future__ import annotations

from typing import Any

from application.audit import concerning, verb_of
from application.history import compare_results, describe
from application.service import AssessApp
from domain.errors import DomainError
from domain.events import (
    AppealFiled,
    AppealResolved,
    CycleEvent,
    ResultsPublished,
    SupervisionRecorded,
)

# Verbs whose events are inputs to a unit's figures.
INPUT_VERBS = {
    "submit_score",
    "submit_sheet",
    "submit_ballots",
    "record_award",
    "declare_innovation",
    "recognize_innovation",
    "claim_commendation",
    "confirm_commendation",
    "record_criticism",
    "apply_cap",
    "apply_veto",
    "revoke_veto",
    "correct_score",
    "propose_adjustment",
    "approve_adjustment",
    "reject_adjustment",
    "declare_item",
}


def case_file(app: AssessApp, cycle_id: str, appeal_id: str) -> dict[str, Any]:
    """The appeal, the unit's published figures and the inputs behind them (who, when),
    the supervision findings on the unit, and the answer with its corrections."""
    events = app.events_of(cycle_id)
    filed = _find(events, AppealFiled, appeal_id)
    unit = filed.data["unit"]
    published = next(e for e in events if isinstance(e, ResultsPublished))
    version = published.data["results_version"]
    resolved = next(
        (e for e in events if isinstance(e, AppealResolved) and e.data["appeal"] == appeal_id),
        None,
    )
    inputs, findings = [], []
    for _, event in concerning(events[: published.originator_version], unit):
        if isinstance(event, SupervisionRecorded):
            findings.append({**describe(event), "findings": event.data["findings"]})
        elif verb_of(event) in INPUT_VERBS:
            inputs.append({**describe(event), "role": event.role, "data": event.data})
    latest = app.results(cycle_id)
    return {
        "cycle": cycle_id,
        "appeal": {
            "id": appeal_id,
            "unit": unit,
            "by": filed.actor,
            "at": filed.at,
            "reason": filed.data["reason"],
            "position": filed.originator_version,
            "status": app.cycle(cycle_id).appeals[appeal_id]["status"],
        },
        "published": {"version": version, "row": _row(app.results(cycle_id, version), unit)},
        "current": {"version": latest["version"], "row": _row(latest, unit)},
        "inputs": inputs,
        "supervision": findings,
        "resolution": None if resolved is None else {**describe(resolved), **resolved.data},
    }


def preview_resolution(
    app: AssessApp,
    cycle_id: str,
    appeal_id: str,
    corrections: list[Any],
    outcome: str = "upheld",
    answer: str = "（预览）",
    by: str | None = None,
) -> dict[str, Any]:
    """What `resolve_appeal` would change, computed on a copy: nothing is stored."""
    cycle = app.cycle(cycle_id)
    by = by or next(
        (actor for actor, info in cycle.actors.items() if info["role"] == "org_dept"), ""
    )
    action = {
        "do": "resolve_appeal",
        "by": by,
        "appeal": appeal_id,
        "outcome": outcome,
        "answer": answer,
        "corrections": corrections,
    }
    cycle.perform(action)
    before = app.results(cycle_id)
    after = cycle.results()
    unit = cycle.appeals[appeal_id]["unit"]
    return {
        "cycle": cycle_id,
        "appeal": appeal_id,
        "unit": unit,
        "from_version": before["version"],
        "before": _row(before, unit),
        "after": next(row for row in after if row["unit"] == unit),
        "changes": compare_results(before["results"], after),
        "stored": False,
    }


def _find(events: list[CycleEvent], kind: type, appeal_id: str) -> CycleEvent:
    for event in events:
        if isinstance(event, kind) and event.data.get("appeal") == appeal_id:
            return event
    raise DomainError("not_found", f"no appeal {appeal_id!r}")


def _row(document: dict[str, Any], unit: str) -> dict[str, Any]:
    return next(row for row in document["results"] if row["unit"] == unit)
