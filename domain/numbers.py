"""Decimal figures: inputs with at most 2 decimals, outputs rounded half-up to 2."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from assess.domain.errors import DomainError

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
PLACES = 2


def round2(value: Decimal) -> Decimal:
    """Half-up to 2 decimals; a zero is never negative (`-0.001` rounds to `0.00`)."""
    return _unsigned_zero(value.quantize(CENT, rounding=ROUND_HALF_UP))


def fmt(value: Decimal) -> str:
    """A figure as published: exactly two decimals, never `-0.00`."""
    return str(round2(value))


def parse_decimal(raw: object, field: str) -> Decimal:
    """An input figure: a number (not a bool, not text), finite, with at most 2 decimals.

    `-0` and `-0.00` read as zero. The decimals are counted on the digits as written, not
    by rounding, so no figure is too large to check (`1e30` is then refused by its range).
    """
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | float):
        raise DomainError("invalid_value", f"{field} must be a number, got {shown(repr(raw))}")
    if isinstance(raw, float):
        # Floats only reach here from callers that bypassed the decimal-aware loaders.
        raw = Decimal(repr(raw))
    value = Decimal(raw)
    if not value.is_finite():
        raise DomainError("invalid_value", f"{field} must be finite, got {shown(raw)}")
    if _decimal_places(value) > PLACES:
        raise DomainError("invalid_value", f"{field} has more than 2 decimals: {shown(raw)}")
    return _unsigned_zero(value)


def parse_in_range(
    raw: object, field: str, low: Decimal, high: Decimal, *, above_low: bool = False
) -> Decimal:
    """An input figure within [low, high] (or (low, high] when `above_low`)."""
    value = parse_decimal(raw, field)
    too_low = value <= low if above_low else value < low
    if too_low or value > high:
        bounds = f"more than {low} and at most" if above_low else f"between {low} and"
        raise DomainError("invalid_value", f"{field} must be {bounds} {high}, got {shown(raw)}")
    return value


def shown(raw: object, limit: int = 40) -> str:
    """A refused input as a message quotes it: a 5000-digit number is cut short."""
    text = str(raw)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _decimal_places(value: Decimal) -> int:
    """Significant decimals of a finite value: trailing zeros do not count (87.500 has 1)."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if value.is_zero():
        return 0
    places = -exponent
    for digit in reversed(digits):
        if places <= 0 or digit != 0:
            break
        places -= 1
    return max(places, 0)


def _unsigned_zero(value: Decimal) -> Decimal:
    """`-0` → `0`, `-0.00` → `0.00`; a zero written with more places (`0E-10`) → `0.00`."""
    if not value.is_zero():
        return value
    return ZERO if value.as_tuple().exponent < -PLACES else value.copy_abs()  # type: ignore[operator]


def mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)
