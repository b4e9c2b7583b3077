"""`assess template` and `assess import-sheet` (issue 14), through click's runner."""

from __future__ import annotations

import io
import json
from pathlib import Path

from click.testing import CliRunner, Result
from openpyxl import load_workbook

from assess.cli.main import cli
from tests.conftest import store_agnostic
from tests.integration.test_sheets import _seasons, _split

pytestmark = store_agnostic


def run(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def imported(db: str, tmp_path: Path) -> str:
    base, _ = _split(_seasons()["performance-evaluation"], "as")
    path = tmp_path / "season.json"
    path.write_text(json.dumps(base, ensure_ascii=False, default=str), encoding="utf-8")
    assert run(db, "import", str(path)).exit_code == 0
    return str(base["cycle"]["id"])


def _events(db: str, cycle: str) -> int:
    return len(json.loads(run(db, "audit", cycle, "--format", "json").stdout))


def test_template_then_import(db: str, tmp_path: Path) -> None:
    cycle = imported(db, tmp_path)
    out = tmp_path / "as.xlsx"
    made = run(db, "template", cycle, "--for", "as", "-o", str(out))
    assert made.exit_code == 0, made.output
    book = load_workbook(out)
    sheet = book["组织评价"]
    sheet["D3"], sheet["E3"], sheet["D4"], sheet["E4"] = 85, 85, 40, 70
    book.save(out)
    done = run(db, "import-sheet", cycle, str(out), "--as", "as")
    assert done.exit_code == 0, done.output
    assert "2 events stored" in done.stdout


def test_every_problem_on_its_own_line_and_nothing_stored(db: str, tmp_path: Path) -> None:
    cycle = imported(db, tmp_path)
    out = tmp_path / "as.xlsx"
    assert run(db, "template", cycle, "--for", "as", "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    sheet = book["组织评价"]
    sheet["D3"], sheet["E4"] = 88, "abc"
    book.save(out)
    before = _events(db, cycle)
    refused = run(db, "import-sheet", cycle, str(out), "--as", "as")
    assert refused.exit_code == 2
    assert refused.stderr.splitlines() == [
        "error: invalid_value: 组织评价!D3: 88 不是 100/85/70/40 之一",
        "组织评价!E4: “abc” 不是数字",
    ]
    assert _events(db, cycle) == before
    wrong = run(db, "import-sheet", cycle, str(out), "--as", "r")
    assert wrong.exit_code == 2 and "模板是为 as 生成的，不是 r" in wrong.stderr
    assert load_workbook(io.BytesIO(out.read_bytes()))["_meta"]["B2"].value == "as"
