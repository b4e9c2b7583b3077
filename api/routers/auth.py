"""`POST /auth/token`: a bearer token for an account name and password, through the
sign-in gate (api/sign_in_gate.py: throttled names and crowds are refused with 429)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import OAuth2PasswordRequestForm
from starlette.types import Message, Receive, Scope, Send

from assess.api.deps import ServicesDep
from assess.api.errors import Unauthorized, error_body
from assess.api.idempotency import IGNORED_KEY
from assess.api.models import ErrorOut, TokenOut
from assess.api.sign_in_gate import Throttled
from assess.infrastructure.accounts import NAME_PATTERN

WRONG = "unknown account or wrong password"
NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]


class NoStoreRoute(APIRoute):
    """Tokens and refusals of sign-in are never kept by a cache, whatever the answer
    (also the 422 of a malformed form, which the app's error handlers write)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *NO_STORE]
            await send(message)

        await super().handle(scope, receive, send_no_store)


router = APIRouter(prefix="/auth", tags=["auth"], route_class=NoStoreRoute)


def too_many(message: str, seconds: int) -> JSONResponse:
    headers = {"Retry-After": str(seconds)}
    return JSONResponse(error_body("too_many_requests", message), status_code=429, headers=headers)


REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Unknown account or wrong password."},
    429: {
        "model": ErrorOut,
        "description": "Too many failed sign-ins for this name, or too many sign-ins at "
        "once; the `Retry-After` header says when to try again.",
    },
}


@router.post("/token", response_model=TokenOut, responses=REFUSALS, dependencies=[IGNORED_KEY])
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], services: ServicesDep
) -> TokenOut | JSONResponse:
    """OAuth2 password flow (form fields `username`, `password`): a signed token that
    expires after `ASSESS_TOKEN_HOURS` (8 h by default). Send it as
    `Authorization: Bearer <token>`. After 5 failed sign-ins for one name within 15
    minutes, that name is refused (429) for the rest of the window. An
    `Idempotency-Key` is accepted and ignored."""
    name = form.username
    if not NAME_PATTERN.fullmatch(name):  # no account has it: nothing to count or hash
        raise Unauthorized(WRONG)
    gate = services.sign_in
    if gate.crowded():
        return too_many("too many sign-ins at once; try again in a second", 1)
    try:
        account = await gate.check(name, form.password)
    except Throttled as refusal:
        message = f"too many failed sign-ins for {name}; try again in {refusal.seconds} s"
        return too_many(message, refusal.seconds)
    if account is None:
        raise Unauthorized(WRONG)
    access_token, expires = services.tokens.issue(account)
    lifetime = int(services.tokens.lifetime.total_seconds())
    return TokenOut(access_token=access_token, expires_in=lifetime, expires_at=expires)
