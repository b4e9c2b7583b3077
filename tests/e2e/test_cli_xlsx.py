"""`assess results|audit --format xlsx -o FILE`: the workbook read back with openpyxl holds
the results document's figures, ranks and grades, and `assess audit`'s rows (issue 14)."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from assess.application.labels import CATEGORIES, ROLES, VERBS
from tests.conftest import EXAMPLES, SCHEMES, store_agnostic
from tests.e2e.test_cli import run


def imported(db: str, scheme: str) -> str:
    done = run(db, "import", str(EXAMPLES / f"{scheme}.season.json"))
    assert done.returncode == 0, done.stderr
    return f"2025-{scheme}"


def two_decimals(value: object) -> str:
    """A figure cell as read back (int or float) in the results document's form."""
    assert isinstance(value, int | float), value
    return str(Decimal(repr(value)).quantize(Decimal("0.01")))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_results_workbook_holds_the_results(db: str, scheme: str, tmp_path: Path) -> None:
    cycle = imported(db, scheme)
    document = json.loads(run(db, "results", cycle).stdout)
    target = tmp_path / "results.xlsx"
    done = run(db, "results", cycle, "--format", "xlsx", "-o", str(target))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(target)
    categories = list(dict.fromkeys(row["category"] for row in document["results"]))
    assert book.sheetnames == [
        "汇总",
        *(CATEGORIES.get(category, category) for category in categories),
        "明细",
        "版本信息",
    ]
    summary = book["汇总"]
    headers = [cell.value for cell in summary[1]]
    assert headers[:5] == ["综合排名", "类别排名", "单位编号", "单位名称", "类别"]
    assert headers[-6:] == ["得分", "附加分", "最终得分", "等次", "一票否决", "限定等次"]
    assert summary.freeze_panes == "A2"
    read = [
        dict(zip(headers, (c.value for c in line), strict=True))
        for line in summary.iter_rows(min_row=2)
    ]
    assert len(read) == len(document["results"])
    for row, expected in zip(read, document["results"], strict=True):
        assert row["单位编号"] == expected["unit"] and row["单位名称"] == expected["name"]
        assert (row["综合排名"], row["类别排名"]) == (expected["rank"], expected["category_rank"])
        assert two_decimals(row["最终得分"]) == expected["final"]
        assert two_decimals(row["得分"]) == expected["score"]
        assert two_decimals(row["附加分"]) == expected["extra"]
        assert row["等次"] == expected["grade_label"]
        assert row["一票否决"] == ("是" if expected["vetoed"] else "否")
        assert row["限定等次"] == ("是" if expected["capped"] else "否")
    final_column = headers.index("最终得分") + 1
    for line in summary.iter_rows(min_row=2, min_col=final_column, max_col=final_column):
        assert line[0].number_format == "0.00" and line[0].data_type == "n"
    grade_cells = [line[headers.index("等次")] for line in summary.iter_rows(min_row=2)]
    assert all(cell.fill.fill_type == "solid" for cell in grade_cells)
    # The figures are stored with their exact digits, not as binary fractions.
    sheet_xml = zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml").decode()
    for expected in document["results"]:
        assert f"<v>{expected['final']}</v>" in sheet_xml
    for category in categories:
        sheet = book[CATEGORIES.get(category, category)]
        assert sheet.freeze_panes == "A2"
        units = [line[2].value for line in sheet.iter_rows(min_row=2)]
        assert units == [r["unit"] for r in document["results"] if r["category"] == category]
    inputs = book["明细"]
    assert inputs.freeze_panes == "A2"
    entered = {line[0].value for line in inputs.iter_rows(min_row=2)}
    assert entered == {row["unit"] for row in document["results"]}
    about = {line[0].value: line[1].value for line in book["版本信息"].iter_rows(min_row=2)}
    assert about["结果摘要（digest）"] == document["digest"]
    assert about["结果版本"] == document["version"]


@store_agnostic
def test_results_workbook_of_a_past_version_and_category(db: str, tmp_path: Path) -> None:
    cycle = imported(db, "leadership-team")
    document = json.loads(run(db, "results", cycle, "--version", "1").stdout)
    target = tmp_path / "v1.xlsx"
    args = ("results", cycle, "--version", "1", "--category", "town", "--format", "xlsx")
    assert run(db, *args, "-o", str(target)).returncode == 0
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["汇总", "镇（街道）", "明细", "版本信息"]
    towns = [row for row in document["results"] if row["category"] == "town"]
    headers = [cell.value for cell in book["汇总"][1]]
    column = headers.index("最终得分")
    finals = [two_decimals(line[column].value) for line in book["汇总"].iter_rows(min_row=2)]
    assert finals == [row["final"] for row in towns]
    about = {line[0].value: line[1].value for line in book["版本信息"].iter_rows(min_row=2)}
    assert about["结果版本"] == 1


@pytest.mark.parametrize("scheme", SCHEMES)
def test_audit_workbook_holds_the_audit_rows(db: str, scheme: str, tmp_path: Path) -> None:
    cycle = imported(db, scheme)
    from assess.application.service import AssessApp
    from assess.infrastructure.persistence import open_application

    app = open_application(AssessApp, db)
    try:
        unit = app.results(cycle)["results"][0]["unit"]
        for only in (None, unit):
            rows, _ = app.audit(cycle, only)
            target = tmp_path / f"audit-{only}.xlsx"
            args = ["audit", cycle, "--format", "xlsx", "-o", str(target)]
            done = run(db, *args, *(["--unit", only] if only else []))
            assert done.returncode == 0, done.stderr
            sheet = openpyxl.load_workbook(target)["审计记录"]
            assert sheet.freeze_panes == "A2"
            headers = [cell.value for cell in sheet[1]]
            read = [
                dict(zip(headers, (c.value for c in line), strict=True))
                for line in sheet.iter_rows(min_row=2)
            ]
            assert len(read) == len(rows)
            for got, row in zip(read, rows, strict=True):
                assert got["序号"] == row["position"]
                assert got["记录时间"] == row["recorded"]
                assert got["操作人"] == row["actor"]
                assert got["角色"] == ROLES.get(row["role"], row["role"])
                assert got["操作代码"] == row["verb"]
                assert got["操作"] == VERBS[row["verb"]]
                assert (got["内容"] or "") == row["summary"]
                assert (got["原因/答复"] or "") == row["reason"]
                assert got["链哈希"] == row["chain"]
    finally:
        app.close()


@store_agnostic
def test_xlsx_needs_a_file(db: str, tmp_path: Path) -> None:
    cycle = imported(db, "group-party-org")
    for command in ("results", "audit"):
        done = run(db, command, cycle, "--format", "xlsx")
        assert done.returncode == 2
        assert done.stderr.decode().strip().splitlines() == [
            "error: --format xlsx writes a workbook: give -o FILE.xlsx"
        ]
        assert done.stdout == b""
        refused = run(db, command, cycle, "--format", "json", "-o", str(tmp_path / "x.xlsx"))
        assert refused.returncode == 2 and not (tmp_path / "x.xlsx").exists()
    unknown = run(
        db, "results", "no-such-cycle", "--format", "xlsx", "-o", str(tmp_path / "y.xlsx")
    )
    assert unknown.returncode == 2 and not (tmp_path / "y.xlsx").exists()
    to_stdout = run(db, "results", cycle, "--format", "xlsx", "-o", "-")
    assert to_stdout.returncode == 0
    assert openpyxl.load_workbook(io.BytesIO(to_stdout.stdout)).sheetnames[0] == "汇总"


@store_agnostic
def test_a_name_like_a_formula_stays_text(db: str, tmp_path: Path) -> None:
    season = json.loads((EXAMPLES / "group-party-org.season.json").read_text())
    season["units"][0]["name"] = '=HYPERLINK("http://x","y")'
    unit = season["units"][0]["id"]
    path = tmp_path / "season.json"
    path.write_text(json.dumps(season, ensure_ascii=False))
    assert run(db, "import", str(path)).returncode == 0
    target = tmp_path / "results.xlsx"
    assert (
        run(db, "results", season["cycle"]["id"], "--format", "xlsx", "-o", str(target)).returncode
        == 0
    )
    summary = openpyxl.load_workbook(target)["汇总"]
    cell = next(line[3] for line in summary.iter_rows(min_row=2) if line[2].value == unit)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
