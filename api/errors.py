"""Refusals to HTTP, in one place: a stable JSON body, never a stack trace.

Body: ``{"error": code, "message": text, "action_index": n | null, "request_id": id}``.
Domain codes map as SPEC §3 names them; ``action_index`` locates the refused action of a
batch; ``request_id`` is the one the response's ``X-Request-ID`` carries and the log names.
An unexpected exception is not handled here but in `api/middleware.py`, so that it is
logged once and the connection stays usable. Handlers are `async`: they do no I/O, and
must answer even when every worker thread is held by requests on a stalled database.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from assess.application.files import TooLarge
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.suggest import unknown_verb
from assess.domain.verbs import VERBS
from assess.infrastructure.store_errors import STORE_FAILURES, is_store_failure

log = logging.getLogger("assess.api")
# The id of the request being answered: set by the middleware, read into every error body.
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

STATUS_OF_CODE = {
    "permission_denied": 403,
    "wrong_stage": 409,
    "conflict": 409,
    "duplicate": 409,
    "not_found": 404,
    "unknown_unit": 422,
    "unknown_item": 422,
    "invalid_value": 422,
    "incomplete": 422,
    "integrity": 500,  # stored events do not reproduce what was recorded
}
CODE_OF_STATUS = {
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    409: "conflict",
    415: "invalid_value",
    422: "invalid_value",
}
SHOWN_VALIDATION_ERRORS = 3
MESSAGE_LIMIT = 240
BRANCHES = ("action", "batch")  # tags of the one-action-or-batch body, not field names
VERB_TAG_ERRORS = ("union_tag_not_found", "union_tag_invalid")  # `do` missing or unknown


class Unauthorized(Exception):
    """No token, a bad or expired one, or wrong credentials (401)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_body(code: str, message: str, action_index: int | None = None) -> dict[str, Any]:
    return {
        "error": code,
        "message": message,
        "action_index": action_index,
        "request_id": request_id.get(),
    }


def _response(
    status: int, code: str, message: str, index: int | None = None, **kwargs: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, message, index), status_code=status, **kwargs)


async def on_domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, TooLarge):
        return _response(413, "too_large", error.message)
    if isinstance(error, ActionRefused):
        message = f"action #{error.index} ({error.verb}): {error.message}"
        return _response(STATUS_OF_CODE[error.code], error.code, message, error.index)
    return _response(STATUS_OF_CODE[error.code], error.code, error.message)


async def on_unauthorized(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Unauthorized)
    return _response(401, "unauthorized", error.message, headers={"WWW-Authenticate": "Bearer"})


async def on_validation_error(request: Request, error: Exception) -> JSONResponse:
    """A malformed request: 422 `invalid_value`, naming the fields at fault."""
    assert isinstance(error, RequestValidationError)
    problems = [_describe(entry) for entry in error.errors()]
    message = "; ".join(problems[:SHOWN_VALIDATION_ERRORS])
    if len(problems) > SHOWN_VALIDATION_ERRORS:
        message += f" (and {len(problems) - SHOWN_VALIDATION_ERRORS} more)"
    return _response(422, "invalid_value", message, _action_index(list(error.errors())))


def _describe(entry: dict[str, Any]) -> str:
    loc = list(entry.get("loc", ()))
    if loc[:1] == ["body"] and len(loc) > 1 and loc[1] in BRANCHES:
        del loc[1]
    # An action's model is chosen by its verb: that tag is no field either.
    loc = [part for n, part in enumerate(loc) if not (n and part in VERBS and _tagged(loc[n - 1]))]
    if entry.get("type") in VERB_TAG_ERRORS:
        loc.append("do")
    where = ".".join(str(part) for part in loc)
    text = f"{where}: {entry.get('msg', 'invalid')}"
    if entry.get("type") == "union_tag_invalid":  # pydantic's text lists every verb
        text = f"{where}: {unknown_verb(entry.get('ctx', {}).get('tag'), VERBS)}"
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def _tagged(parent: object) -> bool:
    return parent == "body" or isinstance(parent, int)


def _action_index(errors: list[dict[str, Any]]) -> int | None:
    """For a batch, the index of the first malformed action."""
    for entry in errors:
        loc = list(entry.get("loc", ()))
        if "actions" in loc and len(loc) > loc.index("actions") + 1:
            position = loc[loc.index("actions") + 1]
            if isinstance(position, int):
                return position
    return None


async def on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 400:  # a body that cannot be read at all is malformed input too
        return _response(422, "invalid_value", f"body: {error.detail}")
    code = CODE_OF_STATUS.get(error.status_code, "http_error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request)) or headers.get("Allow", "")
    return _response(error.status_code, code, str(error.detail), headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """The methods of the path's resource as the OpenAPI document has it: every route of
    the first path template that matches (`/users/me`, not `/users/{name}`), not only
    the first route, and through routers included with a prefix."""
    root, path = request.scope.get("root_path", ""), request.scope["path"]
    path = path.removeprefix(root) if root else path
    contexts = [context for context in iter_route_contexts(request.app.routes) if context.path]
    templates = [str(context.path) for context in contexts]
    matched = next((t for t in templates if compile_path(t)[0].fullmatch(path)), None)
    methods: set[str] = set()
    for context in contexts:
        if context.path == matched:
            methods |= context.methods or set()
    return sorted(methods)


async def on_unavailable(request: Request, error: Exception) -> JSONResponse:
    """A store that cannot be reached or cannot work now (refused, stalled, a statement or
    pool timeout, a read-only or full file): 503. Other store errors are not handled here
    (the middleware logs them, 500)."""
    if not is_store_failure(error):
        raise error
    log.error("database unavailable: %s (request %s)", type(error).__name__, request_id.get())
    return _response(503, "unavailable", "the database is unavailable; try again shortly")


def internal_error() -> JSONResponse:
    """The answer to an unexpected exception, which the middleware has logged."""
    return _response(500, "internal", "internal error; it has been logged")


def too_large(limit_mib: int) -> JSONResponse:
    """A request body over the limit (SPEC §5); the rest of it is never read."""
    message = f"the request body is too large: at most {limit_mib} MiB"
    return _response(413, "too_large", message, headers={"Connection": "close"})


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(Unauthorized, on_unauthorized)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    for store_error in (*STORE_FAILURES, PersistenceError, SQLAlchemyError):
        app.add_exception_handler(store_error, on_unavailable)
