"""Appeal review: the case file of an appeal, and a dry run of its resolution."""

from __future__ import annotations

from typing import Any

from assess.application.audit import appeal_as_filed, audit_rows, concerning, verb_of
from assess.application.files import attachments_in
from assess.application.history import compare_results, describe
from assess.application.service import AssessApp
from assess.application.views import note
from assess.domain.errors import DomainError
from assess.domain.events import (
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


def appeals_of(app: AssessApp, cycle_id: str, unit: str | None = None) -> list[dict[str, Any]]:
    """Every appeal (optionally of one unit) as filed, with its status now: from the
    `audit` view when it has followed the cycle to its end, else from the events."""
    listed = app.views.appeals(cycle_id, unit) if app.views is not None else None
    if listed is not None:
        note("current")
        return listed
    note("behind")
    found: dict[str, dict[str, Any]] = {}
    for event in app.events_of(cycle_id):
        if isinstance(event, AppealFiled):
            found[event.data["appeal"]] = appeal_as_filed(event)
        elif isinstance(event, AppealResolved):
            found[event.data["appeal"]]["status"] = event.data["outcome"]
    return [entry for entry in found.values() if unit is None or entry["unit"] == unit]


def case_file(app: AssessApp, cycle_id: str, appeal_id: str) -> dict[str, Any]:
    """Everything an appeal review needs: the appeal; the unit's figures at publication,
    after the answer and now; the inputs behind them (who, when) and every other event
    that touched the unit; the supervision findings; the answer and its corrections; and
    every evidence file those events attach (`files`, with the position of the first)."""
    events = app.events_of(cycle_id)
    filed = _find(events, AppealFiled, appeal_id)
    unit = filed.data["unit"]
    published = next(e for e in events if isinstance(e, ResultsPublished))
    resolved = next(
        (e for e in events if isinstance(e, AppealResolved) and e.data["appeal"] == appeal_id),
        None,
    )
    appeal = appeal_as_filed(filed)
    if resolved is not None:
        appeal["status"] = resolved.data["outcome"]
    inputs, findings = [], []
    for _, event in concerning(events[: published.originator_version], unit):
        if isinstance(event, SupervisionRecorded):
            findings.append({**describe(event), "findings": event.data["findings"]})
        elif verb_of(event) in INPUT_VERBS:
            inputs.append({**describe(event), "role": event.role, "data": event.data})
    answered = resolved.data.get("version") if resolved is not None else None
    return {
        "cycle": cycle_id,
        "appeal": appeal,
        "results_at_publication": _unit_result(
            app.results(cycle_id, published.data["results_version"]), unit
        ),
        "results_after_resolution": (
            _unit_result(app.results(cycle_id, answered), unit) if answered else None
        ),
        "current": _unit_result(app.results(cycle_id), unit),
        "inputs": inputs,
        "supervision": findings,
        "events": audit_rows(events, unit),
        "files": attachments_in(event for _, event in concerning(events, unit)),
        "resolution": None if resolved is None else _resolution(resolved),
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


def _resolution(event: CycleEvent) -> dict[str, Any]:
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


def _unit_result(document: dict[str, Any], unit: str) -> dict[str, Any]:
    """The unit's row in a results version, with that version's number and digest."""
    return {
        "version": document["version"],
        "digest": document["digest"],
        "row": _row(document, unit),
    }


def _row(document: dict[str, Any], unit: str) -> dict[str, Any]:
    return next(row for row in document["results"] if row["unit"] == unit)
