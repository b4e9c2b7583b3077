"""Refusals: every rule the domain enforces fails with one stable code."""

from __future__ import annotations

CODES = (
    "permission_denied",
    "wrong_stage",
    "unknown_unit",
    "unknown_item",
    "invalid_value",
    "incomplete",
    "duplicate",
    "not_found",
    "conflict",
    "integrity",  # stored events changed behind the application's back
)


class DomainError(Exception):
    """A refused command: `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str) -> None:
        assert code in CODES, code
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ActionRefused(DomainError):
    """A refusal located in a batch: which action, which verb."""

    def __init__(self, index: int, verb: str, error: DomainError) -> None:
        super().__init__(error.code, error.message)
        self.index = index
        self.verb = verb
        self.args = (f"action #{index} ({verb}): {error.code}: {error.message}",)

    def __str__(self) -> str:
        return self.args[0]
