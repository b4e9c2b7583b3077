"""`POST /auth/token`: a bearer token for an account name and password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm

from assess.api.deps import ServicesDep
from assess.api.errors import Unauthorized
from assess.api.models import ErrorOut, TokenOut

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/token", response_model=TokenOut, responses={401: {"model": ErrorOut}})
def token(form: Annotated[OAuth2PasswordRequestForm, Depends()], services: ServicesDep) -> TokenOut:
    """OAuth2 password flow (form fields `username`, `password`): a signed token that
    expires after `ASSESS_TOKEN_HOURS` (8 h by default). Send it as
    `Authorization: Bearer <token>`."""
    account = services.accounts.authenticate(form.username, form.password)
    if account is None:
        raise Unauthorized("unknown account or wrong password")
    access_token, expires = services.tokens.issue(account.name)
    seconds = int(services.tokens.lifetime.total_seconds())
    return TokenOut(access_token=access_token, expires_in=seconds, expires_at=expires)
