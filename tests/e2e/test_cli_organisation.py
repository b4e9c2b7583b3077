"""`assess tree`, `assess history` (SPEC §9) and `demo-season --year --run-by`, in-process
through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assess.cli.main import cli
from assess.demo import season_json
from tests.conftest import store_agnostic
from tests.organisation_seasons import T1_HISTORY, TREE_2025, organisation_seasons

pytestmark = store_agnostic  # reading only: the queries are tested on both stores elsewhere


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


@pytest.fixture
def loaded(db: str, tmp_path: Path) -> str:
    for number, season in enumerate(organisation_seasons()):
        path = tmp_path / f"season-{number}.json"
        path.write_text(season_json(season), encoding="utf-8")
        imported = run(db, "import", str(path))
        assert imported.exit_code == 0, imported.output
    return db


def as_printed(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def test_tree_as_json_is_the_spec_document(loaded: str) -> None:
    printed = run(loaded, "tree", "2025", "--format", "json")
    assert printed.exit_code == 0
    assert printed.stdout == as_printed(TREE_2025)
    assert run(loaded, "tree", "1999", "--format", "json").stdout == as_printed(
        {"year": 1999, "cycles": []}
    )


def test_tree_as_a_table(loaded: str) -> None:
    table = run(loaded, "tree", "2025").stdout
    assert "2025年度 考核层级" in table and "下级考核" in table
    assert "t1-2025, t2-2025" in table and "优秀 1 良好 1 一般 1" in table
    assert "no cycles" in run(loaded, "tree", "0").stdout


@pytest.mark.parametrize("year", ["10000", "-1", "year"])
def test_a_year_outside_0_to_9999_is_refused(loaded: str, year: str) -> None:
    refused = run(loaded, "tree", "--", year) if year == "-1" else run(loaded, "tree", year)
    assert refused.exit_code == 2 and "YEAR" in refused.stderr


def test_history_as_json_and_table(loaded: str) -> None:
    printed = run(loaded, "history", "T1", "--format", "json")
    assert printed.exit_code == 0 and printed.stdout == as_printed(T1_HISTORY)
    table = run(loaded, "history", "T1").stdout
    assert "T1 历年考核" in table and "c-2024" in table and "94.00" in table
    nobody = run(loaded, "history", "nobody", "--format", "json")
    assert nobody.exit_code == 0 and json.loads(nobody.stdout) == {"unit": "nobody", "entries": []}
    assert "no results in any cycle" in run(loaded, "history", "nobody").stdout


def test_a_malformed_unit_id_is_one_line_and_exit_2(loaded: str) -> None:
    refused = run(loaded, "history", "T 1")
    assert refused.exit_code == 2
    assert refused.stderr == "error: invalid_value: UNIT is an id and may not hold whitespace\n"


def test_structure_shows_run_by_and_parents(loaded: str) -> None:
    document = json.loads(run(loaded, "structure", "t1-2025", "--format", "json").stdout)
    assert document["run_by"] == "T1"
    assert {unit["parent"] for unit in document["units"]} == {"T1"}
    assert "组织单位 T1" in run(loaded, "structure", "t1-2025").stdout


def test_demo_season_for_another_year_run_by_an_organisation(db: str, tmp_path: Path) -> None:
    args = ["demo-season", "--scheme", "performance-evaluation", "--units", "6"]
    printed = run(db, *args, "--year", "2023", "--run-by", "T01")
    assert printed.exit_code == 0, printed.output
    season = json.loads(printed.stdout)
    assert season["cycle"] == {
        "id": "2023-performance-evaluation",
        "scheme": "performance-evaluation",
        "year": 2023,
        "title": "2023年度党建工作绩效考评",
        "run_by": "T01",
    }
    dates = [action["at"][:4] for action in season["actions"] if "at" in action]
    assert set(dates) == {"2023", "2024"}
    path = tmp_path / "season.json"
    path.write_text(printed.stdout, encoding="utf-8")
    assert run(db, "import", str(path)).exit_code == 0
    tree = json.loads(run(db, "tree", "2023", "--format", "json").stdout)
    assert [(entry["cycle"], entry["run_by"]) for entry in tree["cycles"]] == [
        ("2023-performance-evaluation", "T01")
    ]
    default = json.loads(run(db, *args).stdout)
    assert default["cycle"]["year"] == 2025 and "run_by" not in default["cycle"]


def test_demo_season_refuses_a_malformed_organisation(db: str) -> None:
    args = ["demo-season", "--scheme", "group-party-org", "--units", "4", "--run-by", "a b"]
    refused = run(db, *args)
    assert refused.exit_code == 2
    assert refused.stderr == "error: --run-by is an id and may not hold whitespace\n"
