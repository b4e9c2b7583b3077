"""Appeals (申诉, issue 13 item 6): the list a viewer may read, a unit filing its appeal
within the window (the days left shown), and org_dept working an appeal from its case
file with the what-if preview before answering it.

Reading rights are the API's (`Viewer.appeals_unit`, `require_everything` for the
preview); the filing and answering forms show only when the verb table allows the
viewer's role at this stage, and the domain accepts or refuses each action.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assess.api.console import labels
from assess.api.console.evidence import chosen_files, with_files
from assess.api.console.results import (
    GRADE_LABELS,
    Facts,
    act,
    appeal_window,
    correction_fields,
    cycle_facts,
    refusal,
    typed_field,
)
from assess.api.console.web import (
    CheckedForm,
    ConsoleRoute,
    ConsoleViewer,
    may,
    page,
    services_of,
)
from assess.api.models import PLAIN_TEXT
from assess.application.access import Viewer
from assess.application.appeals import appeals_of, case_file, preview_resolution
from assess.domain.errors import DomainError
from assess.domain.texts import ID, LONGEST
from assess.domain.verbs import CORRECTION_KINDS, OUTCOMES

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

AppealId = Annotated[str, Path(min_length=1, max_length=LONGEST[ID], pattern=PLAIN_TEXT)]
Done = Annotated[str | None, Query(max_length=40, pattern=PLAIN_TEXT)]
CORRECTION_ROWS = 3  # correction lines on the answering form
CORRECTION_FIELDS = ("kind", "component", "item", "method", "value", "ballots", "condition")


def _base(request: Request, viewer: Viewer, **context: Any) -> dict[str, Any]:
    state = viewer.state
    return {
        "viewer": viewer,
        "summary": state.summary,
        "steps": labels.steps(state.stage),
        "tab": "appeals",
        **context,
    }


def next_appeal_id(facts_appeals: dict[str, Any], unit: str) -> str:
    """A new appeal's id: `AP-<unit>-<n>`, the first n not taken."""
    number = 1
    while f"AP-{unit}-{number}" in facts_appeals:
        number += 1
    return f"AP-{unit}-{number}"


# ---- the list, and filing -------------------------------------------------------------


@router.get("/c/{cycle_id}/appeals", response_class=HTMLResponse)
def appeals(request: Request, viewer: ConsoleViewer, done: Done = None) -> HTMLResponse:
    return appeals_page(request, viewer, notice="申诉已提交。" if done == "file_appeal" else None)


def appeals_page(
    request: Request, viewer: Viewer, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    """Every appeal the viewer reads (a unit: its own; a rater: refused), and for a unit
    the filing form while the window is open."""
    only_unit = viewer.appeals_unit()
    app = services_of(request).app
    listed = sorted(appeals_of(app, viewer.cycle, only_unit), key=lambda entry: entry["position"])
    facts = cycle_facts(app, viewer.cycle)
    window = appeal_window(facts)
    may_file = may(viewer, "file_appeal") and bool(window and window["open"])
    return page(
        request,
        "appeals.html",
        status_code=status_code,
        **_base(
            request,
            viewer,
            appeals=listed,
            facts=facts,
            window=window,
            may_file=may_file,
            **extra,
        ),
    )


@router.post("/c/{cycle_id}/appeals", response_class=HTMLResponse, dependencies=[CheckedForm])
async def file_appeal(request: Request, cycle_id: str, viewer: ConsoleViewer) -> Response:
    """A unit files an appeal for its own unit; the domain checks the window."""
    form = await request.form()
    reason = form.get("reason")
    try:
        actor = viewer.acting_actor()
        unit = viewer.unit or ""
        appeal = next_appeal_id(viewer.state.appeals, unit)
        action: dict[str, Any] = {"do": "file_appeal", "by": actor, "appeal": appeal}
        if isinstance(reason, str) and reason.strip():
            action["reason"] = reason.strip()
        chosen = await chosen_files(request, form)
        act(request, viewer, [with_files(services_of(request).app, viewer, action, chosen)])
    except DomainError as error:
        failed = refusal(error)
        return appeals_page(
            request,
            viewer,
            status_code=failed["status"],
            failed=failed,
            reason=reason if isinstance(reason, str) else "",
        )
    return RedirectResponse(f"/c/{cycle_id}/appeals/{appeal}?done=file_appeal", status_code=303)


# ---- one appeal: the case file, the preview and the answer ----------------------------------


def _case(request: Request, viewer: Viewer, appeal_id: str) -> dict[str, Any]:
    only_unit = viewer.appeals_unit()
    found = case_file(services_of(request).app, viewer.cycle, appeal_id)
    if only_unit is not None and found["appeal"]["unit"] != only_unit:
        raise DomainError("not_found", f"no appeal {appeal_id!r} of unit {only_unit}")
    return found


def appeal_page(
    request: Request,
    viewer: Viewer,
    appeal_id: str,
    status_code: int = 200,
    **extra: Any,
) -> HTMLResponse:
    found = _case(request, viewer, appeal_id)
    facts = cycle_facts(services_of(request).app, viewer.cycle)
    pending = found["appeal"]["status"] == "pending"
    may_resolve = pending and may(viewer, "resolve_appeal")
    return page(
        request,
        "appeal.html",
        status_code=status_code,
        **_base(
            request,
            viewer,
            case=found,
            facts=facts,
            grade_labels=GRADE_LABELS.get(facts.scheme, {}),
            unit_name=facts.names.get(found["appeal"]["unit"], found["appeal"]["unit"]),
            window=appeal_window(facts),
            may_resolve=may_resolve,
            outcomes=OUTCOMES,
            kinds=_kinds(facts, found["appeal"]["unit"]),
            correction=correction_fields(facts),
            rows=range(CORRECTION_ROWS),
            sent=extra.pop("sent", {}),
            **extra,
        ),
    )


def _kinds(facts: Facts, unit: str) -> list[str]:
    """The correction kinds that make sense for this scheme and unit (the domain refuses
    the others all the same)."""
    kinds = ["score"]
    if facts.scheme == "leadership-team":
        kinds.append("ballots")
    if unit in facts.vetoed:
        kinds.append("revoke_veto")
    if facts.caps.get(unit):
        kinds.append("remove_cap")
    return [kind for kind in CORRECTION_KINDS if kind in kinds]


@router.get("/c/{cycle_id}/appeals/{appeal_id}", response_class=HTMLResponse)
def appeal(
    request: Request, viewer: ConsoleViewer, appeal_id: AppealId, done: Done = None
) -> HTMLResponse:
    notice = labels.VERBS.get(done) if done else None
    return appeal_page(request, viewer, appeal_id, notice=f"已{notice}。" if notice else None)


def corrections_of_form(form: Any) -> list[dict[str, Any]]:
    """The correction lines filled in (a kind chosen), as the strings typed."""
    corrections = []
    for row in range(CORRECTION_ROWS):
        entry: dict[str, Any] = {}
        for name in CORRECTION_FIELDS:
            raw = form.get(f"c{row}_{name}")
            value = raw.strip() if isinstance(raw, str) else ""
            if value:
                entry[name] = typed_field(name, value)
        if entry.get("kind"):
            corrections.append(entry)
    return corrections


def _sent(form: Any) -> dict[str, str]:
    return {key: value for key, value in form.items() if isinstance(value, str)}


@router.post(
    "/c/{cycle_id}/appeals/{appeal_id}/preview",
    response_class=HTMLResponse,
    dependencies=[CheckedForm],
)
async def preview(request: Request, viewer: ConsoleViewer, appeal_id: AppealId) -> HTMLResponse:
    """A dry run of the answer (nothing stored): the appellant's new figures and every
    knock-on change. An htmx request gets the preview alone; a plain post the whole
    page with it."""
    viewer.require_everything("appeal previews")
    form = await request.form()
    outcome = form.get("outcome")
    scheme = viewer.state.summary["scheme"]
    by = viewer.actor if viewer.role == "org_dept" else None
    try:
        found = preview_resolution(
            services_of(request).app,
            viewer.cycle,
            appeal_id,
            corrections_of_form(form),
            outcome if isinstance(outcome, str) and outcome else "upheld",
            by=by,
        )
        context: dict[str, Any] = {
            "preview": found,
            "grade_labels": GRADE_LABELS.get(scheme, {}),
        }
        status_code = 200
    except DomainError as error:
        context = {"failed": refusal(error)}
        status_code = context["failed"]["status"]
    if request.headers.get("HX-Request") == "true":
        # 200 either way: htmx swaps the preview (or the refusal) into its place.
        return page(request, "review/preview.html", **context)
    return appeal_page(
        request, viewer, appeal_id, status_code=status_code, sent=_sent(form), **context
    )


@router.post(
    "/c/{cycle_id}/appeals/{appeal_id}/resolve",
    response_class=HTMLResponse,
    dependencies=[CheckedForm],
)
async def resolve(
    request: Request, cycle_id: str, viewer: ConsoleViewer, appeal_id: AppealId
) -> Response:
    """答复申诉: upheld (with the corrections filled in) or dismissed, with an answer."""
    form = await request.form()
    try:
        action: dict[str, Any] = {
            "do": "resolve_appeal",
            "by": viewer.acting_actor(),
            "appeal": appeal_id,
        }
        for name in ("outcome", "answer"):
            raw = form.get(name)
            if isinstance(raw, str) and raw.strip():
                action[name] = raw.strip()
        corrections = corrections_of_form(form)
        if corrections:
            action["corrections"] = corrections
        chosen = await chosen_files(request, form)
        act(request, viewer, [with_files(services_of(request).app, viewer, action, chosen)])
    except DomainError as error:
        failed = refusal(error)
        return appeal_page(
            request,
            viewer,
            appeal_id,
            status_code=failed["status"],
            resolve_failed=failed,
            sent=_sent(form),
        )
    return RedirectResponse(
        f"/c/{cycle_id}/appeals/{appeal_id}?done=resolve_appeal", status_code=303
    )
