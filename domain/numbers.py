"""Decimal figures: inputs with at most 2 decimals, outputs rounded half-up to 2."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from assess.domain.errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """A figure as published: exactly two decimals."""
    return str(round2(value))


def parse_decimal(raw: object, field: str) -> Decimal:
    """An input figure: a number (not a bool, not text) with at most 2 decimals."""
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | float):
        raise DomainError("invalid_value", f"{field} must be a number, got {raw!r}")
    if isinstance(raw, float):
        # Floats only reach here from callers that bypassed the decimal-aware loaders.
        raw = Decimal(repr(raw))
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - int/Decimal always convert
        raise DomainError("invalid_value", f"{field} is not a number: {raw!r}") from exc
    if not value.is_finite():
        raise DomainError("invalid_value", f"{field} must be finite, got {raw}")
    if value != value.quantize(CENT, rounding=ROUND_HALF_UP):
        raise DomainError("invalid_value", f"{field} has more than 2 decimals: {raw}")
    return value


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)
