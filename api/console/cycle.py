"""A cycle's overview page: the stage banner, and what the account's role does next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assess.api.console import labels
from assess.api.console.web import ConsoleRoute, ConsoleViewer, page

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@router.get("/c/{cycle_id}", response_class=HTMLResponse)
def overview(request: Request, viewer: ConsoleViewer) -> HTMLResponse:
    state = viewer.state
    return page(
        request,
        "cycle.html",
        viewer=viewer,
        summary=state.summary,
        steps=labels.steps(state.stage),
        tab="overview",
    )
