"""The two-level demo (SPEC §9, 一级考核一级): for 2024 and 2025, the city's
leadership-team cycle over four towns and two municipal bodies, run by the city party
committee, and the performance-evaluation cycles that two of those towns run over their
village and community party branches (each branch's `parent` is its town).

Small on purpose (a few dozen actions each): `serve --demo` loads them beside the
scheme demos. 2024 runs to `closed`; in 2025 the city and 城关镇 have published, while
新安镇's cycle is still being scored (about half of its sheets to enter), so it has no
results yet.
"""

from __future__ import annotations

import random
from typing import Any

from assess.demo.draw import between
from assess.demo.writer import Calendar, SeasonWriter, unit_actor
from assess.domain.schemes import LEADERSHIP_TEAM, PERFORMANCE_EVALUATION

CITY = "SW"  # 市委: runs the city's cycle
YEARS = (2024, 2025)
TOWNS = {"T01": "城关镇", "T02": "新安镇", "T03": "泉阳镇", "T04": "东城街道"}
MUNICIPAL = {"M01": "市教育局", "M02": "市财政局"}
# The towns that run their own cycle, and their branches.
BRANCHES = {
    "T01": {
        "T01-01": "东关社区党支部",
        "T01-02": "西关社区党支部",
        "T01-03": "南庄村党支部",
        "T01-04": "北河村党支部",
    },
    "T02": {
        "T02-01": "新安村党支部",
        "T02-02": "柳林村党支部",
        "T02-03": "石桥村党支部",
        "T02-04": "安平社区党支部",
    },
}
STILL_SCORING = {(2025, "T02")}  # stops in assessment: no results version yet
# Of a cycle still being scored, the sheets not submitted yet (about half): a newcomer
# enters them (the demo's `assessor`, `rater` and `unit` accounts act in 2025-T02) and
# walks the cycle to publication.
UNSUBMITTED = {
    ("T02-01", "self"),
    ("T02-03", "org"),
    ("T02-03", "social"),
    ("T02-04", "org"),
    ("T02-04", "social"),
}
_CITY_ITEMS = (
    ("K01", "key", "抓党建促乡村振兴"),
    ("B01", "basic", "基层党组织标准化规范化建设"),
)
_BRANCH_ITEMS = (("G01", 5, "“三会一课”制度落实"), ("G02", 3, "党员教育管理"))
_POINTS = (100, 85, 70, 40)
_RATINGS = ("好", "较好", "一般", "差")


def city_cycle(year: int) -> str:
    return f"{year}-city"


def town_cycle(year: int, town: str) -> str:
    return f"{year}-{town}"


def organisation_cycles() -> list[str]:
    return [cycle for year in YEARS for cycle in _cycles_of(year)]


def _cycles_of(year: int) -> list[str]:
    return [city_cycle(year), *(town_cycle(year, town) for town in BRANCHES)]


def organisation_seasons() -> list[dict[str, Any]]:
    """Every season of the two-level demo, the city's first in each year."""
    seasons = []
    for year in YEARS:
        seasons.append(city_season(year))
        seasons.extend(town_season(year, town) for town in BRANCHES)
    return seasons


def city_season(year: int) -> dict[str, Any]:
    """The city's leadership-team cycle: towns by debrief, municipal bodies by democratic
    ballots, both by the annual award and two items of the organisation department."""
    rng = random.Random(year)
    quotas = {"town": {"top": 1, "bottom": 1}, "municipal": {"top": 1, "bottom": 0}}
    season = SeasonWriter(
        LEADERSHIP_TEAM, {"quotas": quotas}, year=year, run_by=CITY, cycle=city_cycle(year)
    )
    for unit_id, name in TOWNS.items():
        season.add_unit(unit_id, name, "town", parent=CITY)
    for unit_id, name in MUNICIPAL.items():
        season.add_unit(unit_id, name, "municipal", parent=CITY)
    season.add_actor("as-org_dept", "assessor", body="org_dept")
    season.add_actor("r0", "rater")
    calendar = Calendar.draw(rng, year)
    for item, kind, title in _CITY_ITEMS:
        season.act(
            "define_item",
            "od",
            item=item,
            title=title,
            kind=kind,
            body="org_dept",
            applies_to="all",
        )
    season.act("publish_items", "od", at=calendar.items_published)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    for unit_id in TOWNS:
        ballots = rng.choices(_RATINGS, weights=(5, 4, 2, 1), k=7)
        season.act("submit_ballots", "r0", unit=unit_id, component="debrief", ballots=ballots)
    for unit_id in MUNICIPAL:
        own = [between(rng, 80, 98) for _ in range(3)]
        staff = [between(rng, 70, 95) for _ in range(6)]
        season.act(
            "submit_ballots",
            unit_actor(unit_id),
            unit=unit_id,
            component="democratic_self",
            ballots=own,
        )
        season.act(
            "submit_ballots", "r0", unit=unit_id, component="democratic_staff", ballots=staff
        )
    for unit_id in (*TOWNS, *MUNICIPAL):
        award = rng.choice(("first", "second", "other"))
        season.act("record_award", "as-org_dept", unit=unit_id, award=award)
        scores = {item: between(rng, 72, 97) for item, _, _ in _CITY_ITEMS}
        season.act("submit_sheet", "as-org_dept", unit=unit_id, scores=scores)
    _finish(season, calendar, closed=year != YEARS[-1])
    return season.to_dict()


def town_season(year: int, town: str) -> dict[str, Any]:
    """A town's performance-evaluation cycle over its branches: self, organisation and
    social evaluation of two items."""
    rng = random.Random(f"{year}-{town}")
    season = SeasonWriter(
        PERFORMANCE_EVALUATION,
        year=year,
        run_by=town,
        cycle=town_cycle(year, town),
        title=f"{year}年度{TOWNS[town]}村(社区)党组织党建工作绩效考评",
    )
    for unit_id, name in BRANCHES[town].items():
        season.add_unit(unit_id, name, "党支部", parent=town)
    season.add_actor("as0", "assessor")
    season.add_actor("soc", "rater")
    calendar = Calendar.draw(rng, year)
    for item, weight, title in _BRANCH_ITEMS:
        season.act(
            "define_item",
            "od",
            item=item,
            title=title,
            kind="mandatory",
            weight=weight,
            applies_to="all",
        )
    season.act("publish_items", "od", at=calendar.items_published)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    scorers = {"self": None, "org": "as0", "social": "soc"}
    for unit_id in BRANCHES[town]:
        for method, by in scorers.items():
            scores = {
                item: rng.choices(_POINTS, weights=(3, 4, 2, 1))[0] for item, _, _ in _BRANCH_ITEMS
            }
            if (year, town) in STILL_SCORING and (unit_id, method) in UNSUBMITTED:
                continue  # drawn all the same: the other sheets keep their scores
            season.act(
                "submit_sheet",
                by or unit_actor(unit_id),
                unit=unit_id,
                method=method,
                scores=scores,
            )
    if (year, town) not in STILL_SCORING:
        _finish(season, calendar, closed=year != YEARS[-1])
    return season.to_dict()


def _finish(season: SeasonWriter, calendar: Calendar, closed: bool) -> None:
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    season.act("approve_results", "lg", at=calendar.results_approved)
    season.act("publish_results", "od", at=calendar.results_published)
    if closed:
        season.act("close_cycle", "od", at=calendar.after_publication(40))
