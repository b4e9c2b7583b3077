"""The API's documentation pages, served whole from this server (a closed network has no
CDN): Swagger UI at /docs, ReDoc at /redoc, their assets under /static/docs/.

The assets are those of the `fastapi-offline` package (swagger-ui-dist 5, redoc 2); the
pages' own script and style are files of `api/static/`, not inline, so that the
Content-Security-Policy forbids every inline script. The pages' policy allows inline
styles only (Swagger UI and ReDoc set styles from their scripts) and ReDoc's worker.
"""

from __future__ import annotations

import functools
import mimetypes
from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from assess.api.middleware import CONTENT_SECURITY_POLICY

STATIC = "/static/docs"
OWN = Path(__file__).parent / "static"
BUNDLED = Path(fastapi_offline.__file__).parent / "static"
ASSETS = {
    "swagger-ui-bundle.js": BUNDLED,
    "swagger-ui.css": BUNDLED,
    "redoc.standalone.js": BUNDLED,
    "favicon.png": BUNDLED,
    "swagger-init.js": OWN,
    "oauth2-redirect.js": OWN,
    "redoc.css": OWN,
}
PAGE_POLICY = CONTENT_SECURITY_POLICY.replace(
    "img-src", "style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; img-src"
)
OAUTH2_REDIRECT = "/docs/oauth2-redirect"

router = APIRouter(include_in_schema=False)
# The pages are `async`: made without I/O, they answer even while requests on a stalled
# database hold every worker thread.


def _page(title: str, head: str, body: str) -> HTMLResponse:
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_POLICY})


def _asset(request: Request, name: str) -> str:
    return escape(f"{request.scope.get('root_path', '')}{STATIC}/{name}")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    head = (
        f'<link rel="icon" href="{_asset(request, "favicon.png")}">\n'
        f'<link rel="stylesheet" href="{_asset(request, "swagger-ui.css")}">'
    )
    body = (
        '<div id="swagger-ui"></div>\n'
        f'<script src="{_asset(request, "swagger-ui-bundle.js")}"></script>\n'
        f'<script src="{_asset(request, "swagger-init.js")}"'
        f' data-openapi-url="{escape(root + request.app.openapi_url)}"'
        f' data-oauth2-redirect-url="{escape(root + OAUTH2_REDIRECT)}"></script>'
    )
    return _page(f"{request.app.title} - Swagger UI", head, body)


@router.get(OAUTH2_REDIRECT)
async def swagger_ui_redirect(request: Request) -> HTMLResponse:
    script = f'<script src="{_asset(request, "oauth2-redirect.js")}"></script>'
    return _page("Swagger UI: OAuth2 Redirect", "", script)


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    head = (
        f'<link rel="icon" href="{_asset(request, "favicon.png")}">\n'
        f'<link rel="stylesheet" href="{_asset(request, "redoc.css")}">'
    )
    body = (
        "<noscript>ReDoc needs JavaScript to show the documentation.</noscript>\n"
        f'<redoc spec-url="{escape(root + request.app.openapi_url)}"></redoc>\n'
        f'<script src="{_asset(request, "redoc.standalone.js")}"></script>'
    )
    return _page(f"{request.app.title} - ReDoc", head, body)


@router.get(STATIC + "/{name}")
async def asset(name: str) -> Response:
    """From memory, on the event loop: the docs keep working while every thread of the
    pool waits on a stalled database (a file response would read in those threads)."""
    if name not in ASSETS:
        raise HTTPException(404, f"no documentation asset {name!r}")
    content, media_type = _asset_file(name)
    # The pages change with the package: revalidate rather than keep them for ever.
    return Response(content, media_type=media_type, headers={"Cache-Control": "no-cache"})


@functools.cache
def _asset_file(name: str) -> tuple[bytes, str]:
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return (ASSETS[name] / name).read_bytes(), media_type
