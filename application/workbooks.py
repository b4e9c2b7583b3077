"""Excel workbooks of a cycle (issue 14, item 3): the results of a version and the audit
trail, with Chinese headers, frozen header rows, figures as numbers with two decimals and
a colour per grade/tier.

Figures are numbers in the sheet written with their own digits (`96.40` is stored as
`96.40`): no float is made, not even the one openpyxl would make of a Decimal. Text is
always stored as text: a unit named `=HYPERLINK(...)` is no formula in the workbook.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from assess.application.appeals import INPUT_VERBS
from assess.application.audit import summary, verb_of, with_units
from assess.application.exports import COMPONENT_ORDER
from assess.application.labels import CATEGORIES, COMPONENTS, ROLES, VERBS
from assess.application.service import AssessApp

FIGURE_FORMAT = "0.00"
SUMMARY, INPUTS, ABOUT = "汇总", "明细", "版本信息"
AUDIT = "审计记录"
YES, NO = "是", "否"

# A fill per grade/tier (the codes of every scheme's GRADE_LABELS), and for a veto.
GRADE_FILLS = {
    "excellent": "C6EFCE",
    "good": "DDEBF7",
    "fairly_good": "E2EFDA",
    "average": "FFEB9C",
    "poor": "FFC7CE",
}
VETO_FILL = "FFC7CE"
HEADER_FILL = "D9D9D9"

LEAD = [("rank", "综合排名"), ("category_rank", "类别排名"), ("unit", "单位编号")]
LEAD += [("name", "单位名称"), ("category", "类别")]
TAIL = [("score", "得分"), ("extra", "附加分"), ("final", "最终得分")]
FLAGS = [("grade_label", "等次"), ("vetoed", "一票否决"), ("capped", "限定等次")]

INPUT_HEADERS = ["单位编号", "单位名称", "序号", "操作", "操作代码", "操作人", "角色"]
INPUT_HEADERS += ["账户", "日期", "记录时间", "内容", "原因"]
AUDIT_COLUMNS = [
    ("position", "序号"),
    ("recorded", "记录时间"),
    ("at", "日期"),
    ("actor", "操作人"),
    ("role", "角色"),
    ("account", "账户"),
    ("request", "请求键"),
    ("verb", "操作代码"),
    ("verb_label", "操作"),
    ("summary", "内容"),
    ("reason", "原因/答复"),
    ("files", "佐证材料"),
    ("chain", "链哈希"),
]
SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")


# ---- results -------------------------------------------------------------------------


def results_workbook(
    app: AssessApp,
    cycle_id: str,
    version: int | None = None,
    document: dict[str, Any] | None = None,
) -> bytes:
    """The results of a version (the latest by default; or the given results
    `document`, say one filtered to a category) as an .xlsx: 汇总, a sheet per
    category, 明细 (the inputs behind the figures) and 版本信息."""
    if document is None:
        document = app.results(cycle_id, version)
    rows = document["results"]
    present = {key for row in rows for key in row["components"]}
    components = [key for key in COMPONENT_ORDER if key in present]
    components += sorted(present - set(components))
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = SUMMARY
    _results_sheet(summary, rows, components)
    titles = {SUMMARY, INPUTS, ABOUT}
    for category in dict.fromkeys(row["category"] for row in rows):
        sheet = book.create_sheet(_sheet_title(CATEGORIES.get(category, category), titles))
        _results_sheet(sheet, [row for row in rows if row["category"] == category], components)
    events = app.events_of(cycle_id)
    _inputs_sheet(book.create_sheet(INPUTS), events, document)
    about = book.create_sheet(ABOUT)
    stands_at = _version_position(events, document["version"])
    facts = [
        ("考核", document["cycle"]),
        ("方案", document["scheme"]),
        ("结果版本", document["version"]),
        ("结果摘要（digest）", document["digest"]),
        ("生成该版本的事件序号", stands_at),
    ]
    _table(about, ["项目", "内容"], [list(fact) for fact in facts])
    return _saved(book)


def _results_sheet(sheet: Worksheet, rows: list[dict[str, Any]], components: list[str]) -> None:
    headers = [label for _, label in LEAD]
    headers += [COMPONENTS.get(key, key) for key in components]
    headers += [label for _, label in TAIL + FLAGS]
    table = []
    for row in rows:
        table.append(
            [row["rank"], row["category_rank"], row["unit"], row["name"]]
            + [CATEGORIES.get(row["category"], row["category"])]
            + [_figure(row["components"].get(key)) for key in components]
            + [_figure(row[key]) for key, _ in TAIL]
            + [row["grade_label"], YES if row["vetoed"] else NO, YES if row["capped"] else NO]
        )
    _table(sheet, headers, table)
    grade_column = len(headers) - 2  # 1-based: 等次, then 一票否决, 限定等次
    for number, row in enumerate(rows, start=2):
        fill = GRADE_FILLS.get(row["grade"])
        if fill:
            sheet.cell(number, grade_column).fill = _fill(fill)
        if row["vetoed"]:
            sheet.cell(number, grade_column + 1).fill = _fill(VETO_FILL)
        if row["capped"]:
            sheet.cell(number, grade_column + 2).fill = _fill(GRADE_FILLS["average"])


def _inputs_sheet(sheet: Worksheet, events: list[Any], document: dict[str, Any]) -> None:
    """Per unit, in the order of the results: every input to its figures recorded up to
    the event that made this version (who entered it, when, what)."""
    end = _version_position(events, document["version"])
    names = {row["unit"]: row["name"] for row in document["results"]}
    found: dict[str, list[list[Any]]] = {unit: [] for unit in names}
    for _, event, units in with_units(events[:end]):
        verb = verb_of(event)
        if verb not in INPUT_VERBS:
            continue
        for unit in sorted(units & found.keys()):
            found[unit].append(
                [
                    unit,
                    names[unit],
                    event.originator_version,
                    VERBS.get(verb, verb),
                    verb,
                    event.actor,
                    ROLES.get(event.role, event.role),
                    event.account,
                    event.at,
                    event.timestamp.isoformat(),
                    summary(event.data, limit=32000),
                    event.data.get("reason") or event.data.get("answer") or "",
                ]
            )
    _table(sheet, INPUT_HEADERS, [line for unit in names for line in found[unit]])


def _version_position(events: list[Any], version: int) -> int:
    """The position of the event that made results `version`."""
    return next(
        event.originator_version
        for event in events
        if "digest" in event.data and event.data.get("version") == version
    )


# ---- audit ---------------------------------------------------------------------------


def audit_workbook(app: AssessApp, cycle_id: str, unit: str | None = None) -> bytes:
    """The audit trail (`assess audit`'s rows), optionally of one unit, as an .xlsx."""
    rows, _ = app.audit(cycle_id, unit)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = AUDIT
    table = []
    for row in rows:
        cells = {**row, "verb_label": VERBS.get(row["verb"], row["verb"])}
        cells["role"] = ROLES.get(row["role"], row["role"])
        cells["files"] = "\n".join(
            f"{entry['name']} {entry['sha256']}" for entry in row.get("attachments", [])
        )
        table.append([cells.get(key) for key, _ in AUDIT_COLUMNS])
    _table(sheet, [label for _, label in AUDIT_COLUMNS], table)
    return _saved(book)


# ---- cells ---------------------------------------------------------------------------


def _figure(value: Any) -> Any:
    """A results figure ("96.40") as the Decimal it writes; absent stays empty."""
    return None if value is None or value == "" else Decimal(value)


def _table(sheet: Worksheet, headers: list[str], rows: Iterable[list[Any]]) -> None:
    """Header row (bold, grey, frozen), then the rows: text as text, Decimals with two
    decimals; columns as wide as their widest cell."""
    widths = [_width(header) for header in headers]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _fill(HEADER_FILL)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(number, column)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(value, Decimal):
                # openpyxl would write a Decimal through a float ("%.16g": 94.07 becomes
                # 94.06999999999999); its own digits go into the sheet instead, as a number.
                cell.value = format(value, "f")
                cell.data_type = "n"
                cell.number_format = FIGURE_FORMAT
            else:
                cell.value = value
            widths[column - 1] = max(widths[column - 1], _width(value))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"


def _width(value: Any) -> int:
    """Display width: a CJK character takes two columns."""
    if value is None:
        return 0
    text = f"{value:.2f}" if isinstance(value, Decimal) else str(value)
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _fill(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _sheet_title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique."""
    base = SHEET_TITLE_BAD.sub("_", name).strip("'")[:28] or "类别"
    title, n = base, 2
    while title in taken:
        title, n = f"{base}_{n}", n + 1
    taken.add(title)
    return title


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
