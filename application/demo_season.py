"""Realistic, valid demo seasons (`assess-season/1`, SPEC.md §5) for the three schemes.

`generate_season` plans every unit's inputs first and then writes the actions stage by
stage, so each action is legal where it stands (SPEC §3). With `complications=True`
it also arranges the cases that matter: ties, grade and tier boundaries, caps,
additional points, innovation bonuses over the cap, vetoes (one incomplete, one
revoked), corrections, adjustments and appeals (one upheld, one dismissed on day 30).

Scheme B's ties at the tier quota boundaries are built, not hoped for: every unit gets a
band of inputs whose score ranges cannot overlap (`_LT_BANDS`), and the bands are
sized from the quotas. Corrections and appeals in B stay inside their unit's band, so
the boundaries hold in every results version after the last veto change.

Numbers are `int` or `Decimal` with at most 2 decimals; the same seed gives the same
season. YAML output needs PyYAML.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from assess.domain.schemes import group_party_org

__all__ = [
    "MIN_UNITS_WITH_COMPLICATIONS",
    "SCHEMES",
    "dump_season",
    "generate_season",
    "season_json",
]

YEAR = 2025
SCHEMES = ("group-party-org", "leadership-team", "performance-evaluation")
MIN_UNITS_WITH_COMPLICATIONS = {
    "group-party-org": 16,
    "leadership-team": 16,
    "performance-evaluation": 14,
}
_TITLES = {
    "group-party-org": f"{YEAR}年度集团公司基层党组织党建工作考核",
    "leadership-team": f"{YEAR}年度镇街及市直单位领导班子抓基层党建工作考核",
    "performance-evaluation": f"{YEAR}年度党建工作绩效考评",
}
_DEFAULT_ITEMS = {"leadership-team": 6, "performance-evaluation": 6}

Number = int | Decimal
Action = dict[str, Any]


def generate_season(
    scheme: str,
    units: int,
    seed: int,
    complications: bool = False,
    items: int | None = None,
    sheets: bool = True,
) -> dict:
    """A season dict that imports cleanly and runs through `publish_results`
    (with complications: through appeals and `close_cycle`).

    `items` sets the number of start-of-year items (B and C; scheme A has none).
    `sheets` chooses `submit_sheet` (one per unit and method or body) over one
    `submit_score` per score in B and C.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEMES)}")
    minimum = MIN_UNITS_WITH_COMPLICATIONS[scheme] if complications else 1
    if scheme == "leadership-team":
        minimum = max(minimum, 2)
    if units < minimum:
        raise ValueError(f"{scheme} needs at least {minimum} units here, got {units}")
    if scheme == "group-party-org":
        if items:
            raise ValueError("group-party-org has no items")
        return _group_party_org(random.Random(seed), units, complications)
    n_items = _DEFAULT_ITEMS[scheme] if items is None else items
    if n_items < 1:
        raise ValueError(f"{scheme} needs at least one item")
    build = _leadership_team if scheme == "leadership-team" else _performance_evaluation
    return build(random.Random(seed), units, complications, n_items, sheets)


# ---------------------------------------------------------------------------
# Shared pieces: the season being written, dates, names, numbers, roles
# ---------------------------------------------------------------------------


class _Season:
    """Collects the header and the actions of one season, in order."""

    def __init__(self, scheme: str, rules: dict | None = None) -> None:
        self.scheme = scheme
        self.rules = rules or {}
        self.units: list[dict] = []
        self.unit_actors: list[dict] = []
        self.staff: list[dict] = []
        self.actions: list[Action] = []

    def add_unit(self, unit_id: str, name: str, category: str) -> str:
        self.units.append({"id": unit_id, "name": name, "category": category})
        self.unit_actors.append({"id": _unit_actor(unit_id), "role": "unit", "unit": unit_id})
        return unit_id

    def add_actor(self, actor_id: str, role: str, **extra: str) -> str:
        self.staff.append({"id": actor_id, "role": role, **extra})
        return actor_id

    def act(self, do: str, by: str, **fields: Any) -> None:
        if isinstance(fields.get("at"), date):
            fields["at"] = fields["at"].isoformat()
        self.actions.append({"do": do, "by": by, **fields})

    def to_dict(self) -> dict:
        leaders = [
            {"id": "od", "role": "org_dept"},
            {"id": "lg", "role": "leading_group"},
            {"id": "aud", "role": "auditor"},
        ]
        return {
            "format": "assess-season/1",
            "cycle": {
                "id": f"{YEAR}-{self.scheme}",
                "scheme": self.scheme,
                "year": YEAR,
                "title": _TITLES[self.scheme],
            },
            "rules": self.rules,
            "actors": leaders + self.unit_actors + self.staff,
            "units": self.units,
            "actions": self.actions,
        }


def _unit_actor(unit_id: str) -> str:
    return f"u-{unit_id}"


@dataclass(frozen=True)
class _Calendar:
    """The dated milestones: items in spring, the year-end assessment in November,
    approval and publication early the following year."""

    items_published: date
    assessment_opened: date
    scoring_closed: date
    results_approved: date
    results_published: date

    @classmethod
    def draw(cls, rng: random.Random) -> _Calendar:
        published = date(YEAR + 1, 1, 20) + timedelta(rng.randint(0, 20))
        return cls(
            items_published=date(YEAR, 3, 10) + timedelta(rng.randint(0, 20)),
            assessment_opened=date(YEAR, 11, 1) + timedelta(rng.randint(0, 9)),
            scoring_closed=date(YEAR, 12, 10) + timedelta(rng.randint(0, 15)),
            results_approved=published - timedelta(rng.randint(5, 10)),
            results_published=published,
        )

    def after_publication(self, days: int) -> date:
        return self.results_published + timedelta(days)


_PLACE_CHARS = "泉阳宁林北南泰桥源华关河中隆兴安盛西平湖丰和城溪新康山东清长永青云金龙凤石江"


class _Names:
    """Unique, plausible Chinese unit names: two place characters and a suffix."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, suffixes: Sequence[str]) -> str:
        for _ in range(40):
            name = "".join(self.rng.choices(_PLACE_CHARS, k=2)) + self.rng.choice(suffixes)
            if name not in self.used:
                break
        else:
            name = f"{name}{len(self.used)}"
        self.used.add(name)
        return name


def _numbered(titles: Sequence[str], n: int) -> str:
    """The n-th title of a list, numbered once the list runs out."""
    title = titles[n % len(titles)]
    return title if n < len(titles) else f"{title}({n // len(titles) + 1})"


def _ids(prefix: str, count: int) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"{prefix}{i:0{width}d}" for i in range(count)]


def _amount(cents: int) -> Number:
    return cents // 100 if cents % 100 == 0 else Decimal(cents) / 100


def _between(rng: random.Random, low: int, high: int) -> Number:
    """A hand-entered figure in [low, high]: mostly whole or one-decimal numbers."""
    style = rng.random()
    step = 100 if style < 0.45 else 10 if style < 0.8 else 1
    first, last = -(-low * 100 // step), high * 100 // step
    return _amount(rng.randint(first, last) * step)


def _assign_roles(
    rng: random.Random, unit_ids: Sequence[str], counts: dict[str, int]
) -> dict[str, list[str]]:
    """Deal distinct units to the named roles; the rest are `plain`."""
    pool = list(unit_ids)
    rng.shuffle(pool)
    roles = {role: [pool.pop() for _ in range(count)] for role, count in counts.items()}
    roles["plain"] = pool
    return roles


def _one(roles: dict[str, list[str]], role: str) -> str:
    return roles[role][0]


_VETO_BASES = {
    "criticized_by_superior": "受到上级党委通报批评",
    "serious_dereliction": "发生严重失职失责问题,造成恶劣影响",
    "other": "发生重大安全生产责任事故",
}
_SUPERVISION_FINDINGS = (
    "台账资料齐全,进度正常",
    "“三会一课”落实到位,记录规范",
    "组织生活会记录不完整,已督促整改",
    "发展党员程序规范,材料齐全",
    "个别支部换届滞后,已提醒按期完成",
    "主题党日活动形式单一,建议丰富载体",
)


def _supervise(
    season: _Season,
    rng: random.Random,
    unit_ids: Sequence[str],
    by: str,
    item: str | None = None,
) -> None:
    """年中督查: a handful of visits while the year is in progress, some about an item
    that applies to every unit."""
    count = max(1, min(40, len(unit_ids) // 4))
    for unit_id in sorted(rng.sample(list(unit_ids), count)):
        fields: dict[str, Any] = {
            "unit": unit_id,
            "method": rng.choice(("meeting", "site_visit", "ledger_review")),
            "findings": rng.choice(_SUPERVISION_FINDINGS),
        }
        if item and rng.random() < 0.5:
            fields["item"] = item
        season.act("record_supervision", by, **fields)


def _veto(season: _Season, unit_id: str, basis: str) -> None:
    season.act("apply_veto", "lg", unit=unit_id, reason=_VETO_BASES[basis], basis=basis)


def _assessment_vetoes(season: _Season, roles: dict[str, Any], basis: str) -> list[str]:
    """Veto the units planned to stay incomplete and the one to be revoked in review;
    returns the incomplete ones."""
    incomplete = roles.get("veto_incomplete", [])
    for unit_id in incomplete:
        _veto(season, unit_id, basis)
    for unit_id in roles.get("veto_revoked", []):
        _veto(season, unit_id, "criticized_by_superior")
    return incomplete


def _revoke_veto(season: _Season, unit_id: str) -> None:
    season.act("revoke_veto", "lg", unit=unit_id, reason="经复核,否决依据不成立,予以撤销")


def _approve_and_publish(season: _Season, calendar: _Calendar) -> None:
    season.act("approve_results", "lg", at=calendar.results_approved)
    season.act("publish_results", "od", at=calendar.results_published)


def _appeals_and_close(
    season: _Season,
    rng: random.Random,
    calendar: _Calendar,
    upheld_unit: str,
    corrections: list[dict],
    dismissed_unit: str,
) -> None:
    """One appeal upheld with corrections for the appellant's own unit, one filed on the
    last day of the window (day 30) and dismissed, then the cycle closes."""
    filed = rng.randint(3, 15)
    season.act(
        "file_appeal",
        _unit_actor(upheld_unit),
        unit=upheld_unit,
        appeal="AP0",
        reason="对评分有异议,申请复核",
        at=calendar.after_publication(filed),
    )
    season.act(
        "resolve_appeal",
        "od",
        appeal="AP0",
        outcome="upheld",
        answer="经核实,原评分有误,予以更正",
        corrections=corrections,
        at=calendar.after_publication(filed + 5),
    )
    season.act(
        "file_appeal",
        _unit_actor(dismissed_unit),
        unit=dismissed_unit,
        appeal="AP1",
        reason="对考核等次有异议",
        at=calendar.after_publication(30),
    )
    season.act(
        "resolve_appeal",
        "od",
        appeal="AP1",
        outcome="dismissed",
        answer="经核实,评分依据充分,维持原结果",
        at=calendar.after_publication(34),
    )
    season.act("close_cycle", "od", at=calendar.after_publication(40))


# ---------------------------------------------------------------------------
# group-party-org (A): research_h1/h2, year_end, additional points, caps
# ---------------------------------------------------------------------------

_GPO_COMPLICATIONS = {
    "tie": 2,
    "extra_tie": 2,
    "edge_90": 1,
    "edge_85": 1,
    "edge_75": 1,
    "cap_in_assessment": 1,
    "cap_in_review": 1,
    "veto_in_review": 1,
    "veto_revoked": 1,
    "veto_incomplete": 1,
    "correction": 2,
    "appeal_upheld": 1,
    "appeal_dismissed": 1,
}
_GPO_COMPONENTS = group_party_org.COMPONENTS
_GPO_AREAS = group_party_org.DEDUCTION_AREAS
_GPO_DEDUCTION_POINTS = (Decimal("0.5"), 1, 2, 3, 5)
_GPO_COMMENDATIONS = {
    "national": "获评全国先进基层党组织",
    "provincial": "获评全省先进基层党组织",
    "group": "获评集团公司“四强”党组织",
}
_GPO_CRITICISMS = ("安全生产事故被通报批评", "信访维稳工作被通报批评", "党风廉政问题被通报批评")
_GPO_CAPS = {
    "legal_status": "党组织法定地位不落实",
    "standardization": "党组织标准化建设不达标",
    "core_indicators": "安全经营核心指标未完成",
    "accountability": "因党风廉政建设被问责",
}


def _group_party_org(rng: random.Random, n_units: int, complications: bool) -> dict:
    season = _Season("group-party-org")
    names = _Names(rng)
    unit_ids = [
        season.add_unit(
            unit_id,
            names.make(("公司党委", "中心党委", "矿党委", "电厂党委", "分公司党委")),
            rng.choice(("二级党组织", "直属党组织")),
        )
        for unit_id in _ids("P", n_units)
    ]
    for assessor in ("as0", "as1", "as2"):
        season.add_actor(assessor, "assessor")
    calendar = _Calendar.draw(rng)
    roles = _assign_roles(rng, unit_ids, _GPO_COMPLICATIONS if complications else {})
    plan = _gpo_plan(rng, unit_ids, roles)
    claims, criticised = _gpo_commendations(rng, roles, complications)

    season.act("publish_items", "od", at=calendar.items_published)
    _gpo_in_progress(season, rng, unit_ids, plan, claims, criticised)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    _gpo_assessment(season, rng, unit_ids, plan, claims, roles)
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    if complications:
        _gpo_review(season, rng, roles)
    _approve_and_publish(season, calendar)
    if complications:
        upheld = _one(roles, "appeal_upheld")
        correction = {
            "kind": "score",
            "unit": upheld,
            "component": "year_end",
            "value": _between(rng, 80, 95),
        }
        _appeals_and_close(
            season, rng, calendar, upheld, [correction], _one(roles, "appeal_dismissed")
        )
    return season.to_dict()


def _gpo_submission(rng: random.Random, quality: int) -> dict:
    """A research or year-end score: a value, or (for sound units) negative-list deductions."""
    if quality >= 85 and rng.random() < 0.35:
        return {"deductions": _gpo_deductions(rng)}
    return {"value": _between(rng, max(0, quality - 4), min(100, quality + 4))}


def _gpo_deductions(rng: random.Random) -> list[dict]:
    return [
        {
            "area": rng.choice(_GPO_AREAS),
            "points": rng.choices(_GPO_DEDUCTION_POINTS, weights=(4, 4, 3, 2, 1))[0],
            "reason": "负面清单扣分",
        }
        for _ in range(rng.randint(1, 3))
    ]


def _gpo_plan(
    rng: random.Random, unit_ids: Sequence[str], roles: dict[str, list[str]]
) -> dict[str, dict[str, dict]]:
    """Each unit's three submissions. Ties copy a plan; the edge units sit exactly on
    the grade boundaries 90 / 85 / 75; capped units would otherwise be `good`."""
    plan = {}
    for unit_id in unit_ids:
        quality = rng.choice((72, 78, 82, 86, 88, 91, 94))
        plan[unit_id] = {c: _gpo_submission(rng, quality) for c in _GPO_COMPONENTS}
    for unit_id in roles.get("cap_in_assessment", []) + roles.get("cap_in_review", []):
        plan[unit_id] = {c: {"value": _between(rng, 92, 98)} for c in _GPO_COMPONENTS}
    for edge in (90, 85, 75):
        for unit_id in roles.get(f"edge_{edge}", []):
            plan[unit_id] = {c: {"value": edge} for c in _GPO_COMPONENTS}
    for pair in ("tie", "extra_tie"):
        if roles.get(pair):
            first, second = roles[pair]
            plan[second] = plan[first]
    return plan


@dataclass
class _Claim:
    claim: str
    unit: str
    level: str
    confirmed: bool
    in_assessment: bool


def _gpo_commendations(
    rng: random.Random, roles: dict[str, list[str]], complications: bool
) -> tuple[list[_Claim], list[str]]:
    """Commendation claims (most confirmed) and criticised units. Tied units get none,
    except the second of `extra_tie`, whose confirmed commendation breaks that tie."""
    candidates = list(roles["plain"])
    for role in ("cap_in_assessment", "cap_in_review", "correction", "appeal_upheld"):
        candidates += roles.get(role, [])
    candidates.sort()
    claimants = rng.sample(candidates, max(1, len(candidates) // 5))
    claims = [
        _Claim(
            claim=f"C{i}",
            unit=unit_id,
            level=rng.choices(("national", "provincial", "group"), weights=(1, 3, 6))[0],
            confirmed=rng.random() < 0.85,
            in_assessment=rng.random() < 0.3,
        )
        for i, unit_id in enumerate(claimants)
    ]
    if complications:
        claims[0].confirmed = False
        breaker = roles["extra_tie"][1]
        claims.append(_Claim(f"C{len(claims)}", breaker, "provincial", True, False))
    criticised = sorted(rng.sample(candidates, max(1, len(candidates) // 10)))
    return claims, criticised


def _gpo_score(season: _Season, by: str, unit_id: str, component: str, submission: dict) -> None:
    if "deductions" in submission:
        submission = {"deductions": [dict(d) for d in submission["deductions"]]}
    season.act("submit_score", by, unit=unit_id, component=component, **submission)


def _gpo_claims(season: _Season, claims: list[_Claim], in_assessment: bool) -> None:
    for claim in claims:
        if claim.in_assessment != in_assessment:
            continue
        season.act(
            "claim_commendation",
            _unit_actor(claim.unit),
            unit=claim.unit,
            claim=claim.claim,
            level=claim.level,
            title=_GPO_COMMENDATIONS[claim.level],
            evidence=f"表彰文件(〔{YEAR}〕{int(claim.claim[1:]) + 3}号)",
        )
        if claim.confirmed:
            season.act("confirm_commendation", "as1", claim=claim.claim)


def _gpo_in_progress(
    season: _Season,
    rng: random.Random,
    unit_ids: Sequence[str],
    plan: dict[str, dict[str, dict]],
    claims: list[_Claim],
    criticised: list[str],
) -> None:
    _supervise(season, rng, unit_ids, "as0")
    for unit_id in unit_ids:
        _gpo_score(season, "as0", unit_id, "research_h1", plan[unit_id]["research_h1"])
    _gpo_claims(season, claims, in_assessment=False)
    for unit_id in criticised:
        level = rng.choice(("provincial", "group"))
        season.act(
            "record_criticism", "as1", unit=unit_id, level=level, title=rng.choice(_GPO_CRITICISMS)
        )


def _gpo_assessment(
    season: _Season,
    rng: random.Random,
    unit_ids: Sequence[str],
    plan: dict[str, dict[str, dict]],
    claims: list[_Claim],
    roles: dict[str, list[str]],
) -> None:
    incomplete = _assessment_vetoes(season, roles, "serious_dereliction")
    for unit_id in unit_ids:
        if unit_id in incomplete:
            continue
        _gpo_score(season, "as0", unit_id, "research_h2", plan[unit_id]["research_h2"])
        _gpo_score(season, "as2", unit_id, "year_end", plan[unit_id]["year_end"])
    _gpo_claims(season, claims, in_assessment=True)
    if roles.get("correction"):
        resubmitted = roles["correction"][0]
        _gpo_score(season, "as2", resubmitted, "year_end", {"value": _between(rng, 78, 92)})
    for unit_id in roles.get("cap_in_assessment", []):
        season.act(
            "apply_cap",
            "as1",
            unit=unit_id,
            condition="legal_status",
            reason=_GPO_CAPS["legal_status"],
        )


def _gpo_review(season: _Season, rng: random.Random, roles: dict[str, list[str]]) -> None:
    _veto(season, _one(roles, "veto_in_review"), "criticized_by_superior")
    _revoke_veto(season, _one(roles, "veto_revoked"))
    season.act(
        "apply_cap",
        "od",
        unit=_one(roles, "cap_in_review"),
        condition="standardization",
        reason=_GPO_CAPS["standardization"],
    )
    first, second = roles["correction"]
    season.act(
        "correct_score",
        "od",
        reason="复核更正:年终考核分录入有误",
        unit=first,
        component="year_end",
        value=_between(rng, 78, 92),
    )
    season.act(
        "correct_score",
        "od",
        reason="复核更正:负面清单扣分项核减",
        unit=second,
        component="research_h1",
        deductions=_gpo_deductions(rng),
    )


# ---------------------------------------------------------------------------
# leadership-team (B): ballots, awards, items by body, innovations, tier quotas
# ---------------------------------------------------------------------------

_LT_BODIES = (
    "org_dept",
    "municipal_work_committee",
    "enterprise_work_committee",
    "social_org_committee",
)
_LT_APPLIES_TO = ("town", "municipal", "all")
_LT_RATINGS = ("好", "较好", "一般", "差")
_LT_RATING_POINTS = {"好": 100, "较好": 80, "一般": 60, "差": 40}
_LT_TITLES = {
    "basic": (
        "基层党组织标准化规范化建设",
        "党员教育管理",
        "发展党员工作",
        "党费收缴使用管理",
        "“三会一课”制度落实",
    ),
    "key": (
        "抓党建促乡村振兴",
        "软弱涣散基层党组织整顿",
        "“两新”组织党建覆盖",
        "党建引领基层治理",
        "机关党建“模范机关”创建",
    ),
}
_LT_MUNICIPAL_NAMES = (
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
_LT_BANDS = {
    "top": ((90, 100), ("first",), (94, 99)),
    "top_tie": ((85, 90), ("first",), (90, 93)),
    "middle": ((65, 85), ("second", "other"), (76, 88)),
    "bottom_tie": ((60, 65), ("other",), (70, 74)),
    "bottom": ((40, 58), ("other",), (60, 68)),
    "lifted": ((40, 58), ("other",), (60, 68)),
}
# Per band: the rating mix tried for debrief ballots, and ballots whose mean is in range.
_LT_RATING_WEIGHTS = {
    "top": ((8, 2, 0, 0), ("好",) * 5),
    "top_tie": ((4, 6, 0, 0), ("好", "较好") * 3),
    "middle": ((2, 5, 3, 1), ("较好",) * 5),
    "bottom_tie": ((0, 1, 6, 1), ("一般",) * 5),
    "bottom": ((0, 1, 3, 5), ("差",) * 5),
    "lifted": ((0, 1, 3, 5), ("差",) * 5),
}
_LT_MUNICIPAL_ROLES = (
    "veto_revoked",
    "correction",
    "ballots_correction",
    "appeal_upheld",
    "appeal_dismissed",
)
_LT_RATERS = ("r0", "r1")


@dataclass(frozen=True)
class _LtItem:
    item: str
    title: str
    kind: str
    body: str
    applies_to: str

    def applies(self, category: str) -> bool:
        return self.applies_to in ("all", category)


def _leadership_team(
    rng: random.Random, n_units: int, complications: bool, n_items: int, sheets: bool
) -> dict:
    n_towns = max(1, n_units // 4)
    counts = {"town": n_towns, "municipal": n_units - n_towns}
    quotas = {c: {"top": _quota(n), "bottom": _quota(n)} for c, n in counts.items()}
    season = _Season("leadership-team", {"quotas": quotas})
    category_of = _lt_units(season, rng, counts)
    for body in _LT_BODIES:
        season.add_actor(f"as-{body}", "assessor", body=body)
    for rater in _LT_RATERS:
        season.add_actor(rater, "rater")
    calendar = _Calendar.draw(rng)
    items = _lt_items(rng, n_items)
    roles, bands = _lt_roles_and_bands(rng, category_of, quotas, complications)
    plan = {u: _lt_inputs(rng, category_of[u], bands[u], items) for u in category_of}
    for first, second in roles["tie_pairs"]:
        plan[second] = plan[first]
    innovations = _lt_innovations(rng, bands, roles)

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
    _lt_in_progress(season, rng, category_of, innovations, items)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    _lt_assessment(season, rng, category_of, plan, items, innovations, roles, sheets)
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    if complications:
        _lt_review(season, rng, roles, items)
    _approve_and_publish(season, calendar)
    if complications:
        upheld = _one(roles, "appeal_upheld")
        corrections = _lt_corrections(rng, upheld, items)
        _appeals_and_close(
            season, rng, calendar, upheld, corrections, _one(roles, "appeal_dismissed")
        )
    return season.to_dict()


def _quota(count: int) -> int:
    """About a tenth of the category, at least one."""
    return max(1, (count + 5) // 10)


def _lt_units(season: _Season, rng: random.Random, counts: dict[str, int]) -> dict[str, str]:
    names = _Names(rng)
    departments = list(_LT_MUNICIPAL_NAMES)
    rng.shuffle(departments)
    category_of = {}
    for unit_id in _ids("T", counts["town"]):
        name = names.make(("镇", "镇", "镇", "街道"))
        category_of[season.add_unit(unit_id, name, "town")] = "town"
    for unit_id in _ids("M", counts["municipal"]):
        name = departments.pop() if departments else names.make(("局", "中心", "委", "办"))
        category_of[season.add_unit(unit_id, name, "municipal")] = "municipal"
    return category_of


def _lt_items(rng: random.Random, count: int) -> list[_LtItem]:
    """The first item applies to every unit, so each unit has at least one."""
    kinds = ["key"] + [rng.choice(("basic", "key")) for _ in range(1, count)]
    items = []
    for i, kind in enumerate(kinds):
        item_id = f"{'B' if kind == 'basic' else 'K'}{i:02d}"
        title = _numbered(_LT_TITLES[kind], kinds[:i].count(kind))
        applies_to = rng.choice(_LT_APPLIES_TO) if i else "all"
        items.append(_LtItem(item_id, title, kind, _LT_BODIES[i % 4], applies_to))
    return items


def _lt_roles_and_bands(
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
    town_roles = _assign_roles(
        rng, by_category["town"], {"veto_in_review": 1, "veto_incomplete": 1}
    )
    municipal_roles = _assign_roles(
        rng, by_category["municipal"], {"lifted": 1, **dict.fromkeys(_LT_MUNICIPAL_ROLES, 1)}
    )
    roles: dict[str, Any] = {**town_roles, **municipal_roles, "tie_pairs": []}
    del roles["plain"]
    bands = dict.fromkeys(category_of, "middle")
    bands[_one(municipal_roles, "lifted")] = "lifted"
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


def _lt_debrief(rng: random.Random, band: str) -> list[str]:
    """Debrief ratings (好/较好/一般/差) whose mean lies in the band's range."""
    (low, high), _, _ = _LT_BANDS[band]
    weights, fallback = _LT_RATING_WEIGHTS[band]
    for _ in range(50):
        ballots = rng.choices(_LT_RATINGS, weights=weights, k=rng.randint(4, 9))
        mean = Decimal(sum(_LT_RATING_POINTS[b] for b in ballots)) / len(ballots)
        if low <= mean <= high:
            return ballots
    return list(fallback)


def _lt_ballots(rng: random.Random, band: str, count: tuple[int, int]) -> list[Number]:
    (low, high), _, _ = _LT_BANDS[band]
    return [_between(rng, low, high) for _ in range(rng.randint(*count))]


def _lt_inputs(rng: random.Random, category: str, band: str, items: list[_LtItem]) -> dict:
    """One unit's ballots (per component: list of (submitter, ballots)), award and scores."""
    _, awards, (low, high) = _LT_BANDS[band]
    ballots: dict[str, list[tuple[str | None, list[Any]]]]
    if category == "town":
        ballots = {"debrief": [(r, _lt_debrief(rng, band)) for r in _LT_RATERS]}
    else:
        ballots = {
            "democratic_self": [(None, _lt_ballots(rng, band, (3, 7)))],
            "democratic_staff": [(r, _lt_ballots(rng, band, (5, 10))) for r in _LT_RATERS],
        }
    scores = {i.item: _between(rng, low, high) for i in items if i.applies(category)}
    return {"ballots": ballots, "award": rng.choice(awards), "scores": scores}


def _lt_innovations(
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


def _lt_in_progress(
    season: _Season,
    rng: random.Random,
    category_of: dict[str, str],
    innovations: list[tuple[str, str, bool]],
    items: list[_LtItem],
) -> None:
    for unit_id, innovation, _ in innovations:
        season.act(
            "declare_innovation",
            _unit_actor(unit_id),
            unit=unit_id,
            innovation=innovation,
            title=rng.choice(("“红色领航”党建品牌创建", "“党建+网格”治理创新", "机关支部结对共建")),
        )
    _supervise(season, rng, sorted(category_of), "as-org_dept", items[0].item)


def _lt_submit_ballots(season: _Season, unit_id: str, component: str, sets: list) -> None:
    for submitter, ballots in sets:
        by = submitter or _unit_actor(unit_id)
        season.act("submit_ballots", by, unit=unit_id, component=component, ballots=list(ballots))


def _lt_submit_scores(
    season: _Season, unit_id: str, scores: dict[str, Number], items: list[_LtItem], sheets: bool
) -> None:
    body_of = {i.item: i.body for i in items}
    for body in _LT_BODIES:
        mine = {item: value for item, value in scores.items() if body_of[item] == body}
        if not mine:
            continue
        if sheets:
            season.act("submit_sheet", f"as-{body}", unit=unit_id, scores=mine)
        else:
            for item, value in mine.items():
                season.act("submit_score", f"as-{body}", unit=unit_id, item=item, value=value)


def _lt_assessment(
    season: _Season,
    rng: random.Random,
    category_of: dict[str, str],
    plan: dict[str, dict],
    items: list[_LtItem],
    innovations: list[tuple[str, str, bool]],
    roles: dict[str, Any],
    sheets: bool,
) -> None:
    incomplete = _assessment_vetoes(season, roles, "serious_dereliction")
    for unit_id in category_of:
        inputs = plan[unit_id]
        if unit_id not in incomplete:
            for component, sets in inputs["ballots"].items():
                _lt_submit_ballots(season, unit_id, component, sets)
            season.act("record_award", "as-org_dept", unit=unit_id, award=inputs["award"])
        _lt_submit_scores(season, unit_id, inputs["scores"], items, sheets)
    if roles.get("appeal_dismissed"):
        resubmitted = _one(roles, "appeal_dismissed")
        sets = [("r0", _lt_ballots(rng, "middle", (5, 10)))]
        _lt_submit_ballots(season, resubmitted, "democratic_staff", sets)
    for _, innovation, recognised in innovations:
        if recognised:
            basis = rng.choice(("commendation", "leader_endorsement", "promoted_experience"))
            season.act("recognize_innovation", "as-org_dept", innovation=innovation, basis=basis)


def _lt_item_correction(rng: random.Random, items: list[_LtItem]) -> dict:
    """A middle-band score for an item that applies to municipal units."""
    item = rng.choice([i for i in items if i.applies("municipal")])
    return {"item": item.item, "value": _between(rng, 76, 88)}


def _lt_review(
    season: _Season, rng: random.Random, roles: dict[str, Any], items: list[_LtItem]
) -> None:
    _veto(season, _one(roles, "veto_in_review"), "criticized_by_superior")
    _revoke_veto(season, _one(roles, "veto_revoked"))
    season.act(
        "correct_score",
        "od",
        reason="复核更正:党建实绩评分录入有误",
        unit=_one(roles, "correction"),
        **_lt_item_correction(rng, items),
    )
    season.act(
        "correct_score",
        "od",
        reason="复核更正:民主评议票重新统计",
        unit=_one(roles, "ballots_correction"),
        component="democratic_staff",
        ballots=_lt_ballots(rng, "middle", (8, 14)),
    )


def _lt_corrections(rng: random.Random, unit_id: str, items: list[_LtItem]) -> list[dict]:
    return [
        {"kind": "score", "unit": unit_id, **_lt_item_correction(rng, items)},
        {
            "kind": "ballots",
            "unit": unit_id,
            "component": "democratic_staff",
            "ballots": _lt_ballots(rng, "middle", (8, 14)),
        },
    ]


# ---------------------------------------------------------------------------
# performance-evaluation (C): weighted items × self/org/social, adjustments
# ---------------------------------------------------------------------------

_PE_COMPLICATIONS = {
    "tie": 2,
    "edge_90": 1,
    "edge_100": 1,
    "veto_in_review": 1,
    "veto_revoked": 1,
    "veto_incomplete": 1,
    "correction": 2,
    "appeal_upheld": 1,
    "appeal_dismissed": 1,
    "adjust_up": 1,
    "adjust_down": 1,
    "adjust_rejected": 1,
}
_PE_POINTS = (100, 85, 70, 40)
_PE_METHODS = ("self", "org", "social")
# Chances of 优/良/中/差 for a unit's profile; self-evaluation leans one step kinder.
_PE_PROFILES = {
    "strong": (5, 4, 1, 0.2),
    "steady": (2, 5, 3, 0.5),
    "weak": (0.5, 3, 5, 2),
}
_PE_KINDER = {"strong": "strong", "steady": "strong", "weak": "steady"}
_PE_TITLES = (
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
_PE_ASSESSORS = ("as0", "as1", "as2")


@dataclass(frozen=True)
class _PeItem:
    item: str
    weight: int
    units: frozenset[str] | None = None  # None: applies to all

    def applies(self, unit_id: str) -> bool:
        return self.units is None or unit_id in self.units


def _performance_evaluation(
    rng: random.Random, n_units: int, complications: bool, n_items: int, sheets: bool
) -> dict:
    season = _Season("performance-evaluation")
    names = _Names(rng)
    unit_ids = [
        season.add_unit(
            unit_id,
            names.make(("党委", "党总支", "党支部", "党组")),
            rng.choice(("党支部", "成员单位", "正处级单位")),
        )
        for unit_id in _ids("O", n_units)
    ]
    for assessor in _PE_ASSESSORS:
        season.add_actor(assessor, "assessor")
    season.add_actor("soc", "rater")
    calendar = _Calendar.draw(rng)
    roles = _assign_roles(rng, unit_ids, _PE_COMPLICATIONS if complications else {})
    mandatory = [
        _PeItem(f"G{i:02d}", rng.choices((5, 3, 1), weights=(3, 2, 1))[0]) for i in range(n_items)
    ]
    elective, instant = _pe_extra_items(rng, roles) if complications else ([], [])
    items = mandatory + [item for _, item in elective] + instant

    for item in mandatory:
        season.act(
            "define_item",
            "od",
            item=item.item,
            title=_numbered(_PE_TITLES, int(item.item[1:])),
            kind="mandatory",
            weight=item.weight,
            applies_to="all",
        )
    season.act("publish_items", "od", at=calendar.items_published)
    for unit_id, item in elective:
        season.act(
            "declare_item",
            _unit_actor(unit_id),
            unit=unit_id,
            item=item.item,
            title="自选特色党建指标",
            weight=item.weight,
        )
    _supervise(season, rng, unit_ids, "as0", mandatory[0].item)
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
    plan = _pe_plan(rng, unit_ids, items, roles)
    _pe_assessment(season, rng, plan, roles, sheets)
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    if complications:
        _pe_review(season, rng, roles, mandatory[0].item)
    _approve_and_publish(season, calendar)
    if complications:
        upheld = _one(roles, "appeal_upheld")
        correction = {
            "kind": "score",
            "unit": upheld,
            "item": mandatory[0].item,
            "method": "social",
            "value": rng.choice((85, 100)),
        }
        _appeals_and_close(
            season, rng, calendar, upheld, [correction], _one(roles, "appeal_dismissed")
        )
    return season.to_dict()


def _pe_extra_items(
    rng: random.Random, roles: dict[str, list[str]]
) -> tuple[list[tuple[str, _PeItem]], list[_PeItem]]:
    """Two elective items (each declared by a unit for itself) and one instant item for
    three units; never for tied or edge units, whose inputs are fixed."""
    free = sorted(
        u for role, units in roles.items() if not role.startswith(("tie", "edge")) for u in units
    )
    declarers = rng.sample(free, 2)
    elective = [
        (u, _PeItem(f"E{n}", rng.choice((1, 3)), frozenset([u]))) for n, u in enumerate(declarers)
    ]
    instant = [_PeItem("J0", 3, frozenset(rng.sample(free, 3)))]
    return elective, instant


def _pe_sheet(
    rng: random.Random, unit_id: str, items: list[_PeItem], profile: str
) -> dict[str, int]:
    mine = [i.item for i in items if i.applies(unit_id)]
    values = rng.choices(_PE_POINTS, weights=_PE_PROFILES[profile], k=len(mine))
    return dict(zip(mine, values, strict=True))


def _pe_plan(
    rng: random.Random, unit_ids: Sequence[str], items: list[_PeItem], roles: dict[str, list[str]]
) -> dict[str, dict[str, dict[str, int]]]:
    """Per unit and method, the item scores. Ties copy a plan; `edge_90` scores 85
    everywhere (+5 approved → exactly 90.00); `edge_100` scores 100 everywhere (+2
    approved → clamped to 100.00)."""
    plan = {}
    for unit_id in unit_ids:
        profile = rng.choice(tuple(_PE_PROFILES))
        kinder = _PE_KINDER[profile]
        plan[unit_id] = {
            "self": _pe_sheet(rng, unit_id, items, kinder),
            "org": _pe_sheet(rng, unit_id, items, profile),
            "social": _pe_sheet(rng, unit_id, items, profile),
        }
    for role, value in (("edge_90", 85), ("edge_100", 100)):
        for unit_id in roles.get(role, []):
            mine = [i.item for i in items if i.applies(unit_id)]
            plan[unit_id] = {m: dict.fromkeys(mine, value) for m in _PE_METHODS}
    if roles.get("tie"):
        first, second = roles["tie"]
        plan[second] = plan[first]
    return plan


def _pe_org_assessor(unit_id: str) -> str:
    return _PE_ASSESSORS[int(unit_id[1:]) % len(_PE_ASSESSORS)]


def _pe_assessment(
    season: _Season,
    rng: random.Random,
    plan: dict[str, dict[str, dict[str, int]]],
    roles: dict[str, list[str]],
    sheets: bool,
) -> None:
    incomplete = _assessment_vetoes(season, roles, "other")
    actions = season.actions
    for unit_id in plan:
        scorers = {"self": _unit_actor(unit_id), "org": _pe_org_assessor(unit_id), "social": "soc"}
        for method in _PE_METHODS:
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
            _pe_org_assessor(resubmitted),
            unit=resubmitted,
            item=item,
            method="org",
            value=rng.choice(_PE_POINTS),
        )


def _pe_review(season: _Season, rng: random.Random, roles: dict[str, list[str]], item: str) -> None:
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
            unit=_one(roles, role),
            adjustment=adjustment,
            delta=delta,
            reason=reason,
        )
        verdict = "approve_adjustment" if approved else "reject_adjustment"
        season.act(verdict, "lg", adjustment=adjustment)
    _veto(season, _one(roles, "veto_in_review"), "criticized_by_superior")
    _revoke_veto(season, _one(roles, "veto_revoked"))
    for unit_id, method in zip(roles["correction"], ("org", "social"), strict=True):
        season.act(
            "correct_score",
            "od",
            reason="复核更正:评分表录入有误",
            unit=unit_id,
            item=item,
            method=method,
            value=rng.choice(_PE_POINTS),
        )


# ---------------------------------------------------------------------------
# Writing a season to disk
# ---------------------------------------------------------------------------

_DECIMAL_MARK = "\ue000"
_MARKED_DECIMAL = re.compile(f'"{_DECIMAL_MARK}(-?[0-9]+(?:\\.[0-9]+)?)"')


def dump_season(season: dict, path: str | Path) -> None:
    """Write a season as JSON (`.json`) or YAML (`.yaml`, `.yml`); decimals are plain
    numbers (87.5, not "87.5")."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = season_json(season)
    elif suffix in (".yaml", ".yml"):
        text = _season_yaml(season)
    else:
        raise ValueError(f"cannot tell the format of {path.name}: use .json, .yaml or .yml")
    path.write_text(text, encoding="utf-8")


def season_json(season: dict) -> str:
    def mark(value: object) -> str:
        if isinstance(value, Decimal):
            return f"{_DECIMAL_MARK}{value:f}"
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    text = json.dumps(season, ensure_ascii=False, indent=1, default=mark)
    return _MARKED_DECIMAL.sub(r"\1", text) + "\n"


def _season_yaml(season: dict) -> str:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
        if value == value.to_integral_value():
            return dumper.represent_int(int(value))
        return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}")

    Dumper.add_representer(Decimal, represent_decimal)
    return yaml.dump(season, Dumper=Dumper, allow_unicode=True, sort_keys=False)
