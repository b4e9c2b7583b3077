"""Results, review and approval (issue 13, item 5): the results table of any version with
its filters and pages, the review forms (veto, cap, correction, adjustment), the CSV of
what the viewer may read, and the leading group's approval page with the version diff
and the digest it signs off.

Reading rights are the API's (`Viewer.results_unit`, `require_everything`); which form
shows is read from the verb table (`domain/policy.py`), the fields and their choices
from the verbs' declarations (`domain/verbs.py`); every action is the domain's to
accept or refuse, and a refusal is shown beside the form with the server's message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assess.api.console import labels
from assess.api.console.evidence import chosen_files, with_files
from assess.api.console.web import (
    CheckedForm,
    ConsoleRoute,
    ConsoleViewer,
    may,
    page,
    services_of,
)
from assess.api.errors import STATUS_OF_CODE
from assess.api.models import LARGEST_NUMBER, PLAIN_TEXT
from assess.application.access import Viewer
from assess.application.entry import ballots_of, figure
from assess.application.exports import COMPONENT_ORDER, results_csv
from assess.application.service import AssessApp
from assess.domain.actions import day_of
from assess.domain.attachments import VERBS as ATTACHING_VERBS
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.fields import declared_fields
from assess.domain.schemes import GROUP_PARTY_ORG, LEADERSHIP_TEAM, PERFORMANCE_EVALUATION
from assess.domain.schemes import group_party_org as gpo
from assess.domain.schemes import leadership_team as lt
from assess.domain.schemes import performance_evaluation as pe
from assess.domain.texts import LONGEST, NAME
from assess.domain.verbs import VERBS, VETO_BASES

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

PAGE_SIZE = 50
# The review forms of the results page, in the order shown; those that take evidence files.
REVIEW_VERBS = (
    "apply_veto",
    "revoke_veto",
    "apply_cap",
    "correct_score",
    "propose_adjustment",
    "approve_adjustment",
    "reject_adjustment",
)
EVIDENCE_VERBS = frozenset(REVIEW_VERBS) & frozenset(ATTACHING_VERBS)
GRADE_LABELS = {
    GROUP_PARTY_ORG: gpo.GRADE_LABELS,
    LEADERSHIP_TEAM: lt.GRADE_LABELS,
    PERFORMANCE_EVALUATION: pe.GRADE_LABELS,
}
BALLOT_COMPONENTS = ("democratic_self", "democratic_staff", "debrief")
NOT_FORM_FIELDS = ("by", "at", "deductions", "corrections", "attachments")

Version = Annotated[int | None, Query(ge=1, le=LARGEST_NUMBER)]
Category = Annotated[str | None, Query(max_length=LONGEST[NAME], pattern=PLAIN_TEXT)]
PageNumber = Annotated[int, Query(ge=1, le=LARGEST_NUMBER)]


# ---- what the pages need of the cycle, read once -----------------------------------------


@dataclass(frozen=True)
class Facts:
    """The cycle's structure and review state, copied at one moment (`cycle_facts`)."""

    scheme: str
    stage: str
    head: str
    rules: dict[str, Any]
    units: list[dict[str, str]]
    categories: list[str]
    items: list[dict[str, Any]]
    vetoed: list[str]
    caps: dict[str, list[str]]
    adjustments: list[dict[str, Any]]
    published: date | None
    names: dict[str, str] = field(default_factory=dict)


def cycle_facts(app: AssessApp, cycle_id: str) -> Facts:
    return app.inspect(cycle_id, _facts_of)


def _facts_of(cycle: Cycle) -> Facts:
    units = [
        {"unit": unit, "name": entry.get("name", unit), "category": entry.get("category", "")}
        for unit, entry in sorted(cycle.units.items())
    ]
    published: date | None = None
    if cycle.published_at:
        published = day_of(cycle.published_at)
    elif recorded := getattr(cycle, "published_on", None):
        published = date.fromisoformat(recorded)
    return Facts(
        scheme=cycle.scheme,
        stage=cycle.stage,
        head=cycle.head,
        rules=dict(cycle.rules),
        units=units,
        categories=sorted({entry["category"] for entry in units}),
        items=[
            {"item": item, "title": entry.get("title", item)}
            for item, entry in sorted(cycle.items.items())
        ],
        vetoed=sorted(cycle.vetoes),
        caps={unit: list(conditions) for unit, conditions in cycle.caps.items() if conditions},
        adjustments=[
            {"adjustment": key, **entry} for key, entry in sorted(cycle.adjustments.items())
        ],
        published=published,
        names={entry["unit"]: entry["name"] for entry in units},
    )


def appeal_window(facts: Facts, today: date | None = None) -> dict[str, Any] | None:
    """The appeal window as the domain counts it (calendar days from publication, the
    last day accepted): its last day and the days left (negative once closed)."""
    if facts.published is None:
        return None
    days = int(facts.rules["appeal_window_days"])
    today = today or datetime.now(UTC).date()
    last = facts.published + timedelta(days=days)
    return {
        "published": facts.published,
        "days": days,
        "last": last,
        "left": (last - today).days,
        "open": today <= last,
    }


# ---- forms to actions ----------------------------------------------------------------------


def action_of_form(verb: str, form: Any, actor: str) -> dict[str, Any]:
    """The action a form asks for: its declared fields that were filled in, as the
    strings typed (the domain reads exact decimals from strings); a ballot list is
    split on commas, spaces or 、. The console asks a reason for every form whose verb
    takes one (the domain requires it of most; see docs/decisions.md)."""
    action: dict[str, Any] = {"do": verb, "by": actor}
    for name in declared_fields(VERBS[verb]):
        if name in NOT_FORM_FIELDS:
            continue
        raw = form.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            continue
        action[name] = typed_field(name, value)
    if "reason" in declared_fields(VERBS[verb]) and "reason" not in action:
        raise DomainError("invalid_value", "请填写理由（reason）：审核操作都须写明理由")
    return action


NUMERIC_FIELDS = ("value", "delta")


def typed_field(name: str, value: str) -> Any:
    """A form field's text as an action's field: ballots a list, figures decimals."""
    if name == "ballots":
        return [figure(part) for part in ballots_of(value)]
    return figure(value) if name in NUMERIC_FIELDS else value


def act(request: Request, viewer: Viewer, actions: list[dict[str, Any]]) -> None:
    """The actions performed exactly as over the API, by the account signed in."""
    services_of(request).app.act(viewer.cycle, actions, account=viewer.account)


def refusal(error: DomainError) -> dict[str, Any]:
    return {
        "title": labels.ERROR_TITLES.get(error.code, "操作未完成"),
        "message": labels.in_chinese(error.message),
        "status": STATUS_OF_CODE.get(error.code, 422),
    }


# ---- results -------------------------------------------------------------------------------


def _results_context(
    request: Request,
    viewer: Viewer,
    version: int | None,
    category: str | None,
    number: int,
) -> dict[str, Any]:
    """What the results page and its table fragment show, within the viewer's rights."""
    only_unit = viewer.results_unit()  # a rater before publication: permission_denied
    app = services_of(request).app
    state = viewer.state
    context: dict[str, Any] = {
        "viewer": viewer,
        "summary": state.summary,
        "steps": labels.steps(state.stage),
        "tab": "results",
        "versions": state.versions,
        "category": category or "",
        "only_unit": only_unit,
        "document": None,
    }
    if not state.versions:
        return context
    document, total = app.results_page(
        viewer.cycle,
        version,
        category=category or None,
        unit=only_unit,
        offset=(number - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    present = {key for row in document["results"] for key in row["components"]}
    query = {"version": document["version"], **({"category": category} if category else {})}
    pages = max(1, -(-total // PAGE_SIZE))
    context.update(
        document=document,
        total=total,
        components=[key for key in COMPONENT_ORDER if key in present],
        number=number,
        pages=pages,
        query=query,
        base=f"/c/{viewer.cycle}/results",
        csv=f"/c/{viewer.cycle}/results.csv?{urlencode(query)}",
        link=lambda n: f"/c/{viewer.cycle}/results?{urlencode({**query, 'page': n})}",
        latest=state.versions[-1]["version"],
    )
    return context


def _review_forms(viewer: Viewer, facts: Facts) -> list[str]:
    forms = [verb for verb in REVIEW_VERBS if may(viewer, verb)]
    if not facts.vetoed and "revoke_veto" in forms:
        forms.remove("revoke_veto")
    if not any(entry["status"] == "proposed" for entry in facts.adjustments):
        forms = [verb for verb in forms if verb not in ("approve_adjustment", "reject_adjustment")]
    return forms


def correction_fields(facts: Facts) -> dict[str, Any]:
    """What a correction (or an appeal's correction) may name in this scheme."""
    scheme = facts.scheme
    return {
        "components": gpo.COMPONENTS
        if scheme == GROUP_PARTY_ORG
        else BALLOT_COMPONENTS
        if scheme == LEADERSHIP_TEAM
        else (),
        "items": facts.items if scheme != GROUP_PARTY_ORG else [],
        "methods": pe.METHODS if scheme == PERFORMANCE_EVALUATION else (),
        "ballots": scheme == LEADERSHIP_TEAM,
        "points": list(facts.rules.get("score_points", {}).items())
        if scheme == PERFORMANCE_EVALUATION
        else [],
        "conditions": gpo.CAP_CONDITIONS if scheme == GROUP_PARTY_ORG else (),
    }


def results_page(
    request: Request,
    viewer: Viewer,
    version: int | None = None,
    category: str | None = None,
    number: int = 1,
    status_code: int = 200,
    notice: str | None = None,
    **extra: Any,
) -> HTMLResponse:
    """The results page; an htmx request (the filters, the pager) gets the table alone."""
    context = _results_context(request, viewer, version, category, number)
    fragment = request.headers.get("HX-Request") == "true"
    if fragment and not extra:
        return page(request, "review/results_table.html", **context)
    facts = cycle_facts(services_of(request).app, viewer.cycle)
    forms = _review_forms(viewer, facts)
    context.update(
        facts=facts,
        forms=forms,
        veto_bases=VETO_BASES,
        evidence_verbs=EVIDENCE_VERBS,
        cap_conditions=gpo.CAP_CONDITIONS,
        correction=correction_fields(facts),
        proposed=[entry for entry in facts.adjustments if entry["status"] == "proposed"],
        next_adjustment=f"ADJ-{len(facts.adjustments) + 1}",
        notice=notice,
        approval_link=viewer.reads_everything and bool(viewer.state.versions),
        **extra,
    )
    return page(request, "results.html", status_code=status_code, **context)


@router.get("/c/{cycle_id}/results", response_class=HTMLResponse)
def results(
    request: Request,
    viewer: ConsoleViewer,
    version: Version = None,
    category: Category = None,
    page: PageNumber = 1,
    done: Annotated[str | None, Query(max_length=40, pattern=PLAIN_TEXT)] = None,
) -> HTMLResponse:
    """The results of a version (latest by default), one page of PAGE_SIZE rows, filtered
    by category; an htmx request gets the table alone."""
    done_label = labels.VERBS.get(done) if done else None
    notice = f"已{done_label}。" if done_label else None
    return results_page(request, viewer, version, category, page, notice=notice)


@router.get("/c/{cycle_id}/results.csv")
def results_download(
    request: Request, viewer: ConsoleViewer, version: Version = None, category: Category = None
) -> Response:
    """The same CSV as the API's (`format=csv`): every row the viewer may read."""
    only_unit = viewer.results_unit()
    document = services_of(request).app.results_at(
        viewer.cycle, version, category=category or None, unit=only_unit
    )
    name = f"{document['cycle']}-v{document['version']}.csv"
    return Response(
        results_csv(document["results"]),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/c/{cycle_id}/review/{verb}", response_class=HTMLResponse, dependencies=[CheckedForm])
async def review(request: Request, cycle_id: str, verb: str, viewer: ConsoleViewer) -> Response:
    """One review action from its form; refused, the results page shows the server's
    message beside the form, and nothing is stored."""
    if verb not in REVIEW_VERBS:
        raise DomainError("not_found", f"no review form {verb!r}")
    form = await request.form()
    try:
        action = action_of_form(verb, form, viewer.acting_actor())
        if verb in EVIDENCE_VERBS:
            chosen = await chosen_files(request, form)
            action = with_files(services_of(request).app, viewer, action, chosen)
        act(request, viewer, [action])
    except DomainError as error:
        failed = refusal(error)
        return results_page(
            request,
            viewer,
            status_code=failed["status"],
            failed={**failed, "verb": verb},
            sent={key: value for key, value in form.items() if isinstance(value, str)},
        )
    return RedirectResponse(f"/c/{cycle_id}/results?done={verb}#review", status_code=303)


# ---- approval (审定) -------------------------------------------------------------------


def approval_of(app: AssessApp, viewer: Viewer) -> dict[str, Any] | None:
    """The leading group's approval, if given: who, when, and the version it approved
    (the last version created before it)."""
    rows, _ = app.audit(viewer.cycle, verb="approve_results", limit=1)
    if not rows:
        return None
    row = rows[0]
    before = [entry for entry in viewer.state.versions if entry["position"] < row["position"]]
    return {**row, "version": before[-1] if before else None}


@router.get("/c/{cycle_id}/approval", response_class=HTMLResponse)
def approval(
    request: Request,
    viewer: ConsoleViewer,
    done: Annotated[str | None, Query(max_length=40, pattern=PLAIN_TEXT)] = None,
) -> HTMLResponse:
    notice = labels.VERBS.get(done) if done else None
    return approval_page(request, viewer, **({"notice": f"已{notice}。"} if notice else {}))


def approval_page(request: Request, viewer: Viewer, **extra: Any) -> HTMLResponse:
    """What the leading group signs off: the version, its digest, the chain head, and what
    changed since scoring closed (version 1; a cycle is approved once)."""
    viewer.require_everything("the approval page")
    app = services_of(request).app
    state = viewer.state
    facts = cycle_facts(app, viewer.cycle)
    approved = approval_of(app, viewer)
    latest = state.versions[-1] if state.versions else None
    target = approved["version"] if approved and approved["version"] else latest
    diff = None
    if target is not None and target["version"] > 1:
        diff = app.diff(viewer.cycle, 1, target["version"])
    status_code = extra.pop("status_code", 200)
    return page(
        request,
        "approval.html",
        status_code=status_code,
        viewer=viewer,
        summary=state.summary,
        steps=labels.steps(state.stage),
        tab="results",
        facts=facts,
        latest=latest,
        target=target,
        approved=approved,
        diff=diff,
        grade_labels=GRADE_LABELS.get(facts.scheme, {}),
        may_approve=may(viewer, "approve_results") and latest is not None,
        may_publish=may(viewer, "publish_results"),
        **extra,
    )


@router.post(
    "/c/{cycle_id}/approval/{verb}", response_class=HTMLResponse, dependencies=[CheckedForm]
)
async def approve(request: Request, cycle_id: str, verb: str, viewer: ConsoleViewer) -> Response:
    """审定 (approve_results, the leading group) or 公示 (publish_results, org_dept). The
    form carries the digest the person saw: if the latest version has changed since, the
    page is shown again instead of approving what was not seen."""
    if verb not in ("approve_results", "publish_results"):
        raise DomainError("not_found", f"no approval form {verb!r}")
    form = await request.form()
    seen = form.get("digest")
    latest = viewer.state.versions[-1]["digest"] if viewer.state.versions else None
    try:
        if seen != latest:
            raise DomainError(
                "conflict", "结果已有新版本：请核对本页显示的最新版本和摘要后重新审定。"
            )
        act(request, viewer, [{"do": verb, "by": viewer.acting_actor()}])
    except DomainError as error:
        failed = refusal(error)
        return approval_page(request, viewer, failed=failed, status_code=failed["status"])
    return RedirectResponse(f"/c/{cycle_id}/approval?done={verb}", status_code=303)
