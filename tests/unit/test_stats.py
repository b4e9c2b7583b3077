"""SPEC §10 statistics against figures computed by hand on small seasons."""

from __future__ import annotations

import pytest

from assess.application.season import read_season
from assess.application.service import AssessApp
from assess.application.stats import stats
from assess.domain.errors import DomainError
from tests.conftest import EXAMPLES, SCHEMES
from tests.seasons import CLOSE, group_season, leadership_season, performance_season, with_actions

VETO = {"do": "apply_veto", "by": "lg", "basis": "other", "reason": "违纪"}


def group_cycle(app: AssessApp) -> str:
    season = group_season(
        {
            "U1": ("80", "80", "80"),  # year_end replaced by 90 below: 24 + 63 = 87.00
            "U2": ("90", "90", "90"),  # 90.00
            "U3": ("70", "70", "70"),  # 70.00; corrected to year_end 80: 21 + 56 = 77.00
            "U4": ("60", "60", "100"),  # 18 + 70 = 88.00
            "U5": ("50", "50", "50"),  # 50.00, vetoed in version 3
        }
    )
    season = with_actions(
        season,
        {"do": "submit_score", "by": "as", "unit": "U1", "component": "year_end", "value": 90},
        CLOSE,
        {
            "do": "correct_score",
            "by": "od",
            "unit": "U3",
            "component": "year_end",
            "value": 80,
            "reason": "录入错误",
        },
        {**VETO, "unit": "U5"},
    )
    return app.import_season(season).cycle


def test_figures_over_units_not_vetoed(memory_app: AssessApp) -> None:
    cycle = group_cycle(memory_app)
    first = stats(memory_app, cycle, 1)
    assert list(first) == ["cycle", "version", "digest", "categories", "submitters", "self_gaps"]
    everything = first["categories"][0]
    assert everything["category"] == "*" and everything["units"] == 5
    # 50, 70, 87, 88, 90: mean 385/5; odd count: the middle one; Σd² = 1168, /5 = 233.6
    assert everything["final"] == {
        "min": "50.00",
        "max": "90.00",
        "mean": "77.00",
        "median": "87.00",
        "stdev": "15.28",
    }
    latest = stats(memory_app, cycle)
    assert latest["version"] == 3
    everything = latest["categories"][0]
    # U5 vetoed: 77, 87, 88, 90; even count: (87 + 88) / 2; Σd² = 101, /4 = 25.25 → 5.0249
    assert everything["final"] == {
        "min": "77.00",
        "max": "90.00",
        "mean": "85.50",
        "median": "87.50",
        "stdev": "5.02",
    }
    assert everything["units"] == 5  # the vetoed unit still counts here and in grades
    assert everything["grades"] == {"good": 1, "fairly_good": 2, "average": 1, "poor": 1}
    assert [entry["category"] for entry in latest["categories"]] == ["*", "直属"]
    assert "quota" not in everything
    assert latest["self_gaps"] == []


def test_all_vetoed_gives_null_figures(memory_app: AssessApp) -> None:
    season = group_season({"U1": ("80", "80", "80")})
    cycle = memory_app.import_season(with_actions(season, CLOSE, {**VETO, "unit": "U1"})).cycle
    entry = stats(memory_app, cycle)["categories"][0]
    assert entry["final"] == dict.fromkeys(("min", "max", "mean", "median", "stdev"))
    assert entry["grades"]["poor"] == 1


def test_submitters_replaced_input_and_correction(memory_app: AssessApp) -> None:
    cycle = group_cycle(memory_app)
    year_end = [e for e in stats(memory_app, cycle, 1)["submitters"] if e["key"] == "year_end"]
    # 90 (U1's 80 was replaced), 90, 70, 100, 50
    assert year_end == [
        {
            "actor": "as",
            "role": "assessor",
            "key": "year_end",
            "count": 5,
            "mean": "80.00",
            "overall_mean": "80.00",
            "lean": "0.00",
        }
    ]
    entries = stats(memory_app, cycle, 2)["submitters"]
    assert [(e["key"], e["actor"]) for e in entries] == [
        ("research_h1", "as"),
        ("research_h2", "as"),
        ("year_end", "as"),
        ("year_end", "od"),
    ]
    # as: 90, 90, 100, 50 → 82.50; od: 80; all: 410 / 5 = 82.00
    assert [(e["count"], e["mean"], e["overall_mean"], e["lean"]) for e in entries[2:]] == [
        (4, "82.50", "82.00", "0.50"),
        (1, "80.00", "82.00", "-2.00"),
    ]
    assert entries[0]["mean"] == "70.00" and entries[0]["count"] == 5


def leadership_cycle(app: AssessApp) -> str:
    season = leadership_season(
        {
            "T1": (["好"], "first", "90"),  # 20 + 20 + 54 = 94.00
            "T2": (["好"], "first", "90"),  # tied with T1 at the top
            "T3": (["较好"], "second", "80"),  # 16 + 18 + 48 = 82.00
            "T4": (["一般"], "other", "70"),  # 12 + 16 + 42 = 70.00
            "T5": (["一般"], "other", "70"),  # tied with T4 at the bottom
        },
        quotas={"town": {"top": 1, "bottom": 1}},
    )
    correction = {
        "do": "correct_score",
        "by": "od",
        "unit": "T3",
        "component": "debrief",
        "ballots": ["好", "好"],
        "reason": "票数更正",
    }
    return app.import_season(with_actions(season, CLOSE, correction)).cycle


def test_quota_counts_with_ties_exceeding_it(memory_app: AssessApp) -> None:
    cycle = leadership_cycle(memory_app)
    categories = stats(memory_app, cycle, 1)["categories"]
    assert [entry["category"] for entry in categories] == ["*", "town"]
    for entry in categories:
        assert entry["quota"] == {"top": 1, "bottom": 1, "top_given": 2, "bottom_given": 2}
        assert entry["grades"] == {"excellent": 2, "good": 1, "average": 2}
    # 70, 70, 82, 94, 94: mean 410/5; Σd² = 144+144+0+144+144 = 576, /5 = 115.2 → 10.733
    assert categories[1]["final"] == {
        "min": "70.00",
        "max": "94.00",
        "mean": "82.00",
        "median": "82.00",
        "stdev": "10.73",
    }


def test_ballot_points_and_a_ballot_correction(memory_app: AssessApp) -> None:
    cycle = leadership_cycle(memory_app)
    before = {e["key"]: e for e in stats(memory_app, cycle, 1)["submitters"]}
    assert before["debrief"]["count"] == 5 and before["debrief"]["mean"] == "80.00"  # 400/5
    assert before["item"]["actor"] == "as" and before["item"]["mean"] == "80.00"
    debrief = [e for e in stats(memory_app, cycle, 2)["submitters"] if e["key"] == "debrief"]
    # T3's set replaced by od's: r 100, 100, 60, 60 → 80.00; od 100, 100; all 520/6 = 86.67
    assert [(e["actor"], e["role"], e["count"], e["mean"], e["lean"]) for e in debrief] == [
        ("od", "org_dept", 2, "100.00", "13.33"),
        ("r", "rater", 4, "80.00", "-6.67"),
    ]
    assert {e["overall_mean"] for e in debrief} == {"86.67"}


def performance_cycle(app: AssessApp, rules: dict | None = None) -> str:
    season = performance_season(
        {
            "P1": {"G1": (100, 70, 70), "G2": (100, 70, 70)},  # gap 100 − 70 = 30
            "P2": {"G1": (85, 85, 70), "G2": (85, 85, 70)},  # gap 85 − 77.50 = 7.50
            "P3": {"G1": (100, 70, 70), "G2": (100, 70, 70)},  # gap 30, tied with P1
            "P4": {"G1": (100, 85, 85), "G2": (100, 85, 85)},  # gap 15
            "P5": {"G1": (100, 40, 40), "G2": (100, 40, 40)},  # gap 60, but vetoed
        }
    )
    season["rules"] = rules or {}
    return app.import_season(with_actions(season, CLOSE, {**VETO, "unit": "P5"})).cycle


def test_self_gaps_ordered_and_flagged(memory_app: AssessApp) -> None:
    document = stats(memory_app, performance_cycle(memory_app))
    assert document["self_gaps"] == [
        {"unit": "P1", "self": "100.00", "others": "70.00", "gap": "30.00"},
        {"unit": "P3", "self": "100.00", "others": "70.00", "gap": "30.00"},
        {"unit": "P4", "self": "100.00", "others": "85.00", "gap": "15.00"},
    ]
    keys = [(e["key"], e["actor"]) for e in document["submitters"]]
    assert keys[0] == ("org", "as") and keys[1] == ("self", "u-P1") and keys[-1] == ("social", "r")


def test_self_gap_flag_rule_is_inclusive(memory_app: AssessApp) -> None:
    document = stats(memory_app, performance_cycle(memory_app, {"self_gap_flag": "7.5"}))
    assert [entry["unit"] for entry in document["self_gaps"]] == ["P1", "P3", "P4", "P2"]
    assert document["self_gaps"][-1]["gap"] == "7.50"


def test_a_version_that_does_not_exist_is_refused(memory_app: AssessApp) -> None:
    cycle = group_cycle(memory_app)
    with pytest.raises(DomainError):
        stats(memory_app, cycle, 9)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_version_of_the_examples(memory_app: AssessApp, scheme: str) -> None:
    season = read_season(EXAMPLES / f"{scheme}.season.json")
    applied = memory_app.import_season(season)
    for version in range(1, applied.version + 1):
        document = stats(memory_app, applied.cycle, version)
        assert document["version"] == version
        assert document["categories"][0]["category"] == "*"
        assert document["submitters"]
