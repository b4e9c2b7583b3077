"""Score entry (issue 13, item 4): assessors, raters and units fill in a grid of units ×
entries and save it as one batch.

The grid shows only what the signed-in actor may enter now (`application/entry.py` asks
the verb policy), with what is stored. Saving sends what differs from the store as one
atomic batch through `AssessApp.act`, as the API does; a refusal stores nothing and its
message is shown on the cell(s) of the refused action, with every typed value kept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assess.api.console import labels
from assess.api.console.web import (
    CheckedForm,
    ConsoleAccount,
    ConsoleRoute,
    ConsoleViewer,
    page,
    services_of,
)
from assess.application.access import Viewer
from assess.application.entry import (
    AWARD,
    BALLOTS,
    FIXED,
    Cell,
    Column,
    Deduction,
    Sheet,
    entry_plan,
    entry_sheet,
    same_entry,
)
from assess.domain.errors import ActionRefused

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

CELL = "cell"
DEDUCTION_ROWS = 3  # rows of the negative-list form under the grid


@router.get("/c/{cycle_id}/entry", response_class=HTMLResponse)
def entry_page(request: Request, viewer: ConsoleViewer) -> HTMLResponse:
    """The grid; `?page=N` pages through the units, `?missing=1` keeps those with an
    entry still empty."""
    query = request.query_params
    return _render(request, viewer, _int(query.get("page"), 1), query.get("missing") == "1")


@router.post("/c/{cycle_id}/entry", response_class=HTMLResponse, dependencies=[CheckedForm])
async def save_entries(
    request: Request, viewer: ConsoleViewer, account: ConsoleAccount
) -> HTMLResponse:
    form = await request.form()
    fields = {key: value for key, value in form.multi_items() if isinstance(value, str)}
    page_number = _int(fields.get("page"), 1)
    missing = fields.get("missing") == "1"
    actor = viewer.acting_actor()
    cells = _cells_of(fields)
    deduction = _deduction_of(fields)
    services = services_of(request)
    plan = entry_plan(services.app, viewer.cycle, actor, cells, deduction)
    if not plan.actions:
        return _render(request, viewer, page_number, missing, notice="没有需要保存的修改。")
    try:
        applied = services.app.act(viewer.cycle, plan.actions, account=account.name)
    except ActionRefused as refusal:
        cells_refused = plan.cells_of(refusal.index, refusal.message)
        title = labels.ERROR_TITLES.get(refusal.code, "操作未完成")
        message = f"{title}：{labels.in_chinese(refusal.message)}"
        verb = labels.VERBS.get(refusal.verb, refusal.verb)
        errors = dict.fromkeys(cells_refused, message)
        deduction_error = (
            message if deduction is not None and refusal.index == len(plan.actions) - 1 else None
        )
        fragment = request.headers.get("HX-Request") == "true"
        return _render(
            request,
            viewer,
            page_number,
            missing,
            typed=cells,
            errors=errors,
            refusal=f"未保存：第 {refusal.index + 1} 项操作（{verb}）被拒绝，"
            f"本次填写的内容均未保存。{message}",
            deduction_typed=fields,
            deduction_error=deduction_error,
            # htmx swaps only 2xx answers: the fragment carries the refusal itself.
            status_code=200 if fragment else 422,
        )
    entered = sum(len(cells) for cells in plan.targets)
    notice = f"已保存 {entered} 项（{applied.events} 条记录）。"
    return _render(request, viewer, page_number, missing, notice=notice)


# ---- the grid as the template shows it ------------------------------------------------------


def _render(
    request: Request,
    viewer: Viewer,
    page_number: int,
    missing: bool,
    *,
    notice: str | None = None,
    refusal: str | None = None,
    typed: dict[Cell, str] | None = None,
    errors: dict[Cell, str] | None = None,
    deduction_typed: dict[str, str] | None = None,
    deduction_error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    state = viewer.state
    sheet = None
    if viewer.actor is not None:
        sheet = entry_sheet(
            services_of(request).app, viewer.cycle, viewer.actor, page_number, missing
        )
    grid = _grid(sheet, typed or {}, errors or {}) if sheet else None
    fragment = request.headers.get("HX-Request") == "true"
    return page(
        request,
        "entry/grid.html" if fragment else "entry.html",
        status_code=status_code,
        viewer=viewer,
        summary=state.summary,
        steps=labels.steps(state.stage),
        tab="entry",
        sheet=sheet,
        grid=grid,
        missing=missing,
        notice=notice,
        refusal=refusal,
        deduction=_deduction_form(sheet, deduction_typed or {}, deduction_error),
    )


def _grid(sheet: Sheet, typed: dict[Cell, str], errors: dict[Cell, str]) -> dict[str, Any]:
    columns = [{"label": _column_label(c), "hint": _hint(c)} for c in sheet.columns]
    rows = []
    for r, row in enumerate(sheet.rows):
        cells: list[dict[str, Any] | None] = []
        for c, column in enumerate(sheet.columns):
            if column.key not in row.values:
                cells.append(None)
                continue
            cell: Cell = (*column.key, row.unit)
            stored = row.values[column.key]
            value = typed.get(cell, stored)
            choices = _choices(column)
            cells.append(
                {
                    "id": f"e-{r}-{c}",
                    "row": r,
                    "col": c,
                    "name": cell_name(cell),
                    "kind": column.kind,
                    "value": value,
                    "choices": choices,
                    "selected": next((v for v, _ in choices if same_entry(v, value)), ""),
                    "labels": " ".join(column.labels),
                    "label": f"{row.name}（{row.unit}） {_column_label(column)}",
                    "error": errors.get(cell),
                }
            )
        rows.append({"unit": row.unit, "name": row.name, "cells": cells})
    return {"columns": columns, "rows": rows}


def _column_label(column: Column) -> str:
    if column.kind == AWARD:
        return "年度工作考评综合奖"
    if column.kind == BALLOTS:
        return labels.COMPONENTS.get(column.name, column.name) + "测评票"
    if column.title is None:
        return labels.COMPONENTS.get(column.name, column.name)
    title = f"{column.title}（{column.name}）" if column.title != column.name else column.name
    if column.method:
        return f"{title} · {labels.COMPONENTS.get(column.method, column.method)}"
    return title


def _hint(column: Column) -> str:
    if column.kind == BALLOTS:
        if column.labels:
            return "每票填 " + "/".join(column.labels) + "，以空格分隔"
        return "每票 0–100，以空格分隔"
    if column.kind in (AWARD, FIXED):
        return "请选择"
    return "0–100，最多两位小数"


def _choices(column: Column) -> list[tuple[str, str]]:
    if column.kind == AWARD:
        return [(value, labels.AWARDS.get(value, value)) for value, _ in column.choices]
    return [(value, f"{label}（{value}）") for value, label in column.choices]


def _deduction_form(
    sheet: Sheet | None, typed: dict[str, str], error: str | None
) -> dict[str, Any] | None:
    if sheet is None or not sheet.deduction_areas or not sheet.rows:
        return None
    return {
        "units": [(row.unit, f"{row.name}（{row.unit}）") for row in sheet.rows],
        "components": [
            (column.name, labels.COMPONENTS.get(column.name, column.name))
            for column in sheet.columns
        ],
        "areas": [(area, labels.DEDUCTION_AREAS.get(area, area)) for area in sheet.deduction_areas],
        "rows": range(DEDUCTION_ROWS),
        "typed": typed,
        "error": error,
    }


# ---- the posted form -------------------------------------------------------------------------


def cell_name(cell: Cell) -> str:
    """A cell's form field: its parts, each percent-encoded (ids may hold any character
    but whitespace), joined by slashes."""
    return "/".join([CELL, *(quote(part, safe="") for part in cell)])


def _cells_of(fields: dict[str, str]) -> dict[Cell, str]:
    cells: dict[Cell, str] = {}
    for key, value in fields.items():
        parts = key.split("/")
        if len(parts) == 5 and parts[0] == CELL:
            kind, name, method, unit = (unquote(part) for part in parts[1:])
            cells[(kind, name, method, unit)] = value
    return cells


def _deduction_of(fields: dict[str, str]) -> tuple[str, str, list[Deduction]] | None:
    """The negative-list form: used once a unit, a component and one row are filled."""
    unit = fields.get("ded_unit", "").strip()
    component = fields.get("ded_component", "").strip()
    entries = []
    for i in range(DEDUCTION_ROWS):
        area, points, reason = (
            fields.get(f"ded_{part}_{i}", "") for part in ("area", "points", "reason")
        )
        if area.strip() or points.strip() or reason.strip():
            entries.append(Deduction(area.strip(), points, reason))
    if not unit or not component or not entries:
        return None
    return unit, component, entries


def _int(raw: str | None, default: int) -> int:
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default
