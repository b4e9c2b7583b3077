"""Document 2: town/street and municipal leadership teams (SPEC §2.2)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from assess.domain.actions import bounded_score
from assess.domain.errors import DomainError
from assess.domain.figures import Figures
from assess.domain.numbers import ZERO, mean, round2
from assess.domain.ranking import competition_ranks

if TYPE_CHECKING:
    from assess.domain.actions import Act

SCHEME = "leadership-team"
CATEGORIES = ("town", "municipal")
ITEM_KINDS = ("basic", "key")
BODIES = (
    "org_dept",
    "municipal_work_committee",
    "enterprise_work_committee",
    "social_org_committee",
)
APPLIES_TO = ("town", "municipal", "all")
BALLOT_COMPONENTS = {"town": ("debrief",), "municipal": ("democratic_self", "democratic_staff")}
INNOVATION_BASES = ("commendation", "leader_endorsement", "promoted_experience")
GRADE_LABELS = {"excellent": "优秀", "good": "良好", "average": "一般"}
LOWEST_GRADE = "average"


# ---- inputs (SPEC §2.2) ---------------------------------------------------------------


def check_category(raw: str) -> str:
    if raw not in CATEGORIES:
        raise DomainError("invalid_value", f"category must be town or municipal, got {raw!r}")
    return raw


def check_body(actor: str, body: object) -> str:
    """An assessor's body (SPEC §4): it scores only the items of that body."""
    if body not in BODIES:
        raise DomainError("invalid_value", f"actor {actor}: unknown body {body!r}")
    return str(body)


def read_item(act: Act) -> dict[str, Any]:
    """An item's kind, the body that scores it and the categories it applies to."""
    return {
        "kind": act.choice("kind", ITEM_KINDS),
        "body": act.choice("body", BODIES),
        "applies_to": act.choice("applies_to", APPLIES_TO),
    }


def require_body(actor: str, body: str | None, item: str, item_body: str) -> None:
    """An assessor bound to a body scores only that body's items."""
    if body and body != item_body:
        raise DomainError(
            "permission_denied", f"{actor} scores {body} items, {item} is scored by {item_body}"
        )


def read_ballots(act: Act, category: str, rules: dict[str, Any]) -> dict[str, Any]:
    """A ballot set: debrief ratings (town) or democratic scores 0–100 (municipal)."""
    component = act.choice("component", BALLOT_COMPONENTS[category])
    ballots = act.listing("ballots")
    if component == "debrief":
        ratings = list(rules["debrief_points"])
        for ballot in ballots:
            if ballot not in ratings:
                raise DomainError(
                    "invalid_value",
                    f"debrief ballot {ballot!r} is not one of {'/'.join(ratings)}",
                )
    else:
        ballots = [bounded_score(ballot, "ballot") for ballot in ballots]
    return {"component": component, "ballots": ballots}


def read_award(act: Act, rules: dict[str, Any]) -> str:
    return act.choice("award", list(rules["award_points"]))


def read_basis(act: Act) -> str:
    """What an innovation's recognition rests on."""
    return act.choice("basis", INNOVATION_BASES)


# ---- figures -------------------------------------------------------------------------


def applies(item: dict[str, Any], category: str) -> bool:
    return item["applies_to"] in ("all", category)


def item_applies(item: dict[str, Any], unit: str, state: Any) -> bool:
    return applies(item, state.units[unit]["category"])


def applicable_items(unit: str, state: Any) -> list[str]:
    category = state.units[unit]["category"]
    return [item_id for item_id, item in state.items.items() if applies(item, category)]


def ballot_mean(points: list[Decimal]) -> Decimal:
    return round2(mean(points))


def democratic(self_score: Decimal, staff_score: Decimal, rules: dict[str, Any]) -> Decimal:
    return round2(self_score * rules["self_weight"] + staff_score * rules["staff_weight"])


def weighted_score(category: str, components: dict[str, Decimal], rules: dict[str, Any]) -> Decimal:
    weights = rules["weights"][category]
    return round2(sum((components[key] * weight for key, weight in weights.items()), ZERO))


def innovation_bonus(recognised: int, rules: dict[str, Any]) -> Decimal:
    return min(rules["innovation_cap"], recognised * rules["innovation_points"])


def _ballot_points(unit: str, component: str, state: Any) -> list[Decimal] | None:
    sets = state.ballots.get(unit, {}).get(component)
    if not sets:
        return None
    ballots = [ballot for submitted in sets.values() for ballot in submitted]
    if component == "debrief":
        points = state.rules["debrief_points"]
        return [Decimal(points[ballot]) for ballot in ballots]
    return [Decimal(ballot) for ballot in ballots]


def components_of(unit: str, state: Any) -> dict[str, Decimal]:
    """Every component whose inputs all exist, in SPEC §6 order."""
    category = state.units[unit]["category"]
    found: dict[str, Decimal] = {}
    for component in BALLOT_COMPONENTS[category]:
        points = _ballot_points(unit, component, state)
        if points:
            found[component] = ballot_mean(points)
    if "democratic_self" in found and "democratic_staff" in found:
        found["democratic"] = democratic(
            found["democratic_self"], found["democratic_staff"], state.rules
        )
    award = state.awards.get(unit)
    if award is not None:
        found["annual"] = Decimal(state.rules["award_points"][award])
    scores = state.scores.get(unit, {})
    items = applicable_items(unit, state)
    if items and all(item in scores for item in items):
        found["performance"] = round2(mean([Decimal(scores[item]) for item in items]))
    return found


def compute(state: Any) -> list[Figures]:
    rows = []
    recognised: dict[str, int] = {}
    for innovation in state.innovations.values():
        if innovation["recognized"]:
            recognised[innovation["unit"]] = recognised.get(innovation["unit"], 0) + 1
    for unit, info in state.units.items():
        components = components_of(unit, state)
        weights = state.rules["weights"][info["category"]]
        complete = all(key in components for key in weights)
        vetoed = unit in state.vetoes
        total = weighted_score(info["category"], components, state.rules) if complete else ZERO
        extra = innovation_bonus(recognised.get(unit, 0), state.rules)
        final = ZERO if vetoed or not complete else round2(total + extra)
        rows.append(
            Figures(
                unit=unit,
                components=components,
                score=ZERO if vetoed else total,
                extra=extra,
                final=final,
                tie_breaks=(
                    components.get("performance", ZERO),
                    components.get("annual", ZERO),
                ),
                vetoed=vetoed,
            )
        )
    return rows


def assign_tiers(rows: list[Figures], units: dict[str, dict[str, str]], rules: dict) -> None:
    """Per category: the top quota by category rank is 优秀; among the rest, the bottom
    quota counted from the bottom is 一般; ties at either boundary are all included."""
    for category in CATEGORIES:
        members = [row for row in rows if units[row.unit]["category"] == category]
        quota = rules["quotas"][category]
        rest = []
        for row in members:
            if not row.vetoed and row.category_rank <= quota["top"]:
                row.grade = "excellent"
            else:
                rest.append(row)
        from_bottom = competition_ranks(rest, key=lambda row: row.sort_key, best_first=False)
        for row, bottom_rank in zip(rest, from_bottom, strict=True):
            row.grade = "average" if row.vetoed or bottom_rank <= quota["bottom"] else "good"


def missing_entries(unit: str, state: Any) -> list[dict[str, str]]:
    """What `close_scoring` lacks for the unit: `{"unit", "component"}` (ballots, and
    `annual` for the award), `{"unit", "item"}`, or `{"unit"}` alone when no item applies."""
    category = state.units[unit]["category"]
    missing = [
        {"unit": unit, "component": component}
        for component in BALLOT_COMPONENTS[category]
        if not state.ballots.get(unit, {}).get(component)
    ]
    if unit not in state.awards:
        missing.append({"unit": unit, "component": "annual"})
    items = applicable_items(unit, state)
    if not items:
        missing.append({"unit": unit})
    scores = state.scores.get(unit, {})
    missing.extend({"unit": unit, "item": item} for item in items if item not in scores)
    return missing


def missing_inputs(unit: str, state: Any) -> list[str]:
    return [_describe(entry) for entry in missing_entries(unit, state)]


def _describe(entry: dict[str, str]) -> str:
    if "item" in entry:
        return f"item {entry['item']}"
    component = entry.get("component")
    if component is None:
        return "no applicable item"
    return "award" if component == "annual" else f"{component} ballots"
