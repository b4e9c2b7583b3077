"""Idempotency keys (issue 11): a client that may send a request again (a retry after a
timeout) names it with a key. What the request asked is summed up by a digest, and
every event the request stores carries both as its `request`, in the same transaction:
a repeat is then answered from the store, and stores nothing, across restarts and
processes alike. Keys are scoped to what they change: one cycle, or the directory.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson

from assess.domain.errors import DomainError

LONGEST_KEY = 200
KEY_PATTERN = r"^[\x20-\x7e]{1,200}$"  # printable ASCII (also the API header's pattern)
KEY_RULE = "1 to 200 printable ASCII characters"

Request = dict[str, str]  # {"key": K, "digest": D}


def request_of(key: str | None, asked: Any) -> Request | None:
    """The request named `key` that asked `asked` (the account and what it sent, as
    received); None without a key."""
    if key is None:
        return None
    check_key(key)
    return {"key": key, "digest": asked_digest(asked)}


def check_key(key: object) -> str:
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= LONGEST_KEY
        or not all(" " <= char <= "~" for char in key)
    ):
        raise DomainError("invalid_value", f"the idempotency key must be {KEY_RULE}")
    return key


def asked_digest(asked: Any) -> str:
    """sha256 of the canonical JSON of what was asked (decimal figures as text, as events
    hold them)."""
    encoded = orjson.dumps(
        asked, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS, default=str
    )
    return hashlib.sha256(encoded).hexdigest()


def is_repeat(request: Request, earlier_digest: str | None) -> bool:
    """The request was stored before (True), is new (False), or its key was used for
    another request (`conflict`)."""
    if earlier_digest is None:
        return False
    if earlier_digest != request["digest"]:
        raise DomainError(
            "conflict", f"idempotency key {request['key']!r} was used for another request"
        )
    return True
