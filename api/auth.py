"""Bearer tokens: JWT (HS256) with `sub` = account name and `exp`, from `POST /auth/token`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt

from assess.api.errors import Unauthorized

ALGORITHM = "HS256"


class Tokens:
    """Issues and checks signed, expiring tokens with one secret."""

    def __init__(self, secret: str, hours: float) -> None:
        self._secret = secret
        self.lifetime = timedelta(hours=hours)

    def issue(self, name: str, now: datetime | None = None) -> tuple[str, datetime]:
        issued = now or datetime.now(UTC)
        expires = issued + self.lifetime
        claims = {"sub": name, "iat": issued, "exp": expires}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM), expires

    def subject(self, token: str) -> str:
        """The account name of a valid token; Unauthorized for anything else."""
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("the token has expired; ask for a new one") from None
        except jwt.InvalidTokenError:
            raise Unauthorized("the token is not valid") from None
        subject = claims["sub"]
        if not isinstance(subject, str):
            raise Unauthorized("the token is not valid")
        return subject
