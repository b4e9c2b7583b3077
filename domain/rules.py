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
    """The scheme's defaults merged key by key with the season's overrides."""
    rules = copy.deepcopy({**COMMON, **DEFAULTS[scheme]})
    for key, value in (overrides or {}).items():
        if key not in rules:
            raise DomainError("invalid_value", f"rules.{key} is not a rule of {scheme}")
        rules[key] = _merge(rules[key], value, key)
    return rules
