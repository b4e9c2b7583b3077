"""The schemes' formulas with hand-computed figures (SPEC §2)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from assess.domain.errors import DomainError
from assess.domain.numbers import fmt, parse_decimal, round2
from assess.domain.ranking import competition_ranks
from assess.domain.rules import effective_rules
from assess.domain.schemes import group_party_org, leadership_team, performance_evaluation

D = Decimal


def test_round_half_up_at_two_decimals() -> None:
    assert round2(D("95.515")) == D("95.52")
    assert round2(D("95.525")) == D("95.53")  # half-up, not banker's
    assert round2(D("-1.005")) == D("-1.01")
    assert fmt(D("87.5")) == "87.50"
    assert fmt(D("-1")) == "-1.00"
    assert fmt(D("0")) == "0.00"


def test_inputs_take_at_most_two_decimals() -> None:
    assert parse_decimal(D("87.79"), "value") == D("87.79")
    assert parse_decimal(90, "value") == D(90)
    for bad in (D("87.791"), "87.5", True, None):
        with pytest.raises(DomainError) as refused:
            parse_decimal(bad, "value")
        assert refused.value.code == "invalid_value"


def test_group_party_org_score_uses_rounded_daily() -> None:
    rules = effective_rules("group-party-org", {})
    # README example P0004: daily (97.50 + 93.00) / 2 = 95.25; 28.575 + 66.941 = 95.516
    daily = group_party_org.daily(D("97.50"), D("93.00"))
    assert daily == D("95.25")
    assert group_party_org.score(daily, D("95.63"), rules) == D("95.52")
    # rounding at each level: daily 80.005 -> 80.01 first, then 0.3*80.01 + 0.7*80 = 80.003
    assert group_party_org.daily(D("80.00"), D("80.01")) == D("80.01")
    assert group_party_org.score(D("80.01"), D("80.00"), rules) == D("80.00")


def test_group_party_org_deductions_and_grades() -> None:
    assert group_party_org.value_after_deductions([D(2), D("0.5")]) == D("97.5")
    assert group_party_org.value_after_deductions([D(60), D(50)]) == D(0)
    assert group_party_org.grade(D("90.00"), capped=False) == "good"
    assert group_party_org.grade(D("90.00"), capped=True) == "fairly_good"  # a cap forbids 好
    assert group_party_org.grade(D("85.00"), capped=False) == "fairly_good"
    assert group_party_org.grade(D("84.99"), capped=False) == "average"
    assert group_party_org.grade(D("75.01"), capped=False) == "average"
    assert group_party_org.grade(D("75.00"), capped=False) == "poor"
    assert group_party_org.grade(D("80.00"), capped=True) == "average"  # the cap only lowers 好


def test_group_party_org_additional_points() -> None:
    rules = effective_rules("group-party-org", {})
    assert group_party_org.additional_points("national", 1, rules) == D(2)
    assert group_party_org.additional_points("provincial", -1, rules) == D(-1)
    assert group_party_org.additional_points("group", 1, rules) == D("0.5")


def test_leadership_team_components() -> None:
    rules = effective_rules("leadership-team", {})
    # README example M0010: 90.34 x 0.40 + 80.17 x 0.60 = 84.238 -> 84.24
    assert leadership_team.democratic(D("90.34"), D("80.17"), rules) == D("84.24")
    components = {"democratic": D("84.24"), "annual": D(100), "performance": D("82.59")}
    assert leadership_team.weighted_score("municipal", components, rules) == D("86.40")
    # debrief: 好 较好 一般 -> (100 + 80 + 60) / 3 = 80.00; 好 好 较好 -> 93.333 -> 93.33
    assert leadership_team.ballot_mean([D(100), D(80), D(60)]) == D("80.00")
    assert leadership_team.ballot_mean([D(100), D(100), D(80)]) == D("93.33")


def test_innovation_bonus_is_capped() -> None:
    rules = effective_rules("leadership-team", {})
    assert leadership_team.innovation_bonus(2, rules) == D(10)
    assert leadership_team.innovation_bonus(3, rules) == D(15)
    assert leadership_team.innovation_bonus(4, rules) == D(15)


def test_performance_evaluation_method_score_and_clamp() -> None:
    rules = effective_rules("performance-evaluation", {})
    # (5 x 100 + 3 x 85 + 1 x 40) / 9 = 795 / 9 = 88.333 -> 88.33
    assert performance_evaluation.method_score([(5, D(100)), (3, D(85)), (1, D(40))]) == D("88.33")
    # README example O0008: 0.6 x 76.67 + 0.2 x 77.22 + 0.2 x 79.44 = 77.334 -> 77.33
    methods = {"self": D("76.67"), "org": D("77.22"), "social": D("79.44")}
    assert performance_evaluation.score(methods, rules) == D("77.33")
    assert performance_evaluation.final(D("77.33"), D(3)) == D("80.33")
    assert performance_evaluation.final(D("98.00"), D(5)) == D(100)  # clamped to 100
    assert performance_evaluation.final(D("3.00"), D(-5)) == D(0)  # clamped to 0
    assert performance_evaluation.grade(D("90.00"), rules) == "excellent"
    assert performance_evaluation.grade(D("89.99"), rules) == "good"
    assert performance_evaluation.grade(D("60.00"), rules) == "average"
    assert performance_evaluation.grade(D("59.99"), rules) == "poor"


def test_competition_ranking_1224() -> None:
    finals = [D(90), D(85), D(85), D(80)]
    assert competition_ranks(finals, key=lambda value: value) == [1, 2, 2, 4]
    assert competition_ranks(finals, key=lambda value: value, best_first=False) == [4, 2, 2, 1]


def test_rules_merge_key_by_key() -> None:
    rules = effective_rules("leadership-team", {"quotas": {"town": {"top": 2}}})
    assert rules["quotas"]["town"] == {"top": 2, "bottom": 10}
    assert rules["quotas"]["municipal"] == {"top": 30, "bottom": 30}
    with pytest.raises(DomainError):
        effective_rules("leadership-team", {"no_such_rule": 1})
    with pytest.raises(DomainError):
        effective_rules("leadership-team", {"quotas": {"town": {"top": D("1.5")}}})
