"""A small two-level season set (SPEC §9, 一级考核一级) with hand-checkable figures.

The city (run by `CITY`) assesses towns T1–T3 in 2025 and T1–T2 in 2024; town T1 runs
its own cycle of branches in both years, T2 one in 2025 that is still being scored.

Figures (leadership-team towns: 0.2 debrief + 0.2 award + 0.6 item; quotas top 1,
bottom 1): c-2025 T1 20 + 20 + 54 = 94.00 excellent, T2 16 + 18 + 48 = 82.00 good, T3
12 + 16 + 42 = 70.00 average; c-2024 T2 94.00 excellent, T1 82.00 average.
performance-evaluation (0.6 self + 0.2 org + 0.2 social, every item the same points):
t1-2025 V1 100.00 excellent, V2 85.00 good; t1-2024 V1 70.00 average, V2 85.00 good.
"""

from __future__ import annotations

from typing import Any

from tests.seasons import APPROVE, CLOSE, PUBLISH, leadership_season, performance_season

CITY = "CITY"
CYCLES = ("c-2024", "c-2025", "t1-2024", "t1-2025", "t2-2025")


def _named(
    season: dict[str, Any], cycle: str, year: int, run_by: str, parent: str
) -> dict[str, Any]:
    season["cycle"] = {"id": cycle, "scheme": season["cycle"]["scheme"], "year": year}
    season["cycle"].update(title=f"{cycle} 考核", run_by=run_by)
    for unit in season["units"]:
        unit["parent"] = parent
    return season


def _city(cycle: str, year: int, towns: dict[str, tuple[list[str], str, str]]) -> dict[str, Any]:
    season = leadership_season(towns, quotas={"town": {"top": 1, "bottom": 1}})
    return _named(season, cycle, year, CITY, CITY)


def _town(cycle: str, year: int, town: str, points: dict[str, int]) -> dict[str, Any]:
    scores = {unit: {"G1": (p, p, p), "G2": (p, p, p)} for unit, p in points.items()}
    return _named(performance_season(scores), cycle, year, town, town)


def organisation_seasons() -> list[dict[str, Any]]:
    city_2025 = _city(
        "c-2025",
        2025,
        {
            "T1": (["好", "好"], "first", "90"),
            "T2": (["较好", "较好"], "second", "80"),
            "T3": (["一般", "一般"], "other", "70"),
        },
    )
    city_2025["actions"] += [CLOSE, APPROVE, PUBLISH]
    city_2024 = _city(
        "c-2024",
        2024,
        {"T1": (["较好"], "second", "80"), "T2": (["好"], "first", "90")},
    )
    city_2024["actions"].append(CLOSE)
    t1_2025 = _town("t1-2025", 2025, "T1", {"V1": 100, "V2": 85})
    t1_2025["actions"].append(CLOSE)
    t1_2024 = _town("t1-2024", 2024, "T1", {"V1": 70, "V2": 85})
    t1_2024["actions"] += [CLOSE, APPROVE, PUBLISH]
    t2_2025 = _town("t2-2025", 2025, "T2", {"W1": 85})
    return [city_2024, city_2025, t1_2024, t1_2025, t2_2025]


def _tree_cycle(cycle: str, scheme: str, run_by: str, stage: str, **rest: Any) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "scheme": scheme,
        "title": f"{cycle} 考核",
        "run_by": run_by,
        "stage": stage,
        **rest,
    }


LT, PE = "leadership-team", "performance-evaluation"
TREE_2025 = {
    "year": 2025,
    "cycles": [
        _tree_cycle(
            "c-2025",
            LT,
            CITY,
            "published",
            version=1,
            units=3,
            grades={"excellent": 1, "good": 1, "average": 1},
            below=["t1-2025", "t2-2025"],
        ),
        _tree_cycle(
            "t1-2025", PE, "T1", "review", version=1, units=2, grades={"excellent": 1, "good": 1}
        )
        | {"below": []},
        _tree_cycle("t2-2025", PE, "T2", "assessment", version=None, units=1, grades={})
        | {"below": []},
    ],
}
TREE_2024 = {
    "year": 2024,
    "cycles": [
        _tree_cycle(
            "c-2024",
            LT,
            CITY,
            "review",
            version=1,
            units=2,
            grades={"excellent": 1, "average": 1},
            below=["t1-2024"],
        ),
        _tree_cycle(
            "t1-2024",
            PE,
            "T1",
            "published",
            version=1,
            units=2,
            grades={"good": 1, "average": 1},
            below=[],
        ),
    ],
}


def _entry(year: int, cycle: str, scheme: str, name: str, category: str, **rest: Any) -> dict:
    return {
        "year": year,
        "cycle": cycle,
        "scheme": scheme,
        "name": name,
        "category": category,
        "version": 1,
        **rest,
        "vetoed": False,
    }


T1_HISTORY = {
    "unit": "T1",
    "entries": [
        _entry(
            2024,
            "c-2024",
            LT,
            "T1镇",
            "town",
            stage="review",
            final="82.00",
            rank=2,
            category_rank=2,
            grade="average",
            grade_label="一般",
        ),
        _entry(
            2025,
            "c-2025",
            LT,
            "T1镇",
            "town",
            stage="published",
            final="94.00",
            rank=1,
            category_rank=1,
            grade="excellent",
            grade_label="优秀",
        ),
    ],
}
V1_HISTORY = {
    "unit": "V1",
    "entries": [
        _entry(
            2024,
            "t1-2024",
            PE,
            "V1党支部",
            "支部",
            stage="published",
            final="70.00",
            rank=2,
            category_rank=2,
            grade="average",
            grade_label="一般",
        ),
        _entry(
            2025,
            "t1-2025",
            PE,
            "V1党支部",
            "支部",
            stage="review",
            final="100.00",
            rank=1,
            category_rank=1,
            grade="excellent",
            grade_label="优秀",
        ),
    ],
}
