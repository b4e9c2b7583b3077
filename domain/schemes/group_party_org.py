"""Document 1: group company party organisations (SPEC §2.1)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assess.domain.errors import DomainError
from assess.domain.figures import Figures
from assess.domain.numbers import HUNDRED, ZERO, parse_in_range, round2

if TYPE_CHECKING:
    from assess.domain.actions import Act

SCHEME = "group-party-org"
DAILY = "daily"
COMPONENT_ORDER = ("research_h1", "research_h2", DAILY, "year_end")  # SPEC §6
COMPONENTS = tuple(component for component in COMPONENT_ORDER if component != DAILY)  # scored
LEVELS = ("national", "provincial", "group")
CAP_CONDITIONS = ("legal_status", "standardization", "core_indicators", "accountability")
DEDUCTION_AREAS = (
    "political",
    "ideology_culture",
    "organization",
    "cadres_talent",
    "conduct",
    "discipline_integrity",
    "mass_organizations",
    "petitions",
    "stability",
    "confidentiality",
    "public_security",
    "responsibility_system",
)
GRADE_LABELS = {"good": "好", "fairly_good": "较好", "average": "一般", "poor": "差"}
LOWEST_GRADE = "poor"


def value_after_deductions(points: list[Decimal]) -> Decimal:
    """负面清单: 100 less the deducted points, never below zero."""
    return max(ZERO, HUNDRED - sum(points, ZERO))


# ---- inputs (SPEC §2.1) ---------------------------------------------------------------


def read_score(act: Act) -> dict[str, Any]:
    """A component's score: by value, or by deductions on the negative list (负面清单)."""
    component = act.choice("component", COMPONENTS)
    if act.has("value") == act.has("deductions"):
        raise DomainError("invalid_value", "give either value or deductions")
    if act.has("value"):
        return {"component": component, "value": act.score()}
    deductions = [_deduction(act, entry) for entry in act.listing("deductions")]
    value = value_after_deductions([deduction["points"] for deduction in deductions])
    return {"component": component, "value": value, "deductions": deductions}


def _deduction(act: Act, entry: object) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise DomainError("invalid_value", "each deduction must be an object")
    inner = act.entry("deductions", entry)
    points = parse_in_range(inner.raw("points"), "points", Decimal(0), HUNDRED, above_low=True)
    return {
        "area": inner.choice("area", DEDUCTION_AREAS),
        "points": points,
        "reason": inner.text("reason"),
    }


def read_condition(act: Act) -> str:
    """A cap condition (SPEC §2.1): a capped unit cannot be `good`."""
    return act.choice("condition", CAP_CONDITIONS)


def daily(research_h1: Decimal, research_h2: Decimal) -> Decimal:
    return round2((research_h1 + research_h2) / 2)


def score(daily_score: Decimal, year_end: Decimal, rules: dict[str, Any]) -> Decimal:
    return round2(daily_score * rules["daily_weight"] + year_end * rules["year_end_weight"])


def additional_points(level: str, sign: int, rules: dict[str, Any]) -> Decimal:
    return sign * rules[f"{level}_points"]


def grade(score_value: Decimal, capped: bool) -> str:
    if score_value >= 90:
        return "fairly_good" if capped else "good"
    if score_value >= 85:
        return "fairly_good"
    if score_value > 75:
        return "average"
    return "poor"


def extra_points(unit: str, state: Any) -> Decimal:
    """附加分: confirmed commendations add, recorded criticisms subtract."""
    rules = state.rules
    total = ZERO
    for claim in state.claims.values():
        if claim["unit"] == unit and claim["confirmed"]:
            total += additional_points(claim["level"], 1, rules)
    for criticism in state.criticisms:
        if criticism["unit"] == unit:
            total += additional_points(criticism["level"], -1, rules)
    return round2(total)


def compute(state: Any) -> list[Figures]:
    rows = []
    for unit in state.units:
        inputs = {k: Decimal(v) for k, v in state.scores.get(unit, {}).items()}
        components = dict(inputs)
        if "research_h1" in inputs and "research_h2" in inputs:
            components[DAILY] = daily(inputs["research_h1"], inputs["research_h2"])
        complete = DAILY in components and "year_end" in components
        vetoed = unit in state.vetoes
        total = score(components[DAILY], inputs["year_end"], state.rules) if complete else ZERO
        if vetoed:
            total = ZERO
        capped = bool(state.caps.get(unit))
        extra = extra_points(unit, state)
        rows.append(
            Figures(
                unit=unit,
                components=_ordered(components),
                score=total,
                extra=extra,
                final=total,
                tie_breaks=(extra, components.get("year_end", ZERO)),
                vetoed=vetoed,
                capped=capped,
                grade=LOWEST_GRADE if vetoed else grade(total, capped),
            )
        )
    return rows


def _ordered(components: dict[str, Decimal]) -> dict[str, Decimal]:
    return {key: components[key] for key in COMPONENT_ORDER if key in components}


def missing_entries(unit: str, state: Any) -> list[dict[str, str]]:
    """What `close_scoring` lacks for the unit: `{"unit", "component"}` entries."""
    have = state.scores.get(unit, {})
    return [{"unit": unit, "component": c} for c in COMPONENTS if c not in have]


def missing_inputs(unit: str, state: Any) -> list[str]:
    return [entry["component"] for entry in missing_entries(unit, state)]
