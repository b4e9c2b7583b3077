"""Ranking, ties, tie-breaks, tiers, vetoes and caps through whole small cycles."""

from __future__ import annotations

from assess.application.service import AssessApp
from tests.seasons import CLOSE, group_season, leadership_season, performance_season, with_actions


def rows_by_unit(app: AssessApp, season: dict) -> dict[str, dict]:
    app.import_season(season)
    return {row["unit"]: row for row in app.results(season["cycle"]["id"])["results"]}


def test_ties_share_rank_and_tie_breaks_order(memory_app: AssessApp) -> None:
    # U1 and U2 have the same final; U2's year_end is higher -> U2 first (3rd key).
    # U3 and U4 are identical in every key -> they share rank 3, next is 5.
    season = group_season(
        {
            "U1": ("90.00", "90.00", "80.00"),  # daily 90, score 27 + 56 = 83.00
            "U2": ("70.00", "70.00", "88.57"),  # daily 70, 21 + 61.999 = 82.999 -> 83.00
            "U3": ("80.00", "80.00", "80.00"),
            "U4": ("80.00", "80.00", "80.00"),
            "U5": ("60.00", "60.00", "60.00"),
        }
    )
    rows = rows_by_unit(memory_app, with_actions(season, CLOSE))
    assert rows["U1"]["final"] == rows["U2"]["final"] == "83.00"
    assert (rows["U2"]["rank"], rows["U1"]["rank"]) == (1, 2)
    assert rows["U3"]["rank"] == rows["U4"]["rank"] == 3
    assert rows["U5"]["rank"] == 5
    order = [row["unit"] for row in memory_app.results("t-group-party-org")["results"]]
    assert order == ["U2", "U1", "U3", "U4", "U5"]  # equal rank: by unit id


def test_extra_is_the_first_tie_break_but_never_changes_score(memory_app: AssessApp) -> None:
    season = group_season({"U1": ("80.00", "80.00", "80.00"), "U2": ("80.00", "80.00", "80.00")})
    season = with_actions(
        season,
        {
            "do": "record_criticism",
            "by": "as",
            "unit": "U1",
            "level": "provincial",
            "title": "通报",
        },
        CLOSE,
    )
    rows = rows_by_unit(memory_app, season)
    assert rows["U1"]["extra"] == "-1.00"
    assert rows["U1"]["score"] == rows["U1"]["final"] == "80.00"
    assert (rows["U2"]["rank"], rows["U1"]["rank"]) == (1, 2)


def test_commendation_counts_only_once_confirmed(memory_app: AssessApp) -> None:
    season = group_season({"U1": ("80.00", "80.00", "80.00"), "U2": ("80.00", "80.00", "80.00")})
    season["actions"][2:2] = [
        {
            "do": "claim_commendation",
            "by": "u-U1",
            "claim": "c1",
            "level": "national",
            "title": "先进",
            "evidence": "文件",
        },
        {
            "do": "claim_commendation",
            "by": "u-U2",
            "claim": "c2",
            "level": "national",
            "title": "先进",
            "evidence": "文件",
        },
        {"do": "confirm_commendation", "by": "as", "claim": "c1"},
    ]
    rows = rows_by_unit(memory_app, with_actions(season, CLOSE))
    assert (rows["U1"]["extra"], rows["U2"]["extra"]) == ("2.00", "0.00")


def test_veto_ranks_last_and_cap_blocks_good(memory_app: AssessApp) -> None:
    season = group_season(
        {
            "U1": ("95.00", "95.00", "95.00"),
            "U2": ("99.00", "99.00", "99.00"),
            "U3": ("92.00", "92.00", "92.00"),
            "U4": ("50.00", "50.00", "50.00"),
        }
    )
    season = with_actions(
        season,
        {
            "do": "apply_cap",
            "by": "as",
            "unit": "U3",
            "condition": "standardization",
            "reason": "未达标",
        },
        {"do": "apply_veto", "by": "lg", "unit": "U2", "basis": "other", "reason": "否决"},
        {"do": "apply_veto", "by": "lg", "unit": "U1", "basis": "other", "reason": "否决"},
        CLOSE,
    )
    rows = rows_by_unit(memory_app, season)
    assert rows["U3"]["capped"] and rows["U3"]["grade"] == "fairly_good"
    assert rows["U3"]["final"] == "92.00"
    for vetoed in ("U1", "U2"):
        assert rows[vetoed]["vetoed"] and rows[vetoed]["final"] == "0.00"
        assert rows[vetoed]["score"] == "0.00" and rows[vetoed]["grade"] == "poor"
        assert rows[vetoed]["rank"] == 3  # share the last rank, below U4's 50.00
        assert rows[vetoed]["components"]["daily"]  # components still shown
    assert rows["U4"]["rank"] == 2


def test_tiers_with_ties_at_both_boundaries(memory_app: AssessApp) -> None:
    # Performance only differs; debrief and award equal. Quotas top 1, bottom 1.
    good = ["好", "好"]
    towns = {
        "T1": (good, "first", "95"),
        "T2": (good, "first", "95"),  # tied with T1 at the top boundary: both 优秀
        "T3": (good, "first", "80"),
        "T4": (good, "first", "70"),
        "T5": (good, "first", "70"),  # tied with T4 at the bottom boundary: both 一般
    }
    season = leadership_season(towns, quotas={"town": {"top": 1, "bottom": 1}})
    rows = rows_by_unit(memory_app, with_actions(season, CLOSE))
    assert [rows[u]["grade"] for u in ("T1", "T2", "T3", "T4", "T5")] == [
        "excellent",
        "excellent",
        "good",
        "average",
        "average",
    ]
    assert rows["T1"]["category_rank"] == rows["T2"]["category_rank"] == 1
    assert rows["T3"]["category_rank"] == 3


def test_vetoed_units_fill_the_bottom_quota(memory_app: AssessApp) -> None:
    good = ["好"]
    towns = {f"T{i}": (good, "second", str(90 - i)) for i in range(1, 6)}
    season = leadership_season(towns, quotas={"town": {"top": 1, "bottom": 1}})
    season = with_actions(
        season,
        {"do": "apply_veto", "by": "lg", "unit": "T1", "basis": "other", "reason": "否决"},
        CLOSE,
    )
    rows = rows_by_unit(memory_app, season)
    assert rows["T1"]["grade"] == "average" and rows["T1"]["rank"] == 5
    assert rows["T2"]["grade"] == "excellent"
    # T1 (vetoed) takes the one bottom place: T5, the lowest scored, stays 良好.
    assert rows["T5"]["grade"] == "good"


def test_leadership_figures_by_hand(memory_app: AssessApp) -> None:
    towns = {"T1": (["好", "较好", "一般"], "second", "88.25"), "T2": (["差"], "other", "60")}
    rows = rows_by_unit(memory_app, with_actions(leadership_season(towns), CLOSE))
    # debrief 80.00, annual 90.00, performance 88.25: 16 + 18 + 52.95 = 86.95
    assert rows["T1"]["components"] == {
        "debrief": "80.00",
        "annual": "90.00",
        "performance": "88.25",
    }
    assert rows["T1"]["score"] == rows["T1"]["final"] == "86.95"


def test_adjustments_are_counted_once_approved_and_final_is_clamped(memory_app: AssessApp) -> None:
    season = performance_season(
        {
            "O1": {"G1": (100, 100, 100), "G2": (100, 85, 100)},
            "O2": {"G1": (40, 40, 40), "G2": (40, 40, 40)},
        }
    )
    season = with_actions(
        season,
        CLOSE,
        {
            "do": "propose_adjustment",
            "by": "as",
            "unit": "O1",
            "adjustment": "a1",
            "delta": 5,
            "reason": "实绩",
        },
        {
            "do": "propose_adjustment",
            "by": "od",
            "unit": "O2",
            "adjustment": "a2",
            "delta": -50,
            "reason": "实绩",
        },
        {
            "do": "propose_adjustment",
            "by": "od",
            "unit": "O2",
            "adjustment": "a3",
            "delta": 9,
            "reason": "实绩",
        },
        {"do": "approve_adjustment", "by": "lg", "adjustment": "a1"},
        {"do": "approve_adjustment", "by": "lg", "adjustment": "a2"},
        {"do": "reject_adjustment", "by": "lg", "adjustment": "a3"},
    )
    rows = rows_by_unit(memory_app, season)
    # O1 org: (5 x 100 + 3 x 85) / 8 = 94.375 -> 94.38; score 60 + 18.876 + 20 = 98.876 -> 98.88
    assert rows["O1"]["components"]["org"] == "94.38"
    assert rows["O1"]["score"] == "98.88"
    assert rows["O1"]["extra"] == "5.00" and rows["O1"]["final"] == "100.00"
    assert rows["O2"]["extra"] == "-50.00" and rows["O2"]["final"] == "0.00"
    assert rows["O2"]["grade"] == "poor"
    # close_scoring v1 + two approvals; the rejection creates no version
    assert memory_app.results("t-performance-evaluation")["version"] == 3
