"""Document 3: party-building performance evaluation (SPEC §2.3)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from assess.domain.figures import Figures
from assess.domain.numbers import HUNDRED, ZERO, round2

SCHEME = "performance-evaluation"
METHODS = ("self", "org", "social")
METHOD_ROLES = {"self": "unit", "org": "assessor", "social": "rater"}
ITEM_KINDS = ("mandatory", "elective", "instant")
WEIGHTS = (5, 3, 1)
GRADE_LABELS = {"excellent": "优秀", "good": "良好", "average": "一般", "poor": "差"}
LOWEST_GRADE = "poor"


def applies(item: dict[str, Any], unit: str) -> bool:
    return item["applies_to"] == "all" or unit in item["applies_to"]


def item_applies(item: dict[str, Any], unit: str, state: Any) -> bool:
    return applies(item, unit)


def applicable_items(unit: str, state: Any) -> list[str]:
    return [item_id for item_id, item in state.items.items() if applies(item, unit)]


def method_score(weighted: list[tuple[int, Decimal]]) -> Decimal:
    """Σ weight × score / Σ weight over the unit's items."""
    total_weight = sum(weight for weight, _ in weighted)
    return round2(sum((weight * value for weight, value in weighted), ZERO) / total_weight)


def score(methods: dict[str, Decimal], rules: dict[str, Any]) -> Decimal:
    weights = rules["method_weights"]
    return round2(sum((methods[m] * weights[m] for m in METHODS), ZERO))


def final(score_value: Decimal, extra: Decimal) -> Decimal:
    return min(HUNDRED, max(ZERO, round2(score_value + extra)))


def grade(final_value: Decimal, rules: dict[str, Any]) -> str:
    bands = sorted(rules["grade_bands"].items(), key=lambda band: band[1], reverse=True)
    for name, floor in bands:
        if final_value >= floor:
            return name
    return "poor"


def compute(state: Any) -> list[Figures]:
    extras: dict[str, Decimal] = {}
    for adjustment in state.adjustments.values():
        if adjustment["status"] == "approved":
            unit = adjustment["unit"]
            extras[unit] = extras.get(unit, ZERO) + Decimal(adjustment["delta"])
    rows = []
    for unit in state.units:
        items = applicable_items(unit, state)
        scores = state.scores.get(unit, {})
        methods: dict[str, Decimal] = {}
        for method in METHODS:
            given = scores.get(method, {})
            if items and all(item in given for item in items):
                weighted = [(state.items[item]["weight"], Decimal(given[item])) for item in items]
                methods[method] = method_score(weighted)
        complete = len(methods) == len(METHODS)
        vetoed = unit in state.vetoes
        total = score(methods, state.rules) if complete and not vetoed else ZERO
        extra = round2(extras.get(unit, ZERO))
        final_value = final(total, extra) if complete and not vetoed else ZERO
        rows.append(
            Figures(
                unit=unit,
                components=methods,
                score=total,
                extra=extra,
                final=final_value,
                tie_breaks=(methods.get("org", ZERO), methods.get("social", ZERO)),
                vetoed=vetoed,
                grade=LOWEST_GRADE if vetoed else grade(final_value, state.rules),
            )
        )
    return rows


def missing_inputs(unit: str, state: Any) -> list[str]:
    items = applicable_items(unit, state)
    if not items:
        return ["no applicable item"]
    scores = state.scores.get(unit, {})
    return [
        f"item {item} {method}"
        for item in items
        for method in METHODS
        if item not in scores.get(method, {})
    ]
