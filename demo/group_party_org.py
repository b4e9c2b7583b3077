"""group-party-org (SPEC §2.1): research_h1/h2 and year_end scores or negative-list
deductions, commendations and criticisms, caps, and units on the grade boundaries."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from assess.demo import steps
from assess.demo.draw import Names, assign_roles, between, ids, one
from assess.demo.writer import YEAR, Calendar, SeasonWriter, unit_actor
from assess.domain.schemes import group_party_org as scheme

SCHEME = scheme.SCHEME
MIN_UNITS = 1
MIN_UNITS_WITH_COMPLICATIONS = 16
COMPLICATIONS = {
    "tie": 2,
    "extra_tie": 2,
    "edge_90": 1,
    "edge_85": 1,
    "edge_75": 1,
    "cap_in_assessment": 1,
    "cap_in_review": 1,
    **steps.COMPLICATIONS,
}
_DEDUCTION_POINTS = (Decimal("0.5"), 1, 2, 3, 5)
_COMMENDATIONS = dict(
    zip(
        scheme.LEVELS,
        ("获评全国先进基层党组织", "获评全省先进基层党组织", "获评集团公司“四强”党组织"),
        strict=True,
    )
)
_CRITICISMS = ("安全生产事故被通报批评", "信访维稳工作被通报批评", "党风廉政问题被通报批评")
_CAP_REASONS = dict(
    zip(
        scheme.CAP_CONDITIONS,
        (
            "党组织法定地位不落实",
            "党组织标准化建设不达标",
            "安全经营核心指标未完成",
            "因党风廉政建设被问责",
        ),
        strict=True,
    )
)


def generate(
    rng: random.Random,
    n_units: int,
    complications: bool,
    year: int = YEAR,
    run_by: str | None = None,
) -> dict:
    season = SeasonWriter(SCHEME, year=year, run_by=run_by)
    names = Names(rng)
    unit_ids = [
        season.add_unit(
            unit_id,
            names.make(("公司党委", "中心党委", "矿党委", "电厂党委", "分公司党委")),
            rng.choice(("二级党组织", "直属党组织")),
        )
        for unit_id in ids("P", n_units)
    ]
    for assessor in ("as0", "as1", "as2"):
        season.add_actor(assessor, "assessor")
    calendar = Calendar.draw(rng, year)
    roles = assign_roles(rng, unit_ids, COMPLICATIONS if complications else {})
    plan = _plan(rng, unit_ids, roles)
    claims, criticised = _commendations(rng, roles, complications)

    season.act("publish_items", "od", at=calendar.items_published)
    _in_progress(season, rng, unit_ids, plan, claims, criticised)
    season.act("open_assessment", "od", at=calendar.assessment_opened)
    _assessment(season, rng, unit_ids, plan, claims, roles)
    season.act("close_scoring", "od", at=calendar.scoring_closed)
    if complications:
        _review(season, rng, roles)
    steps.approve_and_publish(season, calendar)
    if complications:
        steps.appeals_and_close(season, rng, calendar, roles, partial(_appeal_corrections, rng))
    return season.to_dict()


def _appeal_corrections(rng: random.Random, unit_id: str) -> list[dict]:
    return [
        {"kind": "score", "unit": unit_id, "component": "year_end", "value": between(rng, 80, 95)}
    ]


def _submission(rng: random.Random, quality: int) -> dict:
    """A research or year-end score: a value, or (for sound units) negative-list deductions."""
    if quality >= 85 and rng.random() < 0.35:
        return {"deductions": _deductions(rng)}
    return {"value": between(rng, max(0, quality - 4), min(100, quality + 4))}


def _deductions(rng: random.Random) -> list[dict]:
    return [
        {
            "area": rng.choice(scheme.DEDUCTION_AREAS),
            "points": rng.choices(_DEDUCTION_POINTS, weights=(4, 4, 3, 2, 1))[0],
            "reason": "负面清单扣分",
        }
        for _ in range(rng.randint(1, 3))
    ]


def _plan(
    rng: random.Random, unit_ids: Sequence[str], roles: dict[str, list[str]]
) -> dict[str, dict[str, dict]]:
    """Each unit's three submissions. Ties copy a plan; the edge units sit exactly on
    the grade boundaries 90 / 85 / 75; capped units would otherwise be `good`."""
    plan = {}
    for unit_id in unit_ids:
        quality = rng.choice((72, 78, 82, 86, 88, 91, 94))
        plan[unit_id] = {c: _submission(rng, quality) for c in scheme.COMPONENTS}
    for unit_id in roles.get("cap_in_assessment", []) + roles.get("cap_in_review", []):
        plan[unit_id] = {c: {"value": between(rng, 92, 98)} for c in scheme.COMPONENTS}
    for edge in (90, 85, 75):
        for unit_id in roles.get(f"edge_{edge}", []):
            plan[unit_id] = {c: {"value": edge} for c in scheme.COMPONENTS}
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


def _commendations(
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
            level=rng.choices(scheme.LEVELS, weights=(1, 3, 6))[0],
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


def _score(season: SeasonWriter, by: str, unit_id: str, component: str, submission: dict) -> None:
    if "deductions" in submission:
        submission = {"deductions": [dict(d) for d in submission["deductions"]]}
    season.act("submit_score", by, unit=unit_id, component=component, **submission)


def _claims(season: SeasonWriter, claims: list[_Claim], in_assessment: bool) -> None:
    for claim in claims:
        if claim.in_assessment != in_assessment:
            continue
        season.act(
            "claim_commendation",
            unit_actor(claim.unit),
            unit=claim.unit,
            claim=claim.claim,
            level=claim.level,
            title=_COMMENDATIONS[claim.level],
            evidence=f"表彰文件(〔{season.year}〕{int(claim.claim[1:]) + 3}号)",
        )
        if claim.confirmed:
            season.act("confirm_commendation", "as1", claim=claim.claim)


def _in_progress(
    season: SeasonWriter,
    rng: random.Random,
    unit_ids: Sequence[str],
    plan: dict[str, dict[str, dict]],
    claims: list[_Claim],
    criticised: list[str],
) -> None:
    steps.supervise(season, rng, unit_ids, "as0")
    for unit_id in unit_ids:
        _score(season, "as0", unit_id, "research_h1", plan[unit_id]["research_h1"])
    _claims(season, claims, in_assessment=False)
    for unit_id in criticised:
        level = rng.choice(("provincial", "group"))
        season.act(
            "record_criticism", "as1", unit=unit_id, level=level, title=rng.choice(_CRITICISMS)
        )


def _assessment(
    season: SeasonWriter,
    rng: random.Random,
    unit_ids: Sequence[str],
    plan: dict[str, dict[str, dict]],
    claims: list[_Claim],
    roles: dict[str, list[str]],
) -> None:
    incomplete = steps.assessment_vetoes(season, roles, "serious_dereliction")
    for unit_id in unit_ids:
        if unit_id in incomplete:
            continue
        _score(season, "as0", unit_id, "research_h2", plan[unit_id]["research_h2"])
        _score(season, "as2", unit_id, "year_end", plan[unit_id]["year_end"])
    _claims(season, claims, in_assessment=True)
    if roles.get("correction"):
        resubmitted = roles["correction"][0]
        _score(season, "as2", resubmitted, "year_end", {"value": between(rng, 78, 92)})
    for unit_id in roles.get("cap_in_assessment", []):
        season.act(
            "apply_cap",
            "as1",
            unit=unit_id,
            condition="legal_status",
            reason=_CAP_REASONS["legal_status"],
        )


def _review(season: SeasonWriter, rng: random.Random, roles: dict[str, list[str]]) -> None:
    steps.review_vetoes(season, roles)
    season.act(
        "apply_cap",
        "od",
        unit=one(roles, "cap_in_review"),
        condition="standardization",
        reason=_CAP_REASONS["standardization"],
    )
    first, second = roles["correction"]
    season.act(
        "correct_score",
        "od",
        reason="复核更正:年终考核分录入有误",
        unit=first,
        component="year_end",
        value=between(rng, 78, 92),
    )
    season.act(
        "correct_score",
        "od",
        reason="复核更正:负面清单扣分项核减",
        unit=second,
        component="research_h1",
        deductions=_deductions(rng),
    )
