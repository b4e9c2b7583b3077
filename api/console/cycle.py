"""A cycle's overview page: the stage banner, and what the account's role does next.

The next step comes from the domain: a button or a form is shown only when the verb
policy (`domain/policy.admit`) lets the viewer's actor use the verb in this stage; what
blocks `close_scoring` is the list it would refuse on (application/progress.py); the
forms' fields are the verbs' declarations (domain/verbs.py). Every form posts to
`/c/{cycle}/do/{verb}`, which performs the verb as the API does and sends the browser
back to the page (Post/Redirect/Get) with the outcome, or the server's refusal, shown
once. 年中督查's forms (a unit's claim, an assessor's supervision and criticism) take
evidence files (evidence.py); the files the viewer may read are listed with the events
attaching them.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assess.api.console import labels
from assess.api.console.evidence import chosen_files, with_files
from assess.api.console.web import (
    CheckedForm,
    ConsoleAccount,
    ConsoleRoute,
    ConsoleViewer,
    may,
    page,
    services_of,
)
from assess.application.access import Viewer
from assess.application.files import visible_files
from assess.application.progress import progress
from assess.application.service import AssessApp
from assess.application.structure import structure, todo
from assess.domain.errors import DomainError
from assess.domain.fields import declared_fields
from assess.domain.policy import ROLES
from assess.domain.schemes import LEADERSHIP_TEAM, PERFORMANCE_EVALUATION
from assess.domain.schemes import leadership_team as lt
from assess.domain.schemes import performance_evaluation as pe
from assess.domain.texts import FREE
from assess.domain.verbs import VERBS

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

FLASH_COOKIE = "assess_flash"
# The verbs that move a season on, in the order of its stages; approval has its own page.
STAGE_VERBS = (
    "publish_items",
    "open_assessment",
    "close_scoring",
    "approve_results",
    "publish_results",
    "close_cycle",
)
ON_THEIR_OWN_PAGE = {"approve_results": "approval"}
# The structure's verbs and the fields their forms ask for (the declaration's others:
# `unit`, an alias of add_unit's `id`; `by` and `at`, which the console never sends).
STRUCTURE_FORMS = {
    "add_unit": ("id", "name", "category", "parent"),
    "define_item": ("item", "title", "kind", "body", "applies_to", "weight"),
    "add_actor": ("actor", "role", "unit", "body"),
    "retire_actor": ("actor", "reason"),
}
# 年中督查's verbs that rest on documents: their forms take evidence files (佐证材料).
EVIDENCE_FORMS = {
    "claim_commendation": ("claim", "level", "title", "evidence"),
    "record_supervision": ("unit", "method", "findings", "item"),
    "record_criticism": ("unit", "level", "title"),
}
FORM_FIELDS = {**STRUCTURE_FORMS, **EVIDENCE_FORMS}
PERFORMED_HERE = frozenset(FORM_FIELDS) | (frozenset(STAGE_VERBS) - set(ON_THEIR_OWN_PAGE))
# A scheme's own values of a field the declaration lists for every scheme together, and
# the fields a scheme does not take (their declarations name the other scheme).
SCHEME_CHOICES: dict[str, dict[str, tuple[Any, ...]]] = {
    LEADERSHIP_TEAM: {
        "kind": lt.ITEM_KINDS,
        "body": lt.BODIES,
        "applies_to": lt.APPLIES_TO,
        "category": lt.CATEGORIES,
    },
    PERFORMANCE_EVALUATION: {"kind": pe.DEFINED_KINDS, "weight": pe.WEIGHTS, "category": ()},
}
NOT_TAKEN = {
    PERFORMANCE_EVALUATION: {"define_item": {"body"}},
    LEADERSHIP_TEAM: {"define_item": {"weight"}},
}
SHOWN_UNITS = 40  # units listed per group of the missing list; the rest are counted


LISTED = 100  # units and actors listed on the page before "show all"


# ---- the page -------------------------------------------------------------------------


@router.get("/c/{cycle_id}", response_class=HTMLResponse)
def overview(request: Request, viewer: ConsoleViewer, show: str | None = None) -> HTMLResponse:
    """`show=units` or `show=actors`: the whole list (a large cycle shows the first
    LISTED of each, so that its page stays light)."""
    app = services_of(request).app
    state = viewer.state
    stage = state.stage
    scheme = state.summary["scheme"]
    shape = structure(app, viewer.cycle, with_actors=viewer.reads_everything)
    # The missing list names units: only for those who read every unit (SPEC §4).
    done = progress(app, viewer.cycle, with_missing=viewer.reads_everything)
    for group in done["groups"]:
        group["more"] = max(0, len(group.get("missing", [])) - SHOWN_UNITS)
        group["missing"] = group.get("missing", [])[:SHOWN_UNITS]
    to_do = None
    if viewer.actor is not None and viewer.role in ("assessor", "rater", "unit"):
        to_do = len(todo(app, viewer.cycle, viewer.actor)["missing"])
    response = page(
        request,
        "cycle.html",
        viewer=viewer,
        summary=state.summary,
        steps=labels.steps(stage),
        tab="overview",
        structure=shape,
        units={unit["unit"]: unit for unit in shape["units"]},
        items={item["item"]: item for item in shape["items"]},
        progress=done,
        todo=to_do,
        next_steps=_next_steps(viewer),
        links=_links(viewer, to_do),
        forms=_forms(viewer, scheme, shape),
        mid_year=_mid_year_forms(app, viewer, scheme),
        evidence_files=visible_files(app, viewer) if app.files is not None else [],
        retirable=[a for a in shape["actors"] or [] if not a["retired"]],
        units_shown=shape["units"] if show == "units" else shape["units"][:LISTED],
        actors_shown=(shape["actors"] or [])
        if show == "actors"
        else (shape["actors"] or [])[:LISTED],
        flash=_flash(request),
        published=viewer.published,
        choice_label=labels.choice_label,
        hints=labels.FIELD_HINTS,
    )
    response.delete_cookie(FLASH_COOKIE, path=_path(viewer.cycle))
    return response


def _next_steps(viewer: Viewer) -> list[dict[str, Any]]:
    """The buttons (or, for approval, the link) that move the season on."""
    steps = []
    for verb in STAGE_VERBS:
        if may(viewer, verb):
            own_page = ON_THEIR_OWN_PAGE.get(verb)
            href = f"/c/{viewer.cycle}/{own_page}" if own_page else None
            steps.append({"verb": verb, "href": href})
    return steps


def _links(viewer: Viewer, to_do: int | None) -> list[dict[str, str]]:
    """Where the viewer's part continues: the entry grid while it has entries to give,
    the results once published, the appeals while its unit may file one."""
    base = f"/c/{viewer.cycle}"
    links = []
    if to_do:
        links.append({"href": f"{base}/entry", "text": f"去录入评分（待办 {to_do} 项）"})
    if viewer.published and viewer.role is not None:
        links.append({"href": f"{base}/results", "text": "查看公示结果"})
    if may(viewer, "file_appeal"):
        links.append({"href": f"{base}/appeals", "text": "提出或查看申诉"})
    return links


def _forms(viewer: Viewer, scheme: str, shape: dict[str, Any]) -> dict[str, list[dict]]:
    """The structure's forms the viewer may use now, each a list of field specs."""
    forms = {}
    for verb, names in STRUCTURE_FORMS.items():
        fields = _fields(verb, names, scheme)
        kinds = next((f["choices"] for f in fields if f["name"] == "kind"), None)
        if kinds is not None:  # define_item: the kinds this stage allows (instant: later)
            allowed = tuple(kind for kind in kinds if may(viewer, verb, kind=kind))
            for spec in fields:
                if spec["name"] == "kind":
                    spec["choices"] = allowed
            if allowed:
                forms[verb] = fields
        elif may(viewer, verb):
            forms[verb] = fields
    if "retire_actor" in forms and not shape["actors"]:
        del forms["retire_actor"]
    return forms


def _mid_year_forms(app: AssessApp, viewer: Viewer, scheme: str) -> dict[str, list[dict]]:
    """年中督查's forms the viewer may use now; a claim's id is proposed (the first
    `CL-<unit>-<n>` not taken)."""
    forms = {
        verb: _fields(verb, names, scheme)
        for verb, names in EVIDENCE_FORMS.items()
        if may(viewer, verb)
    }
    if "claim_commendation" in forms:
        taken = app.inspect(viewer.cycle, lambda cycle: set(cycle.claims))
        number = 1
        while f"CL-{viewer.unit}-{number}" in taken:
            number += 1
        for spec in forms["claim_commendation"]:
            if spec["name"] == "claim":
                spec["value"] = f"CL-{viewer.unit}-{number}"
    return forms


def _fields(verb: str, names: tuple[str, ...], scheme: str) -> list[dict[str, Any]]:
    declared = declared_fields(VERBS[verb])
    skipped = NOT_TAKEN.get(scheme, {}).get(verb, set())
    own = SCHEME_CHOICES.get(scheme, {})
    specs = []
    for name in names:
        if name in skipped or name not in declared:
            continue
        field = declared[name]
        choices: tuple[Any, ...] = own.get(name, field.doc.choices)
        if name == "category" and scheme not in SCHEME_CHOICES:
            choices = ()  # a free category outside leadership-team
        if name == "body" and verb == "add_actor":
            choices = lt.BODIES if scheme == LEADERSHIP_TEAM else ()
        if name == "role":
            choices = ROLES
        specs.append(
            {
                "name": name,
                "id": f"{verb}-{name}",
                "required": field.required,
                "choices": choices,
                "number": field.kind is int,
                "long": verb in EVIDENCE_FORMS and field.doc.text_kind == FREE,
                "label": labels.field_label_of(verb, name),
            }
        )
    return specs


# ---- acting ---------------------------------------------------------------------------


@router.post("/c/{cycle_id}/do/{verb}", dependencies=[CheckedForm])
async def perform(
    request: Request, cycle_id: str, verb: str, account: ConsoleAccount, viewer: ConsoleViewer
) -> Response:
    """One verb of the page, performed as the API performs it (the server dates it); the
    outcome is shown once on the page the browser is sent back to."""
    if verb not in PERFORMED_HERE:
        raise DomainError("not_found", f"the cycle page does not perform {verb!r}")
    form = await request.form()
    action = {"do": verb, "by": viewer.acting_actor(), **_values(verb, form, viewer)}
    app = services_of(request).app
    try:
        if verb in EVIDENCE_FORMS:
            action = with_files(app, viewer, action, await chosen_files(request, form))
        app.act(cycle_id, [action], account=account.name)
    except DomainError as error:
        title = labels.ERROR_TITLES.get(error.code, "操作未完成")
        text = f"{labels.VERBS.get(verb, verb)}未完成：{title}。{labels.in_chinese(error.message)}"
        outcome = {"ok": False, "text": text}
    else:
        outcome = {"ok": True, "text": f"已完成：{labels.VERBS.get(verb, verb)}。"}
    response = RedirectResponse(_path(cycle_id), status_code=303)
    response.set_cookie(
        FLASH_COOKIE,
        quote(json.dumps(outcome, ensure_ascii=False)),
        max_age=60,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=_path(cycle_id),
    )
    return response


def _values(verb: str, form: Any, viewer: Viewer) -> dict[str, Any]:
    """The form's filled fields, as strings (the domain reads exact values from them);
    an integer field given in digits as an integer, a list of units as a list."""
    declared = declared_fields(VERBS[verb])
    values: dict[str, Any] = {}
    for name in FORM_FIELDS.get(verb, ()):
        raw = form.get(name)
        if not isinstance(raw, str) or not raw.strip():
            continue
        value: Any = raw.strip()
        if declared[name].kind is int and re.fullmatch(r"[0-9]{1,3}", value):
            value = int(value)
        if (
            name == "applies_to"
            and viewer.state.summary["scheme"] == PERFORMANCE_EVALUATION
            and value != "all"
        ):
            value = [unit for unit in re.split(r"[\s,，、]+", value) if unit]
        values[name] = value
    return values


def _flash(request: Request) -> dict[str, Any] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        outcome = json.loads(unquote(raw))
    except ValueError:
        return None
    if not isinstance(outcome, dict) or not isinstance(outcome.get("text"), str):
        return None
    return {"ok": bool(outcome.get("ok")), "text": outcome["text"][:2000]}


def _path(cycle_id: str) -> str:
    return f"/c/{quote(cycle_id, safe='')}"
