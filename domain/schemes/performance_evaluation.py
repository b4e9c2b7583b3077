"""Document 3: party-building performance evaluation (SPEC §2.3)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assess.domain.errors import DomainError
from assess.domain.figures import Figures
from assess.domain.numbers import HUNDRED, ZERO, parse_decimal, parse_in_range, round2

if TYPE_CHECKING:
    from assess.domain.actions import Act

SCHEME = "performance-evaluation"
METHODS = ("self", "org", "social")
METHOD_ROLES = {"self": "unit", "org": "assessor", "social": "rater"}
DEFINED_KINDS = ("mandatory", "instant")  # by org_dept; a unit declares `elective` items
ELECTIVE = "elective"
WEIGHTS = (5, 3, 1)
GRADE_LABELS = {"excellent": "优秀", "good": "良好", "average": "一般", "poor": "差"}
LOWEST_GRADE = "poor"


# ---- inputs (SPEC §2.3) ---------------------------------------------------------------


def read_weight(act: Act) -> int:
    weight = act.raw("weight")
    if isinstance(weight, bool) or weight not in WEIGHTS:
        raise DomainError("invalid_value", f"weight must be 5, 3 or 1, got {weight!r}")
    return int(weight)


def read_applies_to(act: Act, units: dict[str, Any]) -> str | list[str]:
    """`all` (the default) or a list of the cycle's unit ids."""
    raw = act.get("applies_to", "all")
    if raw == "all":
        return "all"
    if not isinstance(raw, list) or not raw or not all(isinstance(u, str) for u in raw):
        raise DomainError("invalid_value", "applies_to must be 'all' or a list of unit ids")
    for unit in raw:
        if unit not in units:
            raise DomainError("unknown_unit", f"no unit {unit!r} in this cycle")
    return list(dict.fromkeys(raw))


def read_method(act: Act) -> str:
    return act.choice("method", METHODS)


def read_delta(act: Act) -> Decimal:
    """实绩分析: a signed delta, −100…100."""
    return parse_in_range(act.raw("delta"), "delta", -HUNDRED, HUNDRED)


def fixed_point(raw: object, rules: dict[str, Any], field: str = "value") -> Decimal:
    """A score is one of the fixed points 100/85/70/40, given as a number or its label."""
    points = rules["score_points"]
    if isinstance(raw, str) and raw in points:
        return points[raw]
    value = parse_decimal(raw, field)
    if value not in points.values():
        allowed = "/".join(str(p) for p in points.values())
        raise DomainError("invalid_value", f"{field} {raw} is not one of {allowed}")
    return value


# ---- figures -------------------------------------------------------------------------


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


def missing_entries(unit: str, state: Any) -> list[dict[str, str]]:
    """What `close_scoring` lacks for the unit: `{"unit", "item", "method"}` entries, or
    `{"unit"}` alone when no item applies."""
    items = applicable_items(unit, state)
    if not items:
        return [{"unit": unit}]
    scores = state.scores.get(unit, {})
    return [
        {"unit": unit, "item": item, "method": method}
        for item in items
        for method in METHODS
        if item not in scores.get(method, {})
    ]


def missing_inputs(unit: str, state: Any) -> list[str]:
    return [
        f"item {entry['item']} {entry['method']}" if "item" in entry else "no applicable item"
        for entry in missing_entries(unit, state)
    ]
