"""The hash chain over a cycle's events (SPEC §7).

Each event's `chain` is sha256 over the canonical JSON of its content and the
previous event's `chain`; the first event links to GENESIS. `account` (SPEC §4.1)
and `request` (an idempotency key and its digest, domain/requests.py) are in the
content only when the event has them: events stored before either was recorded keep
the content, and so the hash, they had. docs/verification.md gives the
same rule for outside auditors.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson

GENESIS = "0" * 64


def event_content(
    name: str, position: int, timestamp: datetime | str, fields: dict[str, Any], previous: str
) -> dict[str, Any]:
    """The hashed content; `timestamp` the recording time, or its ISO text as stored."""
    content = {
        "event": name,
        "position": position,
        "recorded": timestamp if isinstance(timestamp, str) else timestamp.isoformat(),
        "actor": fields["actor"],
        "role": fields["role"],
        "at": fields["at"],
        "data": fields["data"],
        "previous": previous,
    }
    if fields.get("account") is not None:
        content["account"] = fields["account"]
    if fields.get("request") is not None:
        content["request"] = fields["request"]
    return content


def canonical_bytes(value: Any) -> bytes:
    """UTF-8 of json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False),
    byte for byte (orjson writes the same for text, integers, lists and objects)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def link(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(content)).hexdigest()
