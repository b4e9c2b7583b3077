"""The audit pages of the console (issue 13): a cycle's audit trail with filters and
pages (htmx swaps the table), verification with one click, and a unit's own history.
Reading rights are the API's: `audit_scope` holds a unit to its own unit's events and a
rater to its own acts; verification is for readers of everything; a unit's history
lists the cycles in which the account may read that unit's results."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assess.api.access import viewer_of
from assess.api.console import labels
from assess.api.console.web import (
    ConsoleAccount,
    ConsoleRoute,
    ConsoleViewer,
    page,
    services_of,
)
from assess.api.models import ID_TEXT
from assess.application.access import Viewer, cycle_actors
from assess.application.organisation import history, readable_rows
from assess.application.verify import verify_cycle
from assess.domain.errors import DomainError
from assess.domain.texts import ID, LONGEST

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

PAGE = 50  # audit rows per page
FILTERS = ("unit", "verb", "actor", "account")
# Dates are days of the offices' clock, China Standard Time (UTC+8): `since` from the
# start of its day, `until` to the end of its day. Recording times are shown in it too.
CST = timezone(timedelta(hours=8))
_ID = re.compile(ID_TEXT)


class BadFilter(Exception):
    """A filter the audit trail cannot take: said in one line beside the form."""


@router.get("/c/{cycle_id}/audit", response_class=HTMLResponse)
def audit(request: Request, viewer: ConsoleViewer) -> HTMLResponse:
    app = services_of(request).app
    asked = {
        name: request.query_params.get(name, "").strip() for name in (*FILTERS, "since", "until")
    }
    # What the viewer is held to whatever it asks (a unit: its own unit; a rater: its
    # own acts), so the form shows it fixed.
    fixed_unit, fixed_actor = viewer.audit_scope(None, None)
    context: dict[str, Any] = {
        "asked": asked,
        "fixed_unit": fixed_unit,
        "fixed_actor": fixed_actor,
        "rows": [],
        "total": 0,
        "offset": 0,
        "problem": None,
        "pages": [],
    }
    status = 200
    try:
        ids = {name: _id(name, asked[name]) for name in FILTERS}
        if ids["verb"] is not None and ids["verb"] not in labels.VERBS:
            raise BadFilter("未知的操作类型。")
        since, until = _day(asked["since"], "起始日期"), _day(asked["until"], "截止日期")
        offset = _offset(request.query_params.get("offset", "0"))
        unit, actor = viewer.audit_scope(ids["unit"], ids["actor"])
        rows, total = app.audit(
            viewer.cycle,
            unit,
            ids["verb"],
            actor,
            since,
            until + timedelta(days=1) if until else None,
            offset=offset,
            limit=PAGE,
            account=ids["account"],
        )
        context.update(
            rows=[_shown(row) for row in rows],
            total=total,
            offset=offset,
            pages=_pages(asked, offset, total),
        )
    except BadFilter as bad:
        context["problem"] = str(bad)
        status = 422
    template = "audit/table.html" if _fragment(request) else "audit.html"
    return page(request, template, status, **_cycle(viewer, "audit"), **context)


@router.get("/c/{cycle_id}/verify", response_class=HTMLResponse)
def verify(request: Request, viewer: ConsoleViewer) -> HTMLResponse:
    """The page offers the button; with `run=1` (the button) the events are replayed."""
    viewer.require_everything("verifications")
    report = None
    if request.query_params.get("run") == "1":
        report = verify_cycle(services_of(request).app, viewer.cycle)
    template = "audit/verification.html" if _fragment(request) else "verify.html"
    return page(request, template, **_cycle(viewer, "audit"), report=report)


@router.get("/history/{unit}", response_class=HTMLResponse)
def unit_history(request: Request, unit: str, account: ConsoleAccount) -> HTMLResponse:
    if len(unit) > LONGEST[ID] or not _ID.match(unit):
        raise DomainError("invalid_value", "单位编号格式不正确。")
    app = services_of(request).app

    def viewer(cycle: str) -> Viewer:
        return viewer_of(app, cycle, cycle_actors(app, cycle), account)

    found = history(app, unit, readable_rows(viewer))
    return page(request, "history.html", unit=unit, entries=found["entries"])


# ---- reading the form --------------------------------------------------------------------


def _fragment(request: Request) -> bool:
    """An htmx request for the table (not a boosted whole page)."""
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-Target") in ("audit-table", "verification")
    )


def _id(name: str, value: str) -> str | None:
    if not value:
        return None
    if len(value) > LONGEST[ID] or not _ID.match(value):
        raise BadFilter(f"筛选条件“{FIELD_NAMES[name]}”不是有效的编号。")
    return value


FIELD_NAMES = {"unit": "单位", "verb": "操作", "actor": "人员", "account": "账户"}


def _day(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name}应为“年-月-日”格式的日期，例如 2025-12-31。") from None
    return datetime(day.year, day.month, day.day, tzinfo=CST)


def _offset(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise BadFilter("页码不正确。")
    return int(value)


def _pages(asked: dict[str, str], offset: int, total: int) -> list[dict[str, Any]]:
    """Links to the previous and next page and to the first and last, with the filters."""
    kept = {name: value for name, value in asked.items() if value}
    last = max((total - 1) // PAGE * PAGE, 0)

    def link(label: str, to: int, rel: str) -> dict[str, Any]:
        return {"label": label, "query": urlencode({**kept, "offset": to}), "rel": rel}

    links = []
    if offset > 0:
        links += [link("首页", 0, "first"), link("上一页", max(offset - PAGE, 0), "prev")]
    if offset + PAGE < total:
        links += [link("下一页", offset + PAGE, "next"), link("末页", last, "last")]
    return links


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    recorded = datetime.fromisoformat(row["recorded"]).astimezone(CST)
    return {**row, "recorded_cst": recorded.strftime("%Y-%m-%d %H:%M:%S")}


def _cycle(viewer: Viewer, tab: str) -> dict[str, Any]:
    state = viewer.state
    return {
        "viewer": viewer,
        "summary": state.summary,
        "steps": labels.steps(state.stage),
        "tab": tab,
    }
