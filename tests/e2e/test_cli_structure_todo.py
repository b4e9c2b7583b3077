"""`assess structure` and `assess todo` (SPEC §6.1), in-process through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from assess.cli.main import cli
from assess.demo import generate_season, season_json
from assess.domain.schemes import PERFORMANCE_EVALUATION
from tests.conftest import store_agnostic

pytestmark = store_agnostic  # reading only: the queries are tested on both stores elsewhere


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def imported(db: str, tmp_path: Path) -> str:
    """performance-evaluation, 16 units, part-way through scoring."""
    season = generate_season(PERFORMANCE_EVALUATION, 16, seed=3, complications=True)
    verbs = [action["do"] for action in season["actions"]]
    season["actions"] = season["actions"][: verbs.index("open_assessment") + 20]
    path = tmp_path / "season.json"
    path.write_text(season_json(season), encoding="utf-8")
    assert run(db, "import", str(path)).exit_code == 0
    return season["cycle"]["id"]


def test_structure_as_json_and_table(db: str, tmp_path: Path) -> None:
    cycle = imported(db, tmp_path)
    document = json.loads(run(db, "structure", cycle, "--format", "json").stdout)
    assert document["cycle"] == cycle and document["stage"] == "assessment"
    assert [actor["actor"] for actor in document["actors"]] == sorted(
        actor["actor"] for actor in document["actors"]
    )
    elective = next(item for item in document["items"] if item["kind"] == "elective")
    table = run(db, "structure", cycle).stdout
    for text in ("units", "items", "actors", "O0000", elective["item"], elective["declared_by"]):
        assert text in table


def test_todo_as_json_and_table(db: str, tmp_path: Path) -> None:
    cycle = imported(db, tmp_path)
    document = json.loads(run(db, "todo", cycle, "soc", "--format", "json").stdout)
    assert document["actor"] == "soc" and document["missing"]
    assert {entry["method"] for entry in document["missing"]} == {"social"}
    first = document["missing"][0]
    table = run(db, "todo", cycle, "soc").stdout
    assert "to do" in table and first["unit"] in table and "social" in table
    assert "nothing to enter" in run(db, "todo", cycle, "od").stdout  # org_dept scores nothing
    unknown = run(db, "todo", cycle, "nobody")
    assert unknown.exit_code == 2 and "no actor 'nobody'" in unknown.stderr
