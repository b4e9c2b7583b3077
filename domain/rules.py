"""Scheme constants (SPEC §2, §3): defaults that a season's `rules` may override."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from assess.domain.errors import DomainError
from assess.domain.schemes import GROUP_PARTY_ORG, LEADERSHIP_TEAM, PERFORMANCE_EVALUATION

D = Decimal

COMMON: dict[str, Any] = {"appeal_window_days": 30}

DEFAULTS: dict[str, dict[str, Any]] = {
    GROUP_PARTY_ORG: {
        "daily_weight": D("0.30"),
        "year_end_weight": D("0.70"),
        "national_points": D(2),
        "provincial_points": D(1),
        "group_points": D("0.5"),
    },
    LEADERSHIP_TEAM: {
        "self_weight": D("0.40"),
        "staff_weight": D("0.60"),
        "debrief_points": {"好": D(100), "较好": D(80), "一般": D(60), "差": D(40)},
        "award_points": {"first": D(100), "second": D(90), "other": D(80)},
        "weights": {
            "town": {"debrief": D("0.20"), "annual": D("0.20"), "performance": D("0.60")},
            "municipal": {"democratic": D("0.20"), "annual": D("0.20"), "performance": D("0.60")},
        },
        "innovation_points": D(5),
        "innovation_cap": D(15),
        "quotas": {"town": {"top": 10, "bottom": 10}, "municipal": {"top": 30, "bottom": 30}},
    },
    PERFORMANCE_EVALUATION: {
        "score_points": {"优": D(100), "良": D(85), "中": D(70), "差": D(40)},
        "method_weights": {"self": D("0.60"), "org": D("0.20"), "social": D("0.20")},
        "grade_bands": {"excellent": D(90), "good": D(80), "average": D(60)},
        "self_gap_flag": D(10),  # SPEC §10: a self score this far above the others'
    },
}


def _merge(base: Any, override: Any, path: str) -> Any:
    if isinstance(base, dict):
        if not isinstance(override, dict):
            raise DomainError("invalid_value", f"rules.{path} must be an object")
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value, f"{path}.{key}") if key in base else value
        return merged
    if isinstance(override, str):  # as stored in events: decimal text
        override = _decimal_text(override, path)
    if isinstance(override, bool) or not isinstance(override, int | Decimal):
        raise DomainError("invalid_value", f"rules.{path} must be a number, got {override!r}")
    if isinstance(base, int):
        if override != int(override) or override < 0:
            raise DomainError("invalid_value", f"rules.{path} must be a whole number")
        return int(override)
    return Decimal(override)


def _decimal_text(text: str, path: str) -> Decimal:
    try:
        return Decimal(text)
    except ArithmeticError as exc:
        raise DomainError("invalid_value", f"rules.{path} must be a number, got {text!r}") from exc


def effective_rules(scheme: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """The scheme's defaults merged key by key with the season's overrides.

    Lenient on purpose: a stored cycle replays with the rules it was created with;
    `checked_rules` is the check of a new season file.
    """
    rules = copy.deepcopy({**COMMON, **DEFAULTS[scheme]})
    for key, value in (overrides or {}).items():
        if key not in rules:
            raise DomainError("invalid_value", f"rules.{key} is not a rule of {scheme}")
        rules[key] = _merge(rules[key], value, key)
    return rules


# ---- the bounds of SPEC §5, checked when a season file is read ----------------------------

ONE = D(1)
# An upper bound where SPEC §5 names none, so that every figure stays exact to 2 decimals.
LARGEST = D(1_000_000)
WEIGHT, POINTS, NON_NEGATIVE = (D(0), ONE), (D(0), D(100)), (D(0), LARGEST)
BOUNDS: dict[str, tuple[Decimal, Decimal]] = {
    "appeal_window_days": (D(1), D(3650)),  # a whole number: `effective_rules` sees to it
    "daily_weight": WEIGHT,
    "year_end_weight": WEIGHT,
    "self_weight": WEIGHT,
    "staff_weight": WEIGHT,
    "weights": WEIGHT,
    "method_weights": WEIGHT,
    "national_points": POINTS,
    "provincial_points": POINTS,
    "group_points": POINTS,
    "debrief_points": POINTS,
    "award_points": POINTS,
    "score_points": POINTS,
    "grade_bands": POINTS,
    "innovation_points": NON_NEGATIVE,
    "innovation_cap": NON_NEGATIVE,
    "quotas": NON_NEGATIVE,
    "self_gap_flag": NON_NEGATIVE,
}
# Each group of weights combined into one score sums to exactly 1.
WEIGHT_PAIRS = (("daily_weight", "year_end_weight"), ("self_weight", "staff_weight"))
WEIGHT_GROUPS = ("method_weights",)


def checked_rules(scheme: str, overrides: dict[str, Any] | None) -> dict[str, Any]:
    """`effective_rules`, refusing any rule outside SPEC §5's bounds, naming its key."""
    base = {**COMMON, **DEFAULTS[scheme]}
    for key, value in (overrides or {}).items():
        if key in base:
            _check_shape(base[key], value, key)
    rules = effective_rules(scheme, overrides)
    for key, value in rules.items():
        _check_bounds(value, key, BOUNDS.get(key))
    for pair in WEIGHT_PAIRS:
        if pair[0] in rules:
            _sums_to_one([rules[key] for key in pair], " + ".join(f"rules.{k}" for k in pair))
    for category, weights in rules.get("weights", {}).items():
        _sums_to_one(list(weights.values()), f"rules.weights.{category}: weights")
    for key in WEIGHT_GROUPS:
        if key in rules:
            _sums_to_one(list(rules[key].values()), f"rules.{key}: weights")
    points = rules.get("score_points", {})
    if len(set(points.values())) < len(points):
        raise DomainError("invalid_value", "rules.score_points: each label needs its own points")
    return rules


def _check_shape(base: Any, override: Any, path: str) -> None:
    """A nested object keeps exactly its keys; every figure is a finite number."""
    if isinstance(base, dict):
        if isinstance(override, dict):  # not an object: `effective_rules` says so
            for key, value in override.items():
                if key not in base:
                    known = ", ".join(base)
                    raise DomainError("invalid_value", f"rules.{path}.{key} is not one of {known}")
                _check_shape(base[key], value, f"{path}.{key}")
        return
    value = _decimal_text(override, path) if isinstance(override, str) else override
    if isinstance(value, Decimal) and not value.is_finite():
        raise DomainError("invalid_value", f"rules.{path} must be a finite number, got {override}")


def _check_bounds(value: Any, path: str, bounds: tuple[Decimal, Decimal] | None) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _check_bounds(inner, f"{path}.{key}", bounds)
        return
    if bounds is not None and not bounds[0] <= value <= bounds[1]:
        raise DomainError(
            "invalid_value", f"rules.{path} must lie in {bounds[0]}–{bounds[1]}, got {value}"
        )


def _sums_to_one(weights: list[Decimal], what: str) -> None:
    total = sum(weights, D(0))
    if total != ONE:
        raise DomainError("invalid_value", f"{what} must sum to 1, got {total}")
