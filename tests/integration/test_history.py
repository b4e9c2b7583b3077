"""Verification of clean seasons, time travel, version diffs and appeal previews."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.application.appeals import case_file, preview_resolution
from assess.application.season import read_season
from assess.application.service import AssessApp, OneVersionOnly
from assess.application.verify import verify_cycle
from assess.cli.main import cli
from assess.demo import generate_season
from tests.conftest import EXAMPLES, SCHEMES
from tests.seasons import APPROVE, CLOSE, PUBLISH, leadership_season, with_actions

PE = "2025-performance-evaluation"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_examples_and_generated_seasons_verify_clean(app: AssessApp, scheme: str) -> None:
    for season in (
        read_season(EXAMPLES / f"{scheme}.season.json"),
        {**generate_season(scheme, 24, seed=5, complications=True), "cycle": None},
    ):
        if season["cycle"] is None:
            season["cycle"] = {"id": f"gen-{scheme}", "scheme": scheme, "year": 2025}
        applied = app.import_season(season)
        report = verify_cycle(app, applied.cycle)
        assert report.ok, report.failure
        assert report.versions == applied.version
        assert report.digests_matched == applied.version + 2  # and approval, publication


def test_time_travel(app: AssessApp) -> None:
    app.import_season(read_season(EXAMPLES / "performance-evaluation.season.json"))
    versions = app.cycle(PE).versions
    third = versions[2]["position"]
    assert app.version_at(PE, position=third) == 3
    assert app.version_at(PE, position=third - 1) == 2
    published = next(e for e in app.events_of(PE) if e.data.get("published_at"))
    assert app.version_at(PE, as_of="2026-03-09") == published.data["results_version"] == 8
    assert app.version_at(PE, as_of="2026-03-10T23:00:00") == 10  # appeals answered that day
    with pytest.raises(Exception, match="no results version"):
        app.version_at(PE, as_of="2025-12-09")


def test_one_query_for_results_at_a_version_a_moment_or_a_position(app: AssessApp) -> None:
    app.import_season(read_season(EXAMPLES / "performance-evaluation.season.json"))
    third = app.cycle(PE).versions[2]["position"]
    assert app.results_at(PE) == app.results(PE)
    assert app.results_at(PE, version=2) == app.results(PE, 2)
    assert app.results_at(PE, position=third) == app.results(PE, 3)
    assert app.results_at(PE, as_of="2026-03-09") == app.results(PE, 8)
    for two in ({"version": 2, "position": third}, {"as_of": "2026-03-09", "position": 1}):
        with pytest.raises(OneVersionOnly) as refused:
            app.results_at(PE, **two)  # type: ignore[arg-type]
        assert (refused.value.code, refused.value.message) == (
            "invalid_value",
            "give only one of version, as_of and position",
        )


def test_the_command_line_names_its_own_options(db: str) -> None:
    arguments = ["--db", db, "results", PE, "--version", "2", "--as-of", "2026-03-09"]
    ran = CliRunner().invoke(cli, arguments)
    assert ran.exit_code == 2
    assert ran.stderr == "error: give only one of --version, --as-of and --position\n"


def test_the_option_refusal_opens_no_store(tmp_path: Path) -> None:
    database = tmp_path / "none.db"
    arguments = [
        "--db",
        f"sqlite:///{database}",
        "results",
        PE,
        "--version",
        "1",
        "--position",
        "3",
    ]
    assert CliRunner().invoke(cli, arguments).exit_code == 2
    assert not database.exists()


def test_diff_names_the_causes(app: AssessApp) -> None:
    app.import_season(read_season(EXAMPLES / "performance-evaluation.season.json"))
    changes = {entry["unit"]: entry for entry in app.diff(PE, 1, 3)["changes"]}
    assert changes["O0008"]["changes"] == {
        "extra": ["0.00", "3.00"],
        "final": ["77.89", "80.89"],
        "rank": [3, 1],
        "grade": ["average", "good"],
    }
    assert [e["verb"] for e in changes["O0008"]["events"]] == [
        "propose_adjustment",
        "approve_adjustment",
    ]
    assert changes["O0002"] == {
        "unit": "O0002",
        "name": "溪新党委",
        "changes": {"rank": [1, 2]},
        "events": [],
        "knock_on": True,
    }


def test_preview_moves_another_unit_across_the_tier_boundary(app: AssessApp) -> None:
    towns = {
        "T1": (["好"], "first", "95"),  # 97.00, 优秀 (top quota 1)
        "T2": (["好"], "first", "90"),  # 94.00
        "T3": (["好"], "first", "80"),
        "T4": (["好"], "first", "70"),
    }
    season = leadership_season(towns, quotas={"town": {"top": 1, "bottom": 1}})
    appeal = {"do": "file_appeal", "by": "u-T2", "appeal": "ap", "reason": "异议"}
    appeal["at"] = "2026-03-05"  # in the window of PUBLISH (an undated appeal is dated today)
    app.import_season(with_actions(season, CLOSE, APPROVE, PUBLISH, appeal))
    cycle = "t-leadership-team"
    stored_before = verify_cycle(app, cycle)

    correction = {"kind": "score", "item": "K1", "value": 100}
    preview = preview_resolution(app, cycle, "ap", [correction])
    changes = {entry["unit"]: entry["changes"] for entry in preview["changes"]}
    assert changes["T2"]["final"] == ["94.00", "100.00"]
    assert changes["T2"]["grade"] == ["good", "excellent"]
    assert changes["T1"] == {
        "rank": [1, 2],
        "category_rank": [1, 2],
        "grade": ["excellent", "good"],
    }
    assert "T3" not in changes and preview["stored"] is False

    stored_after = verify_cycle(app, cycle)
    assert (stored_after.events, stored_after.head) == (stored_before.events, stored_before.head)
    assert case_file(app, cycle, "ap")["appeal"]["status"] == "pending"


def test_case_file(app: AssessApp) -> None:
    app.import_season(read_season(EXAMPLES / "performance-evaluation.season.json"))
    document = case_file(app, PE, "AP0")
    assert document["appeal"]["unit"] == "O0008" and document["appeal"]["status"] == "upheld"
    assert document["results_at_publication"]["version"] == 8
    assert document["results_at_publication"]["row"]["final"] == "79.78"
    assert document["current"]["row"]["final"] == "80.33"
    assert document["results_after_resolution"]["version"] == 9
    verbs = [entry["verb"] for entry in document["inputs"]]
    assert verbs.count("submit_sheet") == 3 and "approve_adjustment" in verbs
    assert document["resolution"]["corrections"][0]["value"] == "85"
