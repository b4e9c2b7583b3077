"""Text limits (SPEC §5): ids, names and titles, free text; no control characters."""

from __future__ import annotations

from typing import Any

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
    # The common case at C speed: a printable text holds no control character and no
    # surrogate, and its only whitespace is the space.
    if value.isprintable() and (kind != ID or " " not in value):
        return value
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


def check_characters(document: Any, name: str = "") -> None:
    """No text anywhere in `document`, values and keys however deep, holds a NUL or an
    unpaired surrogate (SPEC §5), whatever the field: PostgreSQL refuses both at insert
    time, and a refusal that quoted one could not even be encoded as UTF-8. `name`
    prefixes the path named in the refusal (`deductions.0.reason`). The walks keep their
    own stack: a document nested a thousand deep is no recursion hazard."""
    if not all_printable(document):  # rare (a newline in free text): look closer
        _walk_with_paths(document, name)


def all_printable(document: Any) -> bool:
    """Every text printable: the common case, checked without naming paths (this runs
    for every action of every import). A flat object of texts and numbers, as most
    actions are, is checked in one pass."""
    if type(document) is dict:
        nested = False
        for key, value in document.items():
            if type(key) is str and not key.isprintable():
                return False
            kind = type(value)
            if kind is str:
                if not value.isprintable():
                    return False
            elif kind is dict or kind is list:
                nested = True
        if not nested:
            return True
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if not value.isprintable():
                return False
        elif isinstance(value, dict):
            for key in value:
                if isinstance(key, str) and not key.isprintable():
                    return False
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return True


def _walk_with_paths(document: Any, name: str) -> None:
    pending: list[tuple[str, Any]] = [(name, document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            _check_string(value, path or "the text")
            continue
        if isinstance(value, dict):
            for key in value:
                if isinstance(key, str):
                    _check_string(key, f"a key of {path or 'the document'}")
            entries = list(value.items())
        elif isinstance(value, list):
            entries = list(enumerate(value))
        else:
            continue
        for step, inner in reversed(entries):  # popped in the document's order
            pending.append((f"{path}.{step}" if path else str(step), inner))


def _check_string(value: str, name: str) -> None:
    if value.isprintable():  # the common case, checked at C speed
        return
    for char in value:
        if char == "\x00":
            raise DomainError("invalid_value", f"{name} holds the control character '\\x00'")
        if 0xD800 <= ord(char) <= 0xDFFF:
            raise DomainError("invalid_value", f"{name} holds an unpaired surrogate")
