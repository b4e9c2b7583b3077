"""The printable report (issue 14, item 5) as a download from the console, in HTML or
PDF, for who reads every unit's results (the report ranks them all)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from assess.api.console.web import ConsoleRoute, ConsoleViewer, services_of
from assess.api.models import LARGEST_NUMBER
from assess.domain.errors import DomainError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

Version = Annotated[int | None, Query(ge=1, le=LARGEST_NUMBER)]
# The report is a file of its own, not a console page: its CSS is inline, nothing runs.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@router.get("/c/{cycle_id}/report.{suffix}")
def report(
    request: Request, viewer: ConsoleViewer, suffix: str, version: Version = None
) -> Response:
    """`report.html` or `report.pdf` of a results version (the latest by default)."""
    if suffix not in ("html", "pdf"):
        raise DomainError("not_found", f"no report.{suffix}: only report.html and report.pdf")
    from assess.api.report import report_html, report_pdf  # it imports the console's labels

    viewer.require_everything("reports")
    html = report_html(services_of(request).app, viewer.cycle, version)
    name = f"{viewer.cycle}-report.{suffix}"
    if suffix == "pdf":
        return Response(
            report_pdf(html),
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(
        html,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Content-Security-Policy": REPORT_CSP,
        },
    )
