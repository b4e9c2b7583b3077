"""Excel score sheets (issue 14): template → filled with openpyxl → import gives the same
results as the same scores sent as actions; every bad sheet is refused cell by cell, and
nothing is stored."""

from __future__ import annotations

import copy
import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from assess.application.service import AssessApp
from assess.application.sheets import SheetProblems, import_sheet, template
from assess.domain.errors import DomainError
from tests.conftest import store_agnostic
from tests.seasons import CLOSE, group_season, leadership_season, performance_season

pytestmark = store_agnostic


def _seasons() -> dict[str, dict[str, Any]]:
    return {
        "group-party-org": group_season({"P1": ("90", "80.5", "88"), "P2": ("70", "75", "60.25")}),
        "leadership-team": leadership_season(
            {"T1": (["好", "较好", "好"], "first", "91.5"), "T2": (["一般", "差"], "other", "70")}
        ),
        "performance-evaluation": performance_season(
            {
                "U1": {"G1": (100, 85, 70), "G2": (85, 85, 40)},
                "U2": {"G1": (70, 40, 100), "G2": (100, 70, 85)},
            }
        ),
    }


# (scheme, actor whose later entries come by sheet)
ROLES = [
    ("group-party-org", "as"),
    ("leadership-team", "as"),
    ("leadership-team", "r"),
    ("performance-evaluation", "as"),
    ("performance-evaluation", "r"),
    ("performance-evaluation", "u-U1"),
]


def _split(season: dict[str, Any], actor: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The season without the actor's entries after open_assessment, and those entries."""
    base = copy.deepcopy(season)
    opened = next(i for i, a in enumerate(base["actions"]) if a["do"] == "open_assessment")
    later = [a for a in base["actions"][opened + 1 :] if a["by"] == actor]
    base["actions"] = base["actions"][: opened + 1] + [
        a for a in base["actions"][opened + 1 :] if a["by"] != actor
    ]
    return base, later


def _cells(action: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(sheet title, unit, column id, value) a sheet holds for one action."""
    from assess.application.labels import COMPONENTS

    unit = action["unit"]
    if action["do"] == "submit_sheet":
        title = COMPONENTS[action["method"]]
        return [(title, unit, item, value) for item, value in action["scores"].items()]
    if action["do"] == "submit_ballots":
        text = " ".join(str(b) for b in action["ballots"])
        return [(COMPONENTS[action["component"]], unit, action["component"], text)]
    if action["do"] == "record_award":
        labels = {"first": "一等奖", "second": "二等奖", "other": "其他等次奖"}
        return [(COMPONENTS["annual"], unit, "annual", labels[action["award"]])]
    if "item" in action:
        return [("项目评分", unit, action["item"], action["value"])]
    return [(COMPONENTS[action["component"]], unit, action["component"], action["value"])]


def fill(data: bytes, entries: list[tuple[str, str, str, Any]]) -> bytes:
    book = load_workbook(io.BytesIO(data))
    for title, unit, column, value in entries:
        sheet = book[title]
        row = next(c.row for c in sheet["A"] if c.value == unit)
        col = next(c.column for c in sheet[2] if c.value == column)
        sheet.cell(row, col).value = float(value) if isinstance(value, Decimal) else value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _digest(app: AssessApp, cycle: str) -> str:
    app.act(cycle, [CLOSE])
    return str(app.results(cycle)["digest"])


@pytest.mark.parametrize(("scheme", "actor"), ROLES)
def test_round_trip_gives_the_same_digest_as_actions(
    app: AssessApp, scheme: str, actor: str
) -> None:
    season = _seasons()[scheme]
    base, later = _split(season, actor)
    assert later
    by_actions = AssessApp()
    by_actions.import_season(base)
    cycle = base["cycle"]["id"]
    by_actions.act(cycle, later)
    expected = _digest(by_actions, cycle)

    app.import_season(base)
    data = template(app, cycle, actor)
    filled = fill(data, [cell for action in later for cell in _cells(action)])
    done = import_sheet(app, cycle, filled, actor, account="t")
    assert done.events == len(later)
    # the same sheet again stores nothing: every entry is unchanged
    assert import_sheet(app, cycle, filled, actor).events == 0
    assert _digest(app, cycle) == expected


def _perf(app: AssessApp) -> tuple[str, bytes]:
    base, _ = _split(_seasons()["performance-evaluation"], "as")
    app.import_season(base)
    cycle = base["cycle"]["id"]
    return cycle, template(app, cycle, "as")


def _refused(app: AssessApp, cycle: str, data: bytes, actor: str = "as") -> list[str]:
    before = len(app.events_of(cycle))
    with pytest.raises(SheetProblems) as refused:
        import_sheet(app, cycle, data, actor)
    assert len(app.events_of(cycle)) == before
    assert refused.value.code == "invalid_value"
    assert refused.value.message == "\n".join(refused.value.problems)
    return refused.value.problems


def _edit(data: bytes, change: Any) -> bytes:
    book = load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_is_the_actors_grid(app: AssessApp) -> None:
    cycle, data = _perf(app)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["组织评价", "_meta"]
    sheet = book["组织评价"]
    assert [c.value for c in sheet[1]] == [
        "单位编号",
        "单位名称",
        "类别",
        "规定一（G1）",
        "规定二（G2）",
    ]
    assert [c.value for c in sheet[2]][3:] == ["G1", "G2"]
    assert [sheet.cell(r, 2).value for r in (3, 4)] == ["U1党支部", "U2党支部"]
    assert sheet.protection.sheet
    assert sheet["A3"].protection.locked and not sheet["D3"].protection.locked
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert '"100,85,70,40"' in lists
    meta = book["_meta"]
    assert meta.sheet_state == "hidden"
    assert [meta["B1"].value, meta["B2"].value] == [cycle, "as"]


def test_every_bad_cell_is_reported_at_once_and_nothing_is_stored(app: AssessApp) -> None:
    cycle, data = _perf(app)

    def bad(book: Any) -> None:
        sheet = book["组织评价"]
        sheet["D3"] = 88
        sheet["E3"] = "很好"
        sheet["D4"] = 100  # fine, but the batch is refused as a whole
        sheet["E4"] = 85
        sheet["G9"] = "x"

    problems = _refused(app, cycle, _edit(data, bad))
    assert problems == [
        "组织评价!G9: 模板之外多出的内容 x",
        "组织评价!D3: 88 不是 100/85/70/40 之一",
        "组织评价!E3: “很好” 不是数字",
    ]


def test_scores_out_of_range_text_and_decimals(app: AssessApp) -> None:
    base, _ = _split(_seasons()["group-party-org"], "as")
    app.import_season(base)
    cycle = base["cycle"]["id"]
    data = template(app, cycle, "as")

    def bad(book: Any) -> None:
        book["下半年调研"]["D3"] = 120
        book["下半年调研"]["D4"] = "八十"
        book["年终考核"]["D3"] = 80.125

    assert _refused(app, cycle, _edit(data, bad)) == [
        "下半年调研!D3: 120 不在 0–100 之间",
        "下半年调研!D4: “八十” 不是数字",
        "年终考核!D3: 80.125 最多两位小数",
    ]


def test_ballots_and_awards_are_checked(app: AssessApp) -> None:
    base, _ = _split(_seasons()["leadership-team"], "as")
    app.import_season(base)
    cycle = base["cycle"]["id"]
    data = _edit(template(app, cycle, "as"), lambda b: b["年度考核"].__setitem__("D3", "特等奖"))
    assert _refused(app, cycle, data) == [
        "年度考核!D3: “特等奖” 不是 一等奖/二等奖/其他等次奖 之一"
    ]
    base, _ = _split(_seasons()["leadership-team"], "r")
    other = AssessApp()
    other.import_season(base)
    data = _edit(template(other, cycle, "r"), lambda b: b["述职评议"].__setitem__("D3", "好 优"))
    assert _refused(other, cycle, data, "r") == ["述职评议!D3: “优” 不是 好/较好/一般/差 之一"]


def test_moved_rows_and_columns_unknown_units_and_items(app: AssessApp) -> None:
    cycle, data = _perf(app)

    def moved(book: Any) -> None:
        sheet = book["组织评价"]
        sheet["A3"], sheet["A4"] = "U2", "U9"
        sheet["D2"], sheet["E2"] = "G2", "G7"
        sheet["D3"] = 100

    assert _refused(app, cycle, _edit(data, moved)) == [
        "组织评价!D2: 列已被删除或移动：应为 G1，实为 G2",
        "组织评价!E2: 未知项目 G7",
        "组织评价!A3: 行已被删除或移动：应为单位 U1，实为 U2",
        "组织评价!A4: 未知单位 U9",
    ]

    def deleted(book: Any) -> None:
        book["组织评价"].delete_rows(4)
        book["组织评价"].delete_cols(5)

    assert _refused(app, cycle, _edit(data, deleted)) == [
        "组织评价!E2: 列已被删除或移动：应为 G2",
        "组织评价!A4: 行已被删除或移动：应为单位 U2",
    ]


def test_wrong_cycle_actor_and_older_template(app: AssessApp) -> None:
    cycle, data = _perf(app)
    assert _refused(app, cycle, data, actor="r") == ["_meta!B2: 模板是为 as 生成的，不是 r"]
    wrong = _edit(data, lambda b: b["_meta"].__setitem__("B1", "other"))
    assert _refused(app, cycle, wrong) == [f"_meta!B1: 模板属于考核周期 other，不是 {cycle}"]
    older = _edit(data, lambda b: b["_meta"].__setitem__("B3", "0123456789abcdef"))
    assert _refused(app, cycle, older) == [
        "_meta!B3: 模板结构已过期（单位、项目或栏目已变化），请重新下载模板"
    ]
    # the actor retired: nothing is offered any more, its sheets are no longer the grid
    app.act(cycle, [{"do": "retire_actor", "by": "od", "actor": "as", "reason": "调离"}])
    assert _refused(app, cycle, data) == [
        "_meta!B3: 模板结构已过期（单位、项目或栏目已变化），请重新下载模板",
        "组织评价: 未知的工作表",
    ]


def test_not_a_workbook(app: AssessApp) -> None:
    cycle, _ = _perf(app)
    with pytest.raises(DomainError, match="不是有效的 xlsx"):
        import_sheet(app, cycle, b"not a workbook", "as")


def test_the_negative_list_sheet_gives_scores_by_deduction(app: AssessApp) -> None:
    """group-party-org: rows of 负面清单 for one unit and component become one
    `submit_score` with those deductions (its score 100 less their points); a bad row is
    refused at its cells, nothing stored."""
    base, _ = _split(_seasons()["group-party-org"], "as")
    app.import_season(base)
    cycle = base["cycle"]["id"]
    data = template(app, cycle, "as")
    sheet = load_workbook(io.BytesIO(data))["负面清单"]
    assert [cell.value for cell in sheet[1]] == ["单位编号", "考核项", "扣分方面", "扣分", "事由"]
    shown = {
        tuple(v.sqref.ranges)[0].coord: v.formula1 for v in sheet.data_validations.dataValidation
    }
    assert "政治建设" in shown["C3:C502"] and "年终考核" in shown["B3:B502"]

    def put(book: Any, row: int, values: list[Any]) -> None:
        for column, value in zip("ABCDE", values, strict=True):
            book["负面清单"][f"{column}{row}"] = value

    def bad(book: Any) -> None:
        put(book, 3, ["P9", "年中考核", "打牌", "101", "x"])

    assert _refused(app, cycle, _edit(data, bad)) == [
        "负面清单!A3: 单位 “P9” 不在模板中",
        "负面清单!B3: “年中考核” 不是 上半年调研、下半年调研、年终考核 之一",
        "负面清单!C3: “打牌” 不是负面清单的扣分方面",
        "负面清单!D3: 扣分 “101” 须为大于 0、不超过 100、最多两位小数的数",
    ]

    def deductions(book: Any) -> None:
        put(book, 3, ["P1", "年终考核", "政治建设", "1.5", "学习不到位"])
        put(book, 4, ["P1", "年终考核", "作风建设", 1, "会风"])

    import_sheet(app, cycle, _edit(data, deductions), "as")
    scored = app.events_of(cycle)[-1]
    assert scored.data["unit"] == "P1" and scored.data["component"] == "year_end"
    assert [d["area"] for d in scored.data["deductions"]] == ["political", "conduct"]
    assert app.cycle(cycle).scores["P1"]["year_end"] == "97.50"
