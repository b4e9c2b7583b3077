"""Steps every scheme's season takes: mid-year supervision, vetoes, approval and
publication, and the appeals that end a season with complications."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from assess.demo.writer import Calendar, SeasonWriter, unit_actor
from assess.domain.rules import COMMON
from assess.domain.verbs import SUPERVISION_METHODS, VETO_BASES

APPEAL_WINDOW_DAYS = COMMON["appeal_window_days"]
# Units dealt these parts (by `draw.assign_roles`) meet the steps below: vetoes, a
# correction in review, an upheld and a dismissed appeal.
COMPLICATIONS = {
    "veto_in_review": 1,
    "veto_revoked": 1,
    "veto_incomplete": 1,
    "correction": 2,
    "appeal_upheld": 1,
    "appeal_dismissed": 1,
}

VETO_REASONS = dict(
    zip(
        VETO_BASES,
        ("受到上级党委通报批评", "发生严重失职失责问题,造成恶劣影响", "发生重大安全生产责任事故"),
        strict=True,
    )
)
_SUPERVISION_FINDINGS = (
    "台账资料齐全,进度正常",
    "“三会一课”落实到位,记录规范",
    "组织生活会记录不完整,已督促整改",
    "发展党员程序规范,材料齐全",
    "个别支部换届滞后,已提醒按期完成",
    "主题党日活动形式单一,建议丰富载体",
)


def supervise(
    season: SeasonWriter,
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
            "method": rng.choice(SUPERVISION_METHODS),
            "findings": rng.choice(_SUPERVISION_FINDINGS),
        }
        if item and rng.random() < 0.5:
            fields["item"] = item
        season.act("record_supervision", by, **fields)


def veto(season: SeasonWriter, unit_id: str, basis: str) -> None:
    season.act("apply_veto", "lg", unit=unit_id, reason=VETO_REASONS[basis], basis=basis)


def assessment_vetoes(season: SeasonWriter, roles: dict[str, Any], basis: str) -> list[str]:
    """Veto the units planned to stay incomplete and the one to be revoked in review;
    returns the incomplete ones."""
    incomplete = roles.get("veto_incomplete", [])
    for unit_id in incomplete:
        veto(season, unit_id, basis)
    for unit_id in roles.get("veto_revoked", []):
        veto(season, unit_id, "criticized_by_superior")
    return incomplete


def review_vetoes(season: SeasonWriter, roles: dict[str, list[str]]) -> None:
    """In review: one unit is vetoed, and the veto planned to be revoked is revoked."""
    veto(season, roles["veto_in_review"][0], "criticized_by_superior")
    season.act(
        "revoke_veto",
        "lg",
        unit=roles["veto_revoked"][0],
        reason="经复核,否决依据不成立,予以撤销",
    )


def approve_and_publish(season: SeasonWriter, calendar: Calendar) -> None:
    season.act("approve_results", "lg", at=calendar.results_approved)
    season.act("publish_results", "od", at=calendar.results_published)


def appeals_and_close(
    season: SeasonWriter,
    rng: random.Random,
    calendar: Calendar,
    roles: dict[str, list[str]],
    corrections_for: Callable[[str], list[dict]],
) -> None:
    """One appeal upheld with corrections for the appellant's own unit, one filed on the
    last day of the window and dismissed, then the cycle closes."""
    upheld_unit, dismissed_unit = roles["appeal_upheld"][0], roles["appeal_dismissed"][0]
    corrections = corrections_for(upheld_unit)
    filed = rng.randint(3, 15)
    upheld = {
        "outcome": "upheld",
        "answer": "经核实,原评分有误,予以更正",
        "corrections": corrections,
    }
    _appeal(season, calendar, "AP0", upheld_unit, "对评分有异议,申请复核", filed, 5, upheld)
    dismissed = {"outcome": "dismissed", "answer": "经核实,评分依据充分,维持原结果"}
    _appeal(
        season,
        calendar,
        "AP1",
        dismissed_unit,
        "对考核等次有异议",
        APPEAL_WINDOW_DAYS,
        4,
        dismissed,
    )
    season.act("close_cycle", "od", at=calendar.after_publication(APPEAL_WINDOW_DAYS + 10))


def _appeal(
    season: SeasonWriter,
    calendar: Calendar,
    appeal: str,
    unit_id: str,
    reason: str,
    filed: int,
    days_to_answer: int,
    resolution: dict[str, Any],
) -> None:
    """A unit's appeal, `filed` days after publication, and its answer some days later."""
    season.act(
        "file_appeal",
        unit_actor(unit_id),
        unit=unit_id,
        appeal=appeal,
        reason=reason,
        at=calendar.after_publication(filed),
    )
    season.act(
        "resolve_appeal",
        "od",
        appeal=appeal,
        **resolution,
        at=calendar.after_publication(filed + days_to_answer),
    )
