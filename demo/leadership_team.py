"""leadership-team (SPEC §2.2): ballots, awards, items scored by body, innovations, and
ties on the tier quota boundaries.

The ties are built, not hoped for: every unit gets a band of inputs whose score ranges
cannot overlap (`_BANDS`), and the bands are sized from the quotas. Corrections and
appeals stay inside their unit's band, so the boundaries hold in every results version
after the last veto change.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import partial
from typing import Any

from assess.demo import steps
from assess.demo.draw import Names, assign_roles, between, ids, numbered, one
from assess.demo.writer import YEAR, Calendar, Number, SeasonWriter, unit_actor
from assess.domain.rules import DEFAULTS
from assess.domain.schemes import leadership_team as scheme

SCHEME = scheme.SCHEME
MIN_UNITS = 2  # a town and a municipal unit
MIN_UNITS_WITH_COMPLICATIONS = 16
DEFAULT_ITEMS = 6
_RATING_POINTS = DEFAULTS[SCHEME]["debrief_points"]
_RATINGS = tuple(_RATING_POINTS)
_TITLES = dict(
    zip(
        scheme.ITEM_KINDS,
        (
            (
                "基层党组织标准化规范化建设",
                "党员教育管理",
                "发展党员工作",
                "党费收缴使用管理",
                "“三会一课”制度落实",
            ),
            (
                "抓党建促乡村振兴",
                "软弱涣散基层党组织整顿",
                "“两新”组织党建覆盖",
                "党建引领基层治理",
                "机关党建“模范机关”创建",
            ),
        ),
        strict=True,
    )
)
_MUNICIPAL_NAMES = (
    "市委办公室",
    "市政府办公室",
    "市纪委监委机关",
    "市委宣传部",
    "市委统战部",
    "市委政法委",
    "市发展和改革局",
    "市教育局",
    "市科技局",
    "市工业和信息化局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水利局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委员会",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
    "市医疗保障局",
    "市信访局",
)
# Per band: debrief/democratic range, awards, item-score range. Town and municipal
# scores (0.2 D + 0.2 annual + 0.6 performance) fall in disjoint ranges:
# top ≥ 94.4 > 93.8 ≥ top_tie ≥ 91 > 87.8 ≥ middle ≥ 74.6 > 73.4 ≥ bottom_tie ≥ 70
# > 68.4 ≥ bottom. `lifted` is bottom plus the capped innovation bonus 15: 75–83.4.
_BANDS = {
    "top": ((90, 100), ("first",), (94, 99)),
    "top_tie": ((85, 90), ("first",), (90, 93)),
    "middle": ((65, 85), ("second", "other"), (76, 88)),
    "bottom_tie": ((60, 65), ("other",), (70, 74)),
    "bottom": ((40, 58), ("other",), (60, 68)),
    "lifted": ((40, 58), ("other",), (60, 68)),
}
# Per band: the rating mix tried for debrief ballots, and ballots whose mean is in range.
_RATING_WEIGHTS = {
    "top": ((8, 2, 0, 0), ("好",) * 5),
    "top_tie": ((4, 6, 0, 0), ("好", "较好") * 3),
    "middle": ((2, 5, 3, 1), ("较好",) * 5),
    "bottom_tie": ((0, 1, 6, 1), ("一般",) * 5),
    "bottom": ((0, 1, 3, 5), ("差",) * 5),
    "lifted": ((0, 1, 3, 5), ("差",) * 5),
}
_MUNICIPAL_ROLES = (
    "veto_revoked",
    "correction",
    "ballots_correction",
    "appeal_upheld",
    "appeal_dismissed",
)
_RATERS = ("r0", "r1")


@dataclass(frozen=True)
class _Item:
    item: str
    title: str
    kind: str
    body: str
    applies_to: str

    def applies(self, category: str) -> bool:
        return scheme.applies({"applies_to": self.applies_to}, category)


def generate(
    rng: random.Random,
    n_units: int,
    complications: bool,
    n_items: int,
    sheets: bool,
    year: int = YEAR,
    run_by: str | None = None,
) -> dict:
    n_towns = max(1, n_units // 4)
    counts = {"town": n_towns, "municipal": n_units - n_towns}
    quotas = {c: {"top": _quota(n), "bottom": _quota(n)} for c, n in counts.items()}
    season = SeasonWriter(SCHEME, {"quotas": quotas}, year=year, run_by=run_by)
    category_of = _units(season, rng, counts)
    for body in scheme.BODIES:
        season.add_actor(f"as-{body}", "assessor", body=body)
    for rater in _RATERS:
        season.add_actor(rater, "rater")
    calendar = Calendar.draw(rng, year)
    items = _items(rng, n_items)
    roles, bands = _roles_and_bands(rng, category_of, quotas, complications)
    plan = {u: _inputs(rng, category_of[u], bands[u], items) for u in category_of}
    for first, second in roles["tie_pairs"]:
        plan[second] = plan[first]
    innovations = _innovations(rng, bands, roles)

    for item in items:
        season.act(
            "define_item",
            "od",
            item=item.item,
            title=item.title,
            kind=item.kind,
            body=item.body,
            applies_to=item.applies_to,
        )
    season.act("publish_items", "od", at=calendar.items_published)
    _in_progress(season, rng, category_of, innovations, items)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    _assessment(season, rng, category_of, plan, items, innovations, roles, sheets)
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    if complications:
        _review(season, rng, roles, items)
    steps.approve_and_publish(season, calendar)
    if complications:
        corrections = partial(_appeal_corrections, rng, items)
        steps.appeals_and_close(season, rng, calendar, roles, corrections)
    return season.to_dict()


def _quota(count: int) -> int:
    """About a tenth of the category, at least one."""
    return max(1, (count + 5) // 10)


def _units(season: SeasonWriter, rng: random.Random, counts: dict[str, int]) -> dict[str, str]:
    names = Names(rng)
    departments = list(_MUNICIPAL_NAMES)
    rng.shuffle(departments)
    category_of = {}
    for unit_id in ids("T", counts["town"]):
        name = names.make(("镇", "镇", "镇", "街道"))
        category_of[season.add_unit(unit_id, name, "town")] = "town"
    for unit_id in ids("M", counts["municipal"]):
        name = departments.pop() if departments else names.make(("局", "中心", "委", "办"))
        category_of[season.add_unit(unit_id, name, "municipal")] = "municipal"
    return category_of


def _items(rng: random.Random, count: int) -> list[_Item]:
    """The first item applies to every unit, so each unit has at least one."""
    kinds = ["key"] + [rng.choice(scheme.ITEM_KINDS) for _ in range(1, count)]
    items = []
    for i, kind in enumerate(kinds):
        item_id = f"{'B' if kind == 'basic' else 'K'}{i:02d}"
        title = numbered(_TITLES[kind], kinds[:i].count(kind))
        applies_to = rng.choice(scheme.APPLIES_TO) if i else "all"
        bodies = scheme.BODIES
        items.append(_Item(item_id, title, kind, bodies[i % len(bodies)], applies_to))
    return items


def _roles_and_bands(
    rng: random.Random,
    category_of: dict[str, str],
    quotas: dict[str, dict[str, int]],
    complications: bool,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Place units in score bands. With complications, per category: top − 1 units above
    a tied pair on the top boundary, and (after the vetoed units, which count first from
    the bottom) bottom − 1 − vetoed units below a tied pair on the bottom boundary.
    Persistent vetoes are towns; the other special roles are municipal middle units."""
    by_category = {c: sorted(u for u in category_of if category_of[u] == c) for c in quotas}
    if not complications:
        bands = {
            u: rng.choices(("top", "middle", "bottom"), weights=(15, 60, 25))[0]
            for u in category_of
        }
        return {"tie_pairs": []}, bands
    town_roles = assign_roles(rng, by_category["town"], {"veto_in_review": 1, "veto_incomplete": 1})
    municipal_roles = assign_roles(
        rng, by_category["municipal"], {"lifted": 1, **dict.fromkeys(_MUNICIPAL_ROLES, 1)}
    )
    roles: dict[str, Any] = {**town_roles, **municipal_roles, "tie_pairs": []}
    del roles["plain"]
    bands = dict.fromkeys(category_of, "middle")
    bands[one(municipal_roles, "lifted")] = "lifted"
    for category, free, vetoed in (
        ("town", town_roles["plain"], 2),
        ("municipal", municipal_roles["plain"], 0),
    ):
        top, bottom = quotas[category]["top"], quotas[category]["bottom"]
        layout = [("top", top - 1), ("top_tie", 2)]
        if bottom - 1 - vetoed >= 0:
            layout += [("bottom", bottom - 1 - vetoed), ("bottom_tie", 2)]
        for band, count in layout:
            chosen = [free.pop() for _ in range(count)]
            bands.update(dict.fromkeys(chosen, band))
            if band.endswith("_tie"):
                roles["tie_pairs"].append(tuple(chosen))
    return roles, bands


def _debrief(rng: random.Random, band: str) -> list[str]:
    """Debrief ratings (好/较好/一般/差) whose mean lies in the band's range."""
    (low, high), _, _ = _BANDS[band]
    weights, fallback = _RATING_WEIGHTS[band]
    for _ in range(50):
        ballots = rng.choices(_RATINGS, weights=weights, k=rng.randint(4, 9))
        mean = sum(_RATING_POINTS[b] for b in ballots) / len(ballots)
        if low <= mean <= high:
            return ballots
    return list(fallback)


def _ballots(rng: random.Random, band: str, count: tuple[int, int]) -> list[Number]:
    (low, high), _, _ = _BANDS[band]
    return [between(rng, low, high) for _ in range(rng.randint(*count))]


def _inputs(rng: random.Random, category: str, band: str, items: list[_Item]) -> dict:
    """One unit's ballots (per component: list of (submitter, ballots)), award and scores."""
    _, awards, (low, high) = _BANDS[band]
    ballots: dict[str, list[tuple[str | None, list[Any]]]]
    if category == "town":
        ballots = {"debrief": [(r, _debrief(rng, band)) for r in _RATERS]}
    else:
        ballots = {
            "democratic_self": [(None, _ballots(rng, band, (3, 7)))],
            "democratic_staff": [(r, _ballots(rng, band, (5, 10))) for r in _RATERS],
        }
    scores = {i.item: between(rng, low, high) for i in items if i.applies(category)}
    return {"ballots": ballots, "award": rng.choice(awards), "scores": scores}


def _innovations(
    rng: random.Random, bands: dict[str, str], roles: dict[str, Any]
) -> list[tuple[str, str, bool]]:
    """(unit, innovation id, recognised). With complications only top-band units and the
    `lifted` unit (four recognised: 20 points, capped at 15) gain a bonus, so bonuses
    never cross a tier boundary; some other units declare work that is not recognised."""
    declared: list[tuple[str, str, bool]] = []
    units = sorted(bands)
    lifted = roles.get("lifted", [])
    for unit_id in units:
        if unit_id in lifted:
            recognised = [True, True, True, True, False]
        elif rng.random() >= 0.15:
            continue
        elif lifted and bands[unit_id] != "top":
            recognised = [False]
        else:
            recognised = [rng.random() < 0.6 for _ in range(rng.randint(1, 2))]
        declared += [(unit_id, f"I{unit_id}-{n}", r) for n, r in enumerate(recognised)]
    return declared


def _in_progress(
    season: SeasonWriter,
    rng: random.Random,
    category_of: dict[str, str],
    innovations: list[tuple[str, str, bool]],
    items: list[_Item],
) -> None:
    for unit_id, innovation, _ in innovations:
        season.act(
            "declare_innovation",
            unit_actor(unit_id),
            unit=unit_id,
            innovation=innovation,
            title=rng.choice(("“红色领航”党建品牌创建", "“党建+网格”治理创新", "机关支部结对共建")),
        )
    steps.supervise(season, rng, sorted(category_of), "as-org_dept", items[0].item)


def _submit_ballots(season: SeasonWriter, unit_id: str, component: str, sets: list) -> None:
    for submitter, ballots in sets:
        by = submitter or unit_actor(unit_id)
        season.act("submit_ballots", by, unit=unit_id, component=component, ballots=list(ballots))


def _submit_scores(
    season: SeasonWriter,
    unit_id: str,
    scores: dict[str, Number],
    items: list[_Item],
    sheets: bool,
) -> None:
    body_of = {i.item: i.body for i in items}
    for body in scheme.BODIES:
        mine = {item: value for item, value in scores.items() if body_of[item] == body}
        if not mine:
            continue
        if sheets:
            season.act("submit_sheet", f"as-{body}", unit=unit_id, scores=mine)
        else:
            for item, value in mine.items():
                season.act("submit_score", f"as-{body}", unit=unit_id, item=item, value=value)


def _assessment(
    season: SeasonWriter,
    rng: random.Random,
    category_of: dict[str, str],
    plan: dict[str, dict],
    items: list[_Item],
    innovations: list[tuple[str, str, bool]],
    roles: dict[str, Any],
    sheets: bool,
) -> None:
    incomplete = steps.assessment_vetoes(season, roles, "serious_dereliction")
    for unit_id in category_of:
        inputs = plan[unit_id]
        if unit_id not in incomplete:
            for component, sets in inputs["ballots"].items():
                _submit_ballots(season, unit_id, component, sets)
            season.act("record_award", "as-org_dept", unit=unit_id, award=inputs["award"])
        _submit_scores(season, unit_id, inputs["scores"], items, sheets)
    if roles.get("appeal_dismissed"):
        resubmitted = one(roles, "appeal_dismissed")
        sets = [("r0", _ballots(rng, "middle", (5, 10)))]
        _submit_ballots(season, resubmitted, "democratic_staff", sets)
    for _, innovation, recognised in innovations:
        if recognised:
            basis = rng.choice(scheme.INNOVATION_BASES)
            season.act("recognize_innovation", "as-org_dept", innovation=innovation, basis=basis)


def _item_correction(rng: random.Random, items: list[_Item]) -> dict:
    """A middle-band score for an item that applies to municipal units."""
    item = rng.choice([i for i in items if i.applies("municipal")])
    return {"item": item.item, "value": between(rng, 76, 88)}


def _review(
    season: SeasonWriter, rng: random.Random, roles: dict[str, Any], items: list[_Item]
) -> None:
    steps.review_vetoes(season, roles)
    season.act(
        "correct_score",
        "od",
        reason="复核更正:党建实绩评分录入有误",
        unit=one(roles, "correction"),
        **_item_correction(rng, items),
    )
    season.act(
        "correct_score",
        "od",
        reason="复核更正:民主评议票重新统计",
        unit=one(roles, "ballots_correction"),
        component="democratic_staff",
        ballots=_ballots(rng, "middle", (8, 14)),
    )


def _appeal_corrections(rng: random.Random, items: list[_Item], unit_id: str) -> list[dict]:
    return [
        {"kind": "score", "unit": unit_id, **_item_correction(rng, items)},
        {
            "kind": "ballots",
            "unit": unit_id,
            "component": "democratic_staff",
            "ballots": _ballots(rng, "middle", (8, 14)),
        },
    ]
