"""Bearer tokens: JWT (HS256) from `POST /auth/token`, with `sub` = account name, `exp`,
and `gen` = the account's `sessions` count when issued. A password change, disabling,
enabling or admin revocation raises the count, so every earlier token stops working
(SPEC §4.1; checked by `deps.current_account`)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import jwt

from assess.api.errors import Unauthorized
from assess.infrastructure.accounts import Account

ALGORITHM = "HS256"


class Bearer(NamedTuple):
    """Who a valid token names, and the `sessions` count it was issued under."""

    name: str
    generation: int


class Tokens:
    """Issues and checks signed, expiring tokens with one secret."""

    def __init__(self, secret: str, hours: float) -> None:
        self._secret = secret
        self.lifetime = timedelta(hours=hours)

    def issue(self, account: Account, now: datetime | None = None) -> tuple[str, datetime]:
        issued = now or datetime.now(UTC)
        expires = issued + self.lifetime
        claims = {"sub": account.name, "gen": account.sessions, "iat": issued, "exp": expires}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), expires

    def mac(self, text: str) -> str:
        """A keyed hash of `text` (the web console's form tokens, api/console/session.py)."""
        return hmac.new(self._secret.encode(), text.encode(), hashlib.sha256).hexdigest()

    def bearer(self, token: str) -> Bearer:
        """The account name and generation of a valid token; Unauthorized for anything
        else (a token of an earlier release, without `gen`, too)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": ["sub", "exp", "gen"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired; ask for a new one") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("the token is not valid") from None
        name, generation = claims["sub"], claims["gen"]
        if not isinstance(name, str) or type(generation) is not int:
            raise Unauthorized("the token is not valid")
        return Bearer(name, generation)
