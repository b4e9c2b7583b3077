"""Text limits (SPEC §5): ids, names and titles, free text; no control characters."""

from __future__ import annotations

from assess.domain.errors import DomainError

ID, NAME, FREE = "id", "name", "free"
LONGEST = {ID: 64, NAME: 200, FREE: 10_000}
# Free text keeps its line breaks (a carriage return too, for pasted Windows lines).
FREE_CONTROLS = frozenset("\n\t\r")


def checked_text(value: str, name: str, kind: str | None) -> str:
    """`value` within the limits of its kind (None: only the characters are checked)."""
    if kind is not None and len(value) > LONGEST[kind]:
        raise DomainError(
            "invalid_value", f"{name} is longer than {LONGEST[kind]} characters ({len(value)})"
        )
    allowed = FREE_CONTROLS if kind == FREE else frozenset()
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise DomainError("invalid_value", f"{name} holds an unpaired surrogate")
        if (code < 0x20 or 0x7F <= code < 0xA0) and char not in allowed:
            raise DomainError("invalid_value", f"{name} holds the control character {char!r}")
        if kind == ID and char.isspace():
            raise DomainError("invalid_value", f"{name} is an id and may not hold whitespace")
    return value
