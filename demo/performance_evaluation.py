"""performance-evaluation (SPEC §2.3): weighted items scored by self, org and social
evaluation in fixed points, elective and instant items, and adjustments."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from assess.demo import steps
from assess.demo.draw import Names, assign_roles, ids, numbered, one
from assess.demo.writer import YEAR, Calendar, SeasonWriter, unit_actor
from assess.domain.rules import DEFAULTS
from assess.domain.schemes import performance_evaluation as scheme

SCHEME = scheme.SCHEME
MIN_UNITS = 1
MIN_UNITS_WITH_COMPLICATIONS = 14
DEFAULT_ITEMS = 6
COMPLICATIONS = {
    "tie": 2,
    "edge_90": 1,
    "edge_100": 1,
    **steps.COMPLICATIONS,
    "adjust_up": 1,
    "adjust_down": 1,
    "adjust_rejected": 1,
}
# The fixed points of 优/良/中/差, as plain whole numbers.
_POINTS = tuple(int(points) for points in DEFAULTS[SCHEME]["score_points"].values())
# Chances of 优/良/中/差 for a unit's profile; self-evaluation leans one step kinder.
_PROFILES = {
    "strong": (5, 4, 1, 0.2),
    "steady": (2, 5, 3, 0.5),
    "weak": (0.5, 3, 5, 2),
}
_KINDER = {"strong": "strong", "steady": "strong", "weak": "steady"}
_TITLES = (
    "政治建设",
    "思想建设",
    "组织建设",
    "作风建设",
    "纪律建设",
    "制度建设",
    "党风廉政建设",
    "意识形态工作",
    "党员队伍建设",
    "基层党组织标准化建设",
)
_ASSESSORS = ("as0", "as1", "as2")


@dataclass(frozen=True)
class _Item:
    item: str
    weight: int
    units: frozenset[str] | None = None  # None: applies to all

    def applies(self, unit_id: str) -> bool:
        return self.units is None or unit_id in self.units


def generate(
    rng: random.Random,
    n_units: int,
    complications: bool,
    n_items: int,
    sheets: bool,
    year: int = YEAR,
    run_by: str | None = None,
) -> dict:
    season = SeasonWriter(SCHEME, year=year, run_by=run_by)
    names = Names(rng)
    unit_ids = [
        season.add_unit(
            unit_id,
            names.make(("党委", "党总支", "党支部", "党组")),
            rng.choice(("党支部", "成员单位", "正处级单位")),
        )
        for unit_id in ids("O", n_units)
    ]
    for assessor in _ASSESSORS:
        season.add_actor(assessor, "assessor")
    season.add_actor("soc", "rater")
    calendar = Calendar.draw(rng, year)
    roles = assign_roles(rng, unit_ids, COMPLICATIONS if complications else {})
    mandatory = [
        _Item(f"G{i:02d}", rng.choices(scheme.WEIGHTS, weights=(3, 2, 1))[0])
        for i in range(n_items)
    ]
    elective, instant = _extra_items(rng, roles) if complications else ([], [])
    items = mandatory + [item for _, item in elective] + instant

    for item in mandatory:
        season.act(
            "define_item",
            "od",
            item=item.item,
            title=numbered(_TITLES, int(item.item[1:])),
            kind="mandatory",
            weight=item.weight,
            applies_to="all",
        )
    season.act("publish_items", "od", at=calendar.items_published)
    for unit_id, item in elective:
        season.act(
            "declare_item",
            unit_actor(unit_id),
            unit=unit_id,
            item=item.item,
            title="自选特色党建指标",
            weight=item.weight,
        )
    steps.supervise(season, rng, unit_ids, "as0", mandatory[0].item)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    for item in instant:
        season.act(
            "define_item",
            "od",
            item=item.item,
            title="即时交办任务:防汛救灾党员先锋行动",
            kind="instant",
            weight=item.weight,
            applies_to=sorted(item.units or ()),
        )
    plan = _plan(rng, unit_ids, items, roles)
    _assessment(season, rng, plan, roles, sheets)
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    if complications:
        _review(season, rng, roles, mandatory[0].item)
    steps.approve_and_publish(season, calendar)
    if complications:
        corrections = partial(_appeal_corrections, rng, mandatory[0].item)
        steps.appeals_and_close(season, rng, calendar, roles, corrections)
    return season.to_dict()


def _appeal_corrections(rng: random.Random, item: str, unit_id: str) -> list[dict]:
    """The social evaluation of the first mandatory item, rescored."""
    value = rng.choice((85, 100))
    return [{"kind": "score", "unit": unit_id, "item": item, "method": "social", "value": value}]


def _extra_items(
    rng: random.Random, roles: dict[str, list[str]]
) -> tuple[list[tuple[str, _Item]], list[_Item]]:
    """Two elective items (each declared by a unit for itself) and one instant item for
    three units; never for tied or edge units, whose inputs are fixed."""
    free = sorted(
        u for role, units in roles.items() if not role.startswith(("tie", "edge")) for u in units
    )
    declarers = rng.sample(free, 2)
    elective = [
        (u, _Item(f"E{n}", rng.choice((1, 3)), frozenset([u]))) for n, u in enumerate(declarers)
    ]
    instant = [_Item("J0", 3, frozenset(rng.sample(free, 3)))]
    return elective, instant


def _sheet(rng: random.Random, unit_id: str, items: list[_Item], profile: str) -> dict[str, int]:
    mine = [i.item for i in items if i.applies(unit_id)]
    values = rng.choices(_POINTS, weights=_PROFILES[profile], k=len(mine))
    return dict(zip(mine, values, strict=True))


def _plan(
    rng: random.Random, unit_ids: Sequence[str], items: list[_Item], roles: dict[str, list[str]]
) -> dict[str, dict[str, dict[str, int]]]:
    """Per unit and method, the item scores. Ties copy a plan; `edge_90` scores 85
    everywhere (+5 approved → exactly 90.00); `edge_100` scores 100 everywhere (+2
    approved → clamped to 100.00)."""
    plan = {}
    for unit_id in unit_ids:
        profile = rng.choice(tuple(_PROFILES))
        kinder = _KINDER[profile]
        plan[unit_id] = {
            "self": _sheet(rng, unit_id, items, kinder),
            "org": _sheet(rng, unit_id, items, profile),
            "social": _sheet(rng, unit_id, items, profile),
        }
    for role, value in (("edge_90", 85), ("edge_100", 100)):
        for unit_id in roles.get(role, []):
            mine = [i.item for i in items if i.applies(unit_id)]
            plan[unit_id] = {m: dict.fromkeys(mine, value) for m in scheme.METHODS}
    if roles.get("tie"):
        first, second = roles["tie"]
        plan[second] = plan[first]
    return plan


def _org_assessor(unit_id: str) -> str:
    return _ASSESSORS[int(unit_id[1:]) % len(_ASSESSORS)]


def _assessment(
    season: SeasonWriter,
    rng: random.Random,
    plan: dict[str, dict[str, dict[str, int]]],
    roles: dict[str, list[str]],
    sheets: bool,
) -> None:
    incomplete = steps.assessment_vetoes(season, roles, "other")
    actions = season.actions
    for unit_id in plan:
        scorers = {"self": unit_actor(unit_id), "org": _org_assessor(unit_id), "social": "soc"}
        for method in scheme.METHODS:
            if method == "social" and unit_id in incomplete:
                continue
            by, scores = scorers[method], plan[unit_id][method]
            if sheets:
                actions.append(
                    {
                        "do": "submit_sheet",
                        "by": by,
                        "unit": unit_id,
                        "method": method,
                        "scores": dict(scores),
                    }
                )
            else:
                # The benchmark season writes ~180,000 of these: plain literals, no helpers.
                actions.extend(
                    {
                        "do": "submit_score",
                        "by": by,
                        "unit": unit_id,
                        "item": item,
                        "method": method,
                        "value": value,
                    }
                    for item, value in scores.items()
                )
    if roles.get("correction"):
        resubmitted = roles["correction"][0]
        item = next(iter(plan[resubmitted]["org"]))
        season.act(
            "submit_score",
            _org_assessor(resubmitted),
            unit=resubmitted,
            item=item,
            method="org",
            value=rng.choice(_POINTS),
        )


def _review(
    season: SeasonWriter, rng: random.Random, roles: dict[str, list[str]], item: str
) -> None:
    adjustments = (
        ("edge_90", 5, "实绩分析:重点任务完成突出", True),
        ("edge_100", 2, "实绩分析:获上级表彰", True),
        ("adjust_up", 3, "实绩分析:基层治理成效明显", True),
        ("adjust_down", Decimal("-2.5"), "实绩分析:群众满意度偏低", True),
        ("adjust_rejected", Decimal("4.25"), "实绩分析:创新做法有推广价值", False),
    )
    for n, (role, delta, reason, approved) in enumerate(adjustments):
        adjustment = f"A{n}"
        season.act(
            "propose_adjustment",
            "od" if n % 2 else "as0",
            unit=one(roles, role),
            adjustment=adjustment,
            delta=delta,
            reason=reason,
        )
        verdict = "approve_adjustment" if approved else "reject_adjustment"
        season.act(verdict, "lg", adjustment=adjustment)
    steps.review_vetoes(season, roles)
    for unit_id, method in zip(roles["correction"], ("org", "social"), strict=True):
        season.act(
            "correct_score",
            "od",
            reason="复核更正:评分表录入有误",
            unit=unit_id,
            item=item,
            method=method,
            value=rng.choice(_POINTS),
        )
