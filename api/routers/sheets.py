"""Excel score sheets (issue 14): the signed-in actor's template, and a filled one applied
as one atomic batch; every problem of a sheet is in the 422 error's message, one a line."""

from __future__ import annotations

import hashlib
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Response, UploadFile

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.idempotency import IdempotencyKey
from assess.api.models import AppliedOut
from assess.api.routers.cycles import REFUSALS
from assess.application.sheets import import_sheet, template
from assess.domain.requests import request_of

router = APIRouter(prefix="/cycles", tags=["cycles"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/{cycle_id}/template",
    response_class=Response,
    responses={**REFUSALS, 200: {"content": {XLSX: {}}, "description": "The workbook."}},
)
def get_template(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> Response:
    """A workbook of exactly what your actor may enter now: a sheet per component, method
    or ballot kind, a row per unit, drop-downs, locked ids and headers."""
    actor = viewer.acting_actor()
    name = quote(f"{cycle_id}-{actor}.xlsx")
    return Response(
        template(app, cycle_id, actor),
        media_type=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"},
    )


@router.post("/{cycle_id}/sheets", response_model=AppliedOut, responses=REFUSALS)
def post_sheet(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    file: Annotated[UploadFile, File(description="A filled template (.xlsx).")],
    key: IdempotencyKey = None,
) -> AppliedOut:
    """A filled template, checked whole first: every problem (wrong cycle or actor, an
    older template, moved rows or columns, a bad value) is refused as `invalid_value`
    with one `工作表!单元格: 问题` a line, and nothing is stored; else one atomic batch.
    The same `Idempotency-Key` with the same file is answered as the first time."""
    data = file.file.read()
    sheet = hashlib.sha256(data).hexdigest()
    request = request_of(key, {"account": viewer.account, "sheet": sheet})
    actor = viewer.acting_actor()
    done = import_sheet(app, cycle_id, data, actor, account=viewer.account, request=request)
    return AppliedOut(**done.answer())
