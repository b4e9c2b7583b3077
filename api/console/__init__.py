"""The web console (issue 13): server-rendered pages in the API's app, Jinja2 and htmx,
in Chinese, for every role of a season. `install` adds its routes and static files."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from assess.api.console import (
    appeals,
    audit,
    charts,
    cycle,
    downloads,
    entry,
    evidence,
    home,
    results,
    session,
    sheets,
)
from assess.api.console.web import HERE

ROUTERS = (
    session,
    home,
    cycle,
    entry,
    audit,
    charts,
    results,
    appeals,
    downloads,
    sheets,
    evidence,
)


def install(app: FastAPI) -> None:
    for module in ROUTERS:
        app.include_router(module.router)
    app.mount("/assets", StaticFiles(directory=HERE / "static"), name="console-assets")
