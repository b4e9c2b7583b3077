"""Results of a cycle (SPEC §6) as JSON pages or CSV, and their verification."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from fastapi.responses import Response

from assess.api.deps import AppDep, CycleId, ViewerDep
from assess.api.models import (
    LARGEST_NUMBER,
    PLAIN_TEXT,
    DiffOut,
    ResultsPage,
    VerificationOut,
)
from assess.api.routers.cycles import REFUSALS
from assess.application.exports import results_csv
from assess.application.verify import verify_cycle
from assess.domain.texts import ID, LONGEST, NAME

router = APIRouter(prefix="/cycles", tags=["results"])

MAX_LIMIT = 1000
# A results version, as the results and statistics routes take it.
VersionQuery = Annotated[
    int | None,
    Query(ge=1, le=LARGEST_NUMBER, description="A past version; latest if absent."),
]
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
    version: VersionQuery = None,
    category: Annotated[
        str | None,
        Query(
            max_length=LONGEST[NAME],
            pattern=PLAIN_TEXT,
            description="Only the units of this category.",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        Query(
            max_length=LONGEST[ID],
            pattern=PLAIN_TEXT,
            description="The version that stood then (ISO date or date-time, by `at`).",
        ),
    ] = None,
    position: Annotated[
        int | None,
        Query(ge=1, le=LARGEST_NUMBER, description="The version that stood after event N."),
    ] = None,
    format: Annotated[Literal["json", "csv"], Query(description="`csv`: every row.")] = "json",
    offset: Annotated[int, Query(ge=0, le=LARGEST_NUMBER)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
) -> ResultsPage | Response:
    """The results document of a version, ordered by rank then unit. Before publication a
    unit account sees only its own unit and a rater none (SPEC §4). JSON is paginated
    (`offset`, `limit`, `total`); CSV (UTF-8 with BOM) holds every row the caller may
    see. `digest` is always that of the whole version."""
    only_unit = viewer.results_unit()
    if format == "csv":
        document = app.results_at(
            cycle_id, version, as_of=as_of, position=position, category=category, unit=only_unit
        )
        name = f"{document['cycle']}-v{document['version']}.csv"
        return Response(
            results_csv(document["results"]),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    document, total = app.results_page_at(
        cycle_id,
        version,
        as_of=as_of,
        position=position,
        category=category,
        unit=only_unit,
        offset=offset,
        limit=limit,
    )
    page = {
        "cycle": document["cycle"],
        "scheme": document["scheme"],
        "version": document["version"],
        "digest": document["digest"],
        "total": total,
        "offset": offset,
        "limit": limit,
        "results": document["results"],
    }
    # The rows are the application's own results documents, already in the shape of
    # ResultsPage (the response model documents it): sent as they are, not re-validated.
    return Response(orjson.dumps(page), media_type="application/json")


@router.get("/{cycle_id}/verify", response_model=VerificationOut, responses=REFUSALS)
def verify(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    expect_head: Annotated[
        str | None,
        Query(description="The chain head as kept elsewhere.", max_length=64, pattern=PLAIN_TEXT),
    ] = None,
) -> dict[str, Any]:
    """Replays the stored events: chain, positions, every results version and the digests
    recorded at approval and publication (SPEC §7). `ok` false names the first failure."""
    viewer.require_everything("verifications")
    return verify_cycle(app, cycle_id, expect_head).as_dict()


@router.get(
    "/{cycle_id}/diff",
    response_model=DiffOut,
    response_model_by_alias=True,
    responses=REFUSALS,
)
def diff(
    cycle_id: CycleId,
    viewer: ViewerDep,
    app: AppDep,
    first: Annotated[int, Query(ge=1, le=LARGEST_NUMBER, description="The earlier version.")],
    second: Annotated[int, Query(ge=1, le=LARGEST_NUMBER, description="The later version.")],
) -> dict[str, Any]:
    """Per unit, what changed between two results versions (figures, rank, category
    rank, grade) and the events that caused it; a unit no event touched is a knock-on."""
    viewer.require_everything("version differences")
    return app.diff(cycle_id, first, second)
