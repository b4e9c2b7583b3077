"""Results of a cycle (SPEC §6) as JSON pages or CSV, and their verification."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import AppDep, CycleId, ViewerDep
from api.models import ResultsPage, VerificationOut
from api.routers.cycles import REFUSALS
from application.exports import results_csv
from application.verify import verify_cycle

router = APIRouter(prefix="/cycles", tags=["results"])

MAX_LIMIT = 1000
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}}
}


@router.get(
    "/{cycle_id}/results",
    response_model=ResultsPage,
    responses={**REFUSALS, **CSV_RESPONSE},
)
def results(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    version: Annotated[
        int | None, Query(ge=1, description="A past version; latest if absent.")
    ] = None,
    category: Annotated[str | None, Query(description="Only the units of this category.")] = None,
    format: Annotated[Literal["json", "csv"], Query(description="`csv`: every row.")] = "json",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> ResultsPage | Response:
    """The results document of a version, ordered by rank then unit. Before publication a
    unit account sees only its own unit and a rater none (SPEC §4). JSON is paginated
    (`offset`, `limit`, `total`); CSV (UTF-8 with BOM) holds every row the caller may
    see. `digest` is always that of the whole version."""
    only_unit = viewer.results_unit()
    document = app.results(cycle_id, version)
    rows = [
        row
        for row in document["results"]
        if (category is None or row["category"] == category)
        and (only_unit is None or row["unit"] == only_unit)
    ]
    if format == "csv":
        name = f"{document['cycle']}-v{document['version']}.csv"
        return Response(
            results_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return ResultsPage(
        cycle=document["cycle"],
        scheme=document["scheme"],
        version=document["version"],
        digest=document["digest"],
        total=len(rows),
        offset=offset,
        limit=limit,
        results=rows[offset : offset + limit],
    )


@router.get("/{cycle_id}/verify", response_model=VerificationOut, responses=REFUSALS)
def verify(cycle_id: CycleId, viewer: ViewerDep, app: AppDep) -> dict[str, Any]:
    """Replays the stored events: chain, positions, every results version and the digests
    recorded at approval and publication (SPEC §7). `ok` false names the first failure."""
    viewer.require_everything("verifications")
    return verify_cycle(app, cycle_id).as_dict()
