"""Evidence files (佐证材料) named by the actions that rest on documents.

The regulations count additional points only with "有效证明材料", supervision checks
ledgers (查阅台账), and appeals and corrections stand on documents. A file is uploaded
first (its bytes are kept apart from the events, content-addressed by SHA-256); an
action then names it in `attachments`, a list of `{sha256, name, media_type, size}`
that its event records, so the hash chain covers every file's digest. The domain checks
the list against what the submitting account uploaded to the cycle (`Uploaded`): an
unknown digest, or a size or type other than the upload's, is `invalid_value`.
docs/decisions.md "Evidence files" is the product's definition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from assess.domain.errors import DomainError

# The types an office scans or writes its documents in; told apart by their content.
MEDIA_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/ofd": "OFD",
}
MOST_PER_ACTION = 10
VERBS = (
    "claim_commendation",
    "record_supervision",
    "record_criticism",
    "apply_veto",
    "propose_adjustment",
    "correct_score",
    "file_appeal",
    "resolve_appeal",
)
SHA256 = re.compile(r"[0-9a-f]{64}")
# Bidirectional controls: "报告\u202efdp.exe" would show as "报告exe.pdf".
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Uploaded(NamedTuple):
    """What the store knows of an uploaded file."""

    size: int
    media_type: str


def read_attachments(
    raw: Any, uploaded: Mapping[str, Uploaded], checked_name: Any
) -> list[dict[str, Any]]:
    """The `attachments` of an action, each one checked against its upload; `uploaded`
    holds the files the submitting account uploaded to the cycle, by digest, and
    `checked_name(value, field)` checks a file name as any name is checked."""
    if not isinstance(raw, list) or not raw:
        raise DomainError("invalid_value", "attachments must be a non-empty list")
    if len(raw) > MOST_PER_ACTION:
        raise DomainError(
            "invalid_value", f"at most {MOST_PER_ACTION} files per action, got {len(raw)}"
        )
    seen: set[str] = set()
    return [
        _attachment(entry, index, uploaded, checked_name, seen) for index, entry in enumerate(raw)
    ]


def _attachment(
    entry: Any,
    index: int,
    uploaded: Mapping[str, Uploaded],
    checked_name: Any,
    seen: set[str],
) -> dict[str, Any]:
    where = f"attachments.{index}"
    if not isinstance(entry, dict):
        raise DomainError("invalid_value", f"{where} must be an object")
    unknown = sorted(set(entry) - {"sha256", "name", "media_type", "size"})
    if unknown:
        raise DomainError("invalid_value", f"{where} does not take the field {unknown[0]!r}")
    digest = entry.get("sha256")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest.lower()):
        raise DomainError("invalid_value", f"{where}.sha256 must be 64 hexadecimal digits")
    digest = digest.lower()
    if digest in seen:
        raise DomainError("invalid_value", f"{where} names file {digest[:12]} a second time")
    seen.add(digest)
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DomainError("invalid_value", f"{where}.name must be a non-empty text")
    checked_name(name, f"{where}.name")
    check_file_name(name, f"{where}.name")
    known = uploaded.get(digest)
    if known is None:
        raise DomainError(
            "invalid_value",
            f"{where}: no file {digest[:12]}… was uploaded to this cycle by this account",
        )
    media_type, size = entry.get("media_type"), entry.get("size")
    if media_type != known.media_type:
        raise DomainError(
            "invalid_value",
            f"{where}.media_type must be {known.media_type}, the uploaded file's, "
            f"got {media_type!r}",
        )
    if type(size) is not int or size != known.size:
        raise DomainError(
            "invalid_value",
            f"{where}.size must be {known.size}, the uploaded file's, got {size!r}",
        )
    return {"sha256": digest, "name": name, "media_type": media_type, "size": size}


def check_file_name(name: str, field: str) -> None:
    """A file's name names no folder and cannot show another extension than its own."""
    if "/" in name or "\\" in name:
        raise DomainError("invalid_value", f"{field} is a file name, without folders")
    if any(char in BIDI_CONTROLS for char in name):
        raise DomainError("invalid_value", f"{field} holds a bidirectional control character")


def attachments_of(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The files an event's data names (none for most events)."""
    found = data.get("attachments")
    return found if isinstance(found, list) else []
