"""One action of a batch (SPEC §5): its verb, actor, time and typed fields."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from assess.domain.errors import DomainError
from assess.domain.numbers import parse_decimal

COMMON_KEYS = ("do", "by", "at")


def parse_at(raw: object) -> str | None:
    """`at`: an ISO date or date-time, kept as given."""
    if raw is None:
        return None
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    if not isinstance(raw, str):
        raise DomainError("invalid_value", f"at must be an ISO date or date-time, got {raw!r}")
    try:
        datetime.fromisoformat(raw)
    except ValueError as exc:
        raise DomainError("invalid_value", f"at is not an ISO date or date-time: {raw!r}") from exc
    return raw


def day_of(at: str) -> date:
    return datetime.fromisoformat(at).date()


class Act:
    """Typed access to an action's fields; every failure is `invalid_value` naming the field."""

    def __init__(self, action: dict[str, Any], actor: str, role: str, unit: str | None) -> None:
        self.fields = action
        self.verb: str = action["do"]
        self.actor = actor
        self.role = role
        self.actor_unit = unit
        self.at = parse_at(action.get("at"))

    def has(self, name: str) -> bool:
        return self.fields.get(name) is not None

    def raw(self, name: str) -> Any:
        if not self.has(name):
            raise DomainError("invalid_value", f"{self.verb} needs the field '{name}'")
        return self.fields[name]

    def text(self, name: str, default: str | None = None) -> str:
        if not self.has(name) and default is not None:
            return default
        value = self.raw(name)
        if not isinstance(value, str) or not value.strip():
            raise DomainError("invalid_value", f"{name} must be a non-empty text, got {value!r}")
        return value

    def choice(self, name: str, allowed: Iterable[str]) -> str:
        value = self.raw(name)
        options = list(allowed)
        if value not in options:
            raise DomainError(
                "invalid_value", f"{name} must be one of {', '.join(options)}, got {value!r}"
            )
        return str(value)

    def decimal(self, name: str) -> Decimal:
        return parse_decimal(self.raw(name), name)

    def score(self, name: str = "value") -> Decimal:
        return bounded_score(self.raw(name), name)

    def listing(self, name: str) -> list[Any]:
        value = self.raw(name)
        if not isinstance(value, list) or not value:
            raise DomainError("invalid_value", f"{name} must be a non-empty list")
        return value

    def mapping(self, name: str) -> dict[str, Any]:
        value = self.raw(name)
        if not isinstance(value, dict) or not value:
            raise DomainError("invalid_value", f"{name} must be a non-empty object")
        return value


def bounded_score(raw: object, name: str) -> Decimal:
    value = parse_decimal(raw, name)
    if not 0 <= value <= 100:
        raise DomainError("invalid_value", f"{name} must be between 0 and 100, got {raw}")
    return value
