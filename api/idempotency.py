"""The `Idempotency-Key` header, accepted on every POST (issue 11).

A POST that stores something, sent again with the same key and the same body (a retry
after a timeout), is answered as the first time and stores nothing; the same key with
another body is refused with 409 `conflict`. Keys are kept with the events they stored,
scoped to what they change: one cycle (`POST /cycles`, `POST /cycles/{id}/actions`) or
the account directory (`POST /users`, `POST /users/{name}/enable`). POSTs that store
nothing take the header and ignore it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header
from pydantic import AfterValidator

from assess.domain.requests import KEY_PATTERN, KEY_RULE, LONGEST_KEY, check_key


def _checked(key: str | None) -> str | None:
    if key is None:
        return None
    try:
        return check_key(key)
    except Exception:  # noqa: BLE001 - pydantic turns a ValueError into a 422 naming the header
        raise ValueError(f"must be {KEY_RULE}") from None


_SCHEMA = {"pattern": KEY_PATTERN, "minLength": 1, "maxLength": LONGEST_KEY}

IdempotencyKey = Annotated[
    str | None,
    AfterValidator(_checked),
    Header(
        alias="Idempotency-Key",
        description=(
            f"Optional, {KEY_RULE}. The same key with the same body again (a retry) is "
            "answered as the first time and stores nothing; with another body it is "
            "refused (409 conflict). Keys are kept with the stored events, so this holds "
            "across restarts and server processes."
        ),
        json_schema_extra=_SCHEMA,
    ),
]


def _key_header(description: str) -> object:
    """The header as a POST that needs no key takes it: checked, then ignored."""
    return Header(
        alias="Idempotency-Key",
        description=f"Optional, {KEY_RULE}: {description}",
        json_schema_extra=_SCHEMA,
    )


async def _ignored(
    key: Annotated[
        str | None,
        AfterValidator(_checked),
        _key_header(
            "accepted and ignored, as this request stores nothing and may simply be sent again."
        ),
    ] = None,
) -> None:
    """Checked like everywhere else, then ignored (no I/O: on the event loop)."""


IGNORED_KEY = Depends(_ignored)


async def _by_content(
    key: Annotated[
        str | None,
        AfterValidator(_checked),
        _key_header(
            "accepted and not needed, as a file is stored by the SHA-256 of its bytes: the "
            "same upload again stores nothing new."
        ),
    ] = None,
) -> None:
    """Checked like everywhere else; the content's digest makes the upload idempotent."""


CONTENT_KEYED = Depends(_by_content)
