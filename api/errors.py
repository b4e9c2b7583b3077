"""Refusals to HTTP, in one place: a stable JSON body, never a stack trace.

Body: ``{"error": code, "message": text, "action_index": n | null}``. Domain codes
map as SPEC §3 names them; ``action_index`` locates the refused action of a batch.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.persistence import OperationalError as StoreUnavailable
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError as DatabaseUnavailable
from starlette.exceptions import HTTPException

from assess.domain.errors import ActionRefused, DomainError
from assess.domain.verbs import VERBS

log = logging.getLogger("assess.api")

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
}
CODE_OF_STATUS = {
    401: "unauthorized",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
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
    return {"error": code, "message": message, "action_index": action_index}


def _response(
    status: int, code: str, message: str, index: int | None = None, **kwargs: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, message, index), status_code=status, **kwargs)


def on_domain_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    if isinstance(error, ActionRefused):
        message = f"action #{error.index} ({error.verb}): {error.message}"
        return _response(STATUS_OF_CODE[error.code], error.code, message, error.index)
    return _response(STATUS_OF_CODE[error.code], error.code, error.message)


def on_unauthorized(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, Unauthorized)
    return _response(401, "unauthorized", error.message, headers={"WWW-Authenticate": "Bearer"})


def on_validation_error(request: Request, error: Exception) -> JSONResponse:
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


def on_http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    if error.status_code == 400:  # a body that cannot be read at all is malformed input too
        return _response(422, "invalid_value", f"body: {error.detail}")
    code = CODE_OF_STATUS.get(error.status_code, "http_error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return _response(error.status_code, code, str(error.detail), headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Every method of the path, not only those of the first route that matched it."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
    return sorted(methods)


def on_unavailable(request: Request, error: Exception) -> JSONResponse:
    log.error("database unavailable: %s", type(error).__name__)
    return _response(503, "unavailable", "the database is unavailable; try again shortly")


def on_unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return _response(500, "internal", "internal error; it has been logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(Unauthorized, on_unauthorized)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(StoreUnavailable, on_unavailable)
    app.add_exception_handler(DatabaseUnavailable, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)
