"""Excel in the console (issue 14): the signed-in actor's score template and a filled one
uploaded as one atomic batch (the entry page), the results and the audit trail as
workbooks (the results and audit pages).

Reading rights are the API's: a results workbook holds every row, so it is for who may
read every unit's results (`results_unit()` is None); the audit workbook keeps to the
viewer's `audit_scope` (a unit: its own unit's events). Every problem of an uploaded
sheet is the application's (`import_sheet`), listed one a line; nothing is stored then.
"""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from assess.api.console import labels
from assess.api.console.web import CheckedForm, ConsoleRoute, ConsoleViewer, page, services_of
from assess.api.models import LARGEST_NUMBER
from assess.application.access import Viewer
from assess.application.sheets import SheetProblems, import_sheet, template
from assess.application.workbooks import audit_workbook, results_workbook
from assess.domain.errors import DomainError
from assess.domain.requests import request_of

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_FIELD = "sheet"
LARGEST_SHEET = 10 * 1024 * 1024  # bytes: a template of a 2,000-unit cycle is far smaller

Version = Annotated[int | None, Query(ge=1, le=LARGEST_NUMBER)]


def _workbook(data: bytes, name: str) -> Response:
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/c/{cycle_id}/template.xlsx")
def template_download(request: Request, viewer: ConsoleViewer) -> Response:
    """The template of what the signed-in account's actor may enter now (as the API's
    `GET /cycles/{id}/template`)."""
    actor = viewer.acting_actor()
    data = template(services_of(request).app, viewer.cycle, actor)
    return _workbook(data, f"{viewer.cycle}-{actor}.xlsx")


@router.post("/c/{cycle_id}/sheets", response_class=HTMLResponse, dependencies=[CheckedForm])
async def sheet_upload(request: Request, viewer: ConsoleViewer) -> HTMLResponse:
    """A filled template applied as one batch (as `POST /cycles/{id}/sheets`): the page
    says how many records were stored, or lists every problem and nothing is stored."""
    actor = viewer.acting_actor()
    form = await request.form()
    upload = form.get(SHEET_FIELD)
    problems: list[str] = []
    stored: int | None = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        problems = ["请选择要上传的评分表（.xlsx）。"]
    else:
        data = await upload.read(LARGEST_SHEET + 1)
        if len(data) > LARGEST_SHEET:
            problems = [f"文件过大：评分表不得超过 {LARGEST_SHEET // (1024 * 1024)} MB。"]
        else:
            sheet = hashlib.sha256(data).hexdigest()
            key = request_of(None, {"account": viewer.account, "sheet": sheet})
            try:
                done = import_sheet(
                    services_of(request).app,
                    viewer.cycle,
                    data,
                    actor,
                    account=viewer.account,
                    request=key,
                )
            except SheetProblems as refused:
                problems = [line for line in refused.message.splitlines() if line.strip()]
            else:
                stored = done.events
    status = 422 if problems else 200
    return _sheet_page(request, viewer, status, problems=problems, stored=stored)


def _sheet_page(request: Request, viewer: Viewer, status: int, **context: object) -> HTMLResponse:
    state = viewer.state
    return page(
        request,
        "sheet_upload.html",
        status,
        viewer=viewer,
        summary=state.summary,
        steps=labels.steps(state.stage),
        tab="entry",
        **context,
    )


@router.get("/c/{cycle_id}/results.xlsx")
def results_xlsx(request: Request, viewer: ConsoleViewer, version: Version = None) -> Response:
    """The results workbook of a version: every unit's row, so only for who may read every
    unit's results (a unit before publication may read its own row alone: refused)."""
    if viewer.results_unit() is not None:
        raise DomainError(
            "permission_denied", "结果公示前，Excel 结果表只向有权查看全部结果的人员提供。"
        )
    app = services_of(request).app
    document = app.results(viewer.cycle, version)
    data = results_workbook(app, viewer.cycle, document=document)
    return _workbook(data, f"{document['cycle']}-v{document['version']}.xlsx")


@router.get("/c/{cycle_id}/audit.xlsx")
def audit_xlsx(request: Request, viewer: ConsoleViewer) -> Response:
    """The audit trail as a workbook within the viewer's audit scope (a unit: its own
    unit's events). A scope held to one actor's acts (a rater) is not a workbook of units:
    refused; the page still lists those acts."""
    unit, actor = viewer.audit_scope(None, None)
    if actor is not None:
        raise DomainError(
            "permission_denied", "Excel 审计记录按单位提供：请在页面上查看本人的操作。"
        )
    data = audit_workbook(services_of(request).app, viewer.cycle, unit)
    suffix = f"-{unit}" if unit else ""
    return _workbook(data, f"{viewer.cycle}-audit{suffix}.xlsx")
