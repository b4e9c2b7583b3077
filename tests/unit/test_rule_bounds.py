"""SPEC §5: every rule of a season file is a finite decimal within its bounds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.rules import DEFAULTS, checked_rules, effective_rules
from assess.domain.season_header import validate_header
from tests.seasons import group_season, performance_season

D = Decimal
GPO, LT, PE = "group-party-org", "leadership-team", "performance-evaluation"


def refusal(scheme: str, rules: dict[str, Any]) -> str:
    with pytest.raises(DomainError) as caught:
        checked_rules(scheme, rules)
    assert caught.value.code == "invalid_value"
    return caught.value.message


@pytest.mark.parametrize(
    ("scheme", "rules", "message"),
    [
        (GPO, {"daily_weight": "NaN"}, "rules.daily_weight must be a finite number"),
        (GPO, {"national_points": D("Infinity")}, "rules.national_points must be a finite"),
        (GPO, {"group_points": "1e30"}, "rules.group_points must lie in 0–100, got 1E+30"),
        (GPO, {"provincial_points": -1}, "rules.provincial_points must lie in 0–100"),
        (GPO, {"daily_weight": "-0.30", "year_end_weight": "1.30"}, "rules.daily_weight must lie"),
        (GPO, {"daily_weight": D("0.40")}, "rules.daily_weight + rules.year_end_weight must sum"),
        (LT, {"self_weight": D("0.50")}, "rules.self_weight + rules.staff_weight must sum to 1"),
        (
            LT,
            {"weights": {"town": {"debrief": D("0.10")}}},
            "rules.weights.town: weights must sum to 1, got 0.90",
        ),
        (LT, {"weights": {"village": {"annual": 1}}}, "rules.weights.village is not one of"),
        (LT, {"debrief_points": {"优秀": 100}}, "rules.debrief_points.优秀 is not one of"),
        (LT, {"award_points": {"first": 101}}, "rules.award_points.first must lie in 0–100"),
        (LT, {"innovation_points": -5}, "rules.innovation_points must lie in 0–"),
        (LT, {"innovation_cap": "NaN"}, "rules.innovation_cap must be a finite number"),
        (LT, {"innovation_cap": "1e30"}, "rules.innovation_cap must lie in 0–1000000"),
        (LT, {"quotas": {"town": {"top": -1}}}, "rules.quotas.town.top must be a whole number"),
        (LT, {"quotas": {"town": {"top": "NaN"}}}, "rules.quotas.town.top must be a finite"),
        (LT, {"quotas": {"town": {"top": D("1.5")}}}, "rules.quotas.town.top must be a whole"),
        (PE, {"score_points": {"超": D("1e30")}}, "rules.score_points.超 is not one of"),
        (PE, {"score_points": {"优": D("1e30")}}, "rules.score_points.优 must lie in 0–100"),
        (PE, {"score_points": {"良": 100}}, "rules.score_points: each label needs its own"),
        (PE, {"method_weights": {"self": D("0.5")}}, "rules.method_weights: weights must sum"),
        (PE, {"grade_bands": {"excellent": 120}}, "rules.grade_bands.excellent must lie in"),
        (PE, {"appeal_window_days": 0}, "rules.appeal_window_days must lie in 1–3650"),
        (GPO, {"appeal_window_days": 3651}, "rules.appeal_window_days must lie in 1–3650"),
        (GPO, {"appeal_window_days": "Infinity"}, "rules.appeal_window_days must be a finite"),
    ],
)
def test_a_rule_out_of_bounds_is_refused_naming_its_key(
    scheme: str, rules: dict[str, Any], message: str
) -> None:
    assert message in refusal(scheme, rules)


def test_rules_within_bounds_are_accepted_as_text_or_number() -> None:
    rules = checked_rules(GPO, {"daily_weight": "0.25", "year_end_weight": D("0.75")})
    assert (rules["daily_weight"], rules["year_end_weight"]) == (D("0.25"), D("0.75"))
    town = {"debrief": 0, "annual": D("0.5"), "performance": "0.5"}
    rules = checked_rules(LT, {"weights": {"town": town}, "quotas": {"town": {"top": 0}}})
    assert rules["weights"]["town"]["debrief"] == 0 and rules["quotas"]["town"]["top"] == 0
    edges = {"appeal_window_days": 1, "score_points": {"优": 100, "差": 0}}
    assert checked_rules(PE, edges)["appeal_window_days"] == 1
    assert checked_rules(PE, {"appeal_window_days": 3650})["appeal_window_days"] == 3650


def test_every_default_is_within_its_bounds() -> None:
    for scheme in DEFAULTS:
        assert checked_rules(scheme, {}) == effective_rules(scheme, {})


def test_the_season_header_refuses_the_file_naming_the_key(memory_app: AssessApp) -> None:
    season = performance_season({"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}})
    season["rules"] = {"score_points": {"超": D("1e30")}}
    with pytest.raises(DomainError) as caught:
        memory_app.import_season(season)
    assert caught.value.code == "invalid_value"
    assert "rules.score_points.超" in caught.value.message
    assert memory_app.cycles() == []


def test_a_stored_cycle_replays_its_rules_unchecked() -> None:
    """Rules stored before the bounds existed still load: only a new file is checked."""
    season = group_season({"P1": ("90", "80", "85")})
    header = validate_header(season)
    cycle = Cycle.create(header)
    created = cycle.collect_events()[0]
    created.data["rules"] = {"daily_weight": "0.5"}  # as a release before the bounds stored it
    replayed = created.mutate(None)
    assert replayed is not None and replayed.rules["daily_weight"] == D("0.5")
