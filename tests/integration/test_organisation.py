"""The organisation tree and a unit's history (SPEC §9), computed from the events of a
small two-level season set, on both stores."""

from __future__ import annotations

import pytest

from assess.application import library
from assess.application.organisation import history, tree
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.infrastructure.persistence import open_application
from tests.conftest import store_agnostic
from tests.integration.test_untrusted_reads import change_row
from tests.organisation_seasons import (
    T1_HISTORY,
    TREE_2024,
    TREE_2025,
    V1_HISTORY,
    organisation_seasons,
)


@pytest.fixture
def seasons(app: AssessApp) -> AssessApp:
    for season in organisation_seasons():
        app.import_season(season)
    return app


def test_the_tree_of_a_year_links_each_cycle_to_those_its_units_run(seasons: AssessApp) -> None:
    assert tree(seasons, 2025) == TREE_2025
    assert tree(seasons, 2024) == TREE_2024
    assert tree(seasons, 2023) == {"year": 2023, "cycles": []}


def test_a_unit_history_runs_across_years_from_each_latest_version(seasons: AssessApp) -> None:
    assert history(seasons, "T1") == T1_HISTORY
    assert history(seasons, "V1") == V1_HISTORY
    assert history(seasons, "W1") == {"unit": "W1", "entries": []}  # no results yet
    assert history(seasons, "nobody") == {"unit": "nobody", "entries": []}


def test_a_later_version_moves_the_history(seasons: AssessApp) -> None:
    seasons.act(
        "c-2024",
        [
            {"do": "correct_score", "by": "od", "unit": "T1", "item": "K1", "value": 100}
            | {"reason": "复核"},
            {"do": "approve_results", "by": "lg"},
        ],
    )
    # T1: 16 + 18 + 60 = 94.00, level with T2 but ahead on performance (100 > 90).
    first = history(seasons, "T1")["entries"][0]
    assert (first["version"], first["stage"], first["final"], first["rank"]) == (
        2,
        "approved",
        "94.00",
        1,
    )
    assert first["grade"] == "excellent"
    assert history(seasons, "T2")["entries"][0]["grade"] == "average"
    (city,) = (entry for entry in tree(seasons, 2024)["cycles"] if entry["cycle"] == "c-2024")
    assert (city["version"], city["stage"]) == (2, "approved")


@store_agnostic
def test_only_what_the_reader_may_read_is_shown(seasons: AssessApp) -> None:
    hidden = tree(seasons, 2025, readable=lambda cycle: cycle != "t1-2025")
    assert [entry["cycle"] for entry in hidden["cycles"]] == ["c-2025", "t2-2025"]
    assert hidden["cycles"][0]["below"] == ["t2-2025"]  # nothing of a cycle it may not read
    only_2025 = history(seasons, "T1", readable=lambda cycle, unit: cycle == "c-2025")
    assert [entry["cycle"] for entry in only_2025["entries"]] == ["c-2025"]


@store_agnostic
def test_a_corrupt_cycle_is_left_out(db: str, seasons: AssessApp) -> None:
    change_row(db, "t1-2024", 3, lambda state: b"\x00not an event")
    fresh = open_application(AssessApp, db)
    try:
        assert [entry["cycle"] for entry in tree(fresh, 2024)["cycles"]] == ["c-2024"]
        assert tree(fresh, 2024)["cycles"][0]["below"] == []
        assert [entry["cycle"] for entry in history(fresh, "V1")["entries"]] == ["t1-2025"]
    finally:
        fresh.close()


def test_a_snapshot_with_run_by_and_parents_verifies(seasons: AssessApp) -> None:
    library.snapshot(seasons, seasons.cycle("c-2025"))
    report = verify_cycle(seasons, "c-2025")
    assert report.ok, report.failure
    assert report.snapshots_checked == 1
