"""The home page: the cycles the account holds an actor in (an admin: all), each with
its stage, the account's role, its own to-do count (SPEC §6.1) and the progress of the
scoring: the share of the entries `close_scoring` requires that are present, per scoring
body (application/progress.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assess.api.console.web import ConsoleAccount, ConsoleRoute, page, services_of
from assess.application.progress import progress
from assess.application.structure import todo
from assess.domain.errors import DomainError

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, account: ConsoleAccount) -> HTMLResponse:
    services = services_of(request)
    app = services.app
    cycles: list[dict[str, Any]] = []
    for entry in app.cycles():
        actor = account.actor_in(entry["cycle"])
        if actor is None and not account.admin:
            continue
        role, to_do = None, None
        if actor is not None and entry["stage"] != "corrupt":
            actors = services.actors.of(entry["cycle"])
            role = actors.get(actor, {}).get("role")
            try:
                to_do = len(todo(app, entry["cycle"], actor)["missing"])
            except DomainError:
                to_do = None
        done = None
        if entry["stage"] != "corrupt":
            try:
                done = progress(app, entry["cycle"])
            except DomainError:
                done = None
        cycles.append({**entry, "actor": actor, "role": role, "todo": to_do, "progress": done})
    return page(request, "home.html", cycles=cycles)
