"""Excel score sheets (issue 14, items 1–2): the entry grid of `entry.py` as a workbook for
one actor, and a filled workbook read back as ONE atomic batch.

A template holds one sheet per component, method or ballot kind the actor may enter: row 1
the Chinese headers, row 2 the ids of the columns, from row 3 a row per unit (id, name,
category, then its entry cells). Ids and headers are locked (sheet protection, no
password: it guards against slips, the import checks everything anyway). The hidden sheet
`_meta` names the cycle, the actor and the template version: a hash of the structure
(sheets, columns, units), so a template of an older structure is told apart.

An import checks every cell first and reports every problem at once, each as
`工作表!单元格: 问题`; only a workbook without any is turned into actions (`entry_plan`)
and applied by `app.act` as one batch, so a refusal stores nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from assess.application.batches import Applied, applied, stored_before
from assess.application.entry import (
    AWARD,
    BALLOTS,
    FIXED,
    SCORE,
    Cell,
    Column,
    Row,
    ballots_of,
    entry_plan,
    entry_sheet,
)
from assess.application.labels import CATEGORIES, COMPONENTS, DEDUCTION_AREAS
from assess.application.service import AssessApp
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.requests import Request

META = "_meta"
FORMAT = "assess-sheet/1"
FIRST_ROW = 3  # row 1: headers, row 2: column ids
FIRST_COLUMN = 4  # A: unit id, B: name, C: category
AWARD_LABELS = {"first": "一等奖", "second": "二等奖", "other": "其他等次奖"}
ITEM_SCORES = "项目评分"
LOCKED_FILL = PatternFill("solid", fgColor="DDDDDD")


class SheetProblems(DomainError):
    """Every problem of a workbook, each `工作表!单元格: 问题`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid_value", "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Page:
    """One sheet of the template: its title, its columns, its rows (units)."""

    title: str
    columns: list[Column]
    rows: list[Row]


@dataclass(frozen=True)
class Layout:
    cycle: str
    actor: str
    pages: list[Page]
    points: tuple[tuple[str, str], ...]  # performance-evaluation's fixed points (value, label)
    # group-party-org's negative list: the components the actor scores, which deductions
    # may give instead of a score (empty elsewhere), and the units it scores.
    deductible: tuple[str, ...] = ()
    deduction_units: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        structure = [
            [page.title, [list(c.key) for c in page.columns], [r.unit for r in page.rows]]
            for page in self.pages
        ]
        text = json.dumps([self.cycle, structure], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def layout(app: AssessApp, cycle_id: str, actor: str) -> Layout:
    """The structure of the actor's template: every page of the entry grid, regrouped."""
    first = entry_sheet(app, cycle_id, actor)
    grids = [first] + [
        entry_sheet(app, cycle_id, actor, page) for page in range(2, first.pages + 1)
    ]
    groups: dict[str, tuple[list[Column], list[Row]]] = {}
    points: tuple[tuple[str, str], ...] = ()
    for grid in grids:
        for column in grid.columns:
            columns, _ = groups.setdefault(_title(column), ([], []))
            if column not in columns:
                columns.append(column)
            if column.kind == FIXED:
                points = column.choices
        for row in grid.rows:
            for columns, rows in groups.values():
                if any(c.key in row.values for c in columns) and row not in rows:
                    rows.append(row)
    pages = [Page(title, columns, rows) for title, (columns, rows) in groups.items() if rows]
    deductible: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    if first.deduction_areas:
        deductible = tuple(
            dict.fromkeys(c.name for g in grids for c in g.columns if c.kind == SCORE)
        )
        units = tuple(dict.fromkeys(r.unit for g in grids for r in g.rows))
    return Layout(cycle_id, actor, pages, points, deductible, units)


def _title(column: Column) -> str:
    if column.kind == FIXED:
        return COMPONENTS.get(column.method, column.method)
    if column.kind == SCORE and column.by_item:
        return ITEM_SCORES
    return COMPONENTS.get(column.name, column.name)


def _header(column: Column) -> str:
    if column.kind == BALLOTS:
        return "评议票（以空格分隔）" if column.labels else "测评票（以空格分隔）"
    if column.kind == AWARD:
        return "年度考评综合奖"
    if column.title and column.title != column.name:
        return f"{column.title}（{column.name}）"
    return COMPONENTS.get(column.name, column.name)


# ---- the template ---------------------------------------------------------------------------


def template(app: AssessApp, cycle_id: str, actor: str) -> bytes:
    shape = layout(app, cycle_id, actor)
    if not shape.pages:
        raise DomainError("invalid_value", f"{actor} 当前没有可录入的内容")
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for page in shape.pages:
        _write_page(book.create_sheet(page.title), page, shape)
    if shape.deductible:
        _write_negative_list(book.create_sheet(NEGATIVE_LIST), shape)
    meta = book.create_sheet(META)
    for row in (("cycle", cycle_id), ("actor", actor), ("version", shape.version)):
        meta.append(row)
    meta.append(("format", FORMAT))
    meta.sheet_state = "hidden"
    meta.protection.sheet = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the negative list (负面清单, group-party-org): deductions instead of a score ----------

NEGATIVE_LIST = "负面清单"
NEGATIVE_HEADERS = ("单位编号", "考核项", "扣分方面", "扣分", "事由")
NEGATIVE_ROWS = 500  # rows open for entry


def _write_negative_list(sheet: Worksheet, shape: Layout) -> None:
    """A row per deduction: unit, component, area (the regulation's words), points,
    reason. The rows of one unit and component become one `submit_score` whose score is
    100 less their points (SPEC §2.1)."""
    sheet.append(list(NEGATIVE_HEADERS))
    sheet.append(["unit", "component", "area", "points", "reason"])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = Font(bold=True)
    choices = (
        (2, [COMPONENTS.get(name, name) for name in shape.deductible]),
        (3, list(DEDUCTION_AREAS.values())),
    )
    for column, names in choices:
        listed = DataValidation(type="list", formula1='"' + ",".join(names) + '"')
        letter = get_column_letter(column)
        listed.add(f"{letter}3:{letter}{NEGATIVE_ROWS + 2}")
        sheet.add_data_validation(listed)
    points = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
    points.add(f"D3:D{NEGATIVE_ROWS + 2}")
    sheet.add_data_validation(points)
    for row in sheet.iter_rows(min_row=3, max_row=NEGATIVE_ROWS + 2, max_col=5):
        for cell in row:
            cell.protection = Protection(locked=False)
    for letter, width in zip("ABCDE", (14, 14, 22, 10, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A3"
    sheet.protection.sheet = True


def _read_negative_list(
    sheet: Worksheet, shape: Layout, problems: list[str]
) -> list[tuple[dict[str, Any], list[str]]]:
    """The deductions of the sheet as `submit_score` actions (with the cells each came
    from), every bad cell a problem."""
    if [_text(cell.value) for cell in sheet[2][:5]] != [
        "unit", "component", "area", "points", "reason"
    ]:  # fmt: skip
        problems.append(f"{NEGATIVE_LIST}!A2: 表头被改动，请重新下载模板")
        return []
    components = {COMPONENTS.get(name, name): name for name in shape.deductible}
    components.update({name: name for name in shape.deductible})
    areas = {label: code for code, label in DEDUCTION_AREAS.items()}
    areas.update({code: code for code in DEDUCTION_AREAS})
    grouped: dict[tuple[str, str], tuple[list[dict[str, Any]], list[str]]] = {}
    for row in sheet.iter_rows(min_row=3, max_col=5):
        unit, component, area, points, reason = (_text(cell.value) for cell in row)
        if not any((unit, component, area, points, reason)):
            continue
        where = f"{NEGATIVE_LIST}!A{row[0].row}"
        bad = len(problems)
        if unit not in shape.deduction_units:
            problems.append(f"{NEGATIVE_LIST}!{row[0].coordinate}: 单位 “{unit}” 不在模板中")
        if component not in components:
            shown = "、".join(COMPONENTS.get(n, n) for n in shape.deductible)
            problems.append(f"{NEGATIVE_LIST}!{row[1].coordinate}: “{component}” 不是 {shown} 之一")
        if area not in areas:
            problems.append(f"{NEGATIVE_LIST}!{row[2].coordinate}: “{area}” 不是负面清单的扣分方面")
        value = _number(points)
        if value is None or not 0 < value <= 100 or value != value.quantize(Decimal("0.01")):
            problems.append(
                f"{NEGATIVE_LIST}!{row[3].coordinate}: 扣分 “{points}” 须为大于 0、"
                "不超过 100、最多两位小数的数"
            )
        if len(problems) > bad or value is None:
            continue
        key = (unit, components[component])
        entries, refs = grouped.setdefault(key, ([], []))
        entries.append({"area": areas[area], "points": value, "reason": reason})
        refs.append(where)
    return [
        (
            {"unit": unit, "component": component, "deductions": entries},
            refs,
        )
        for (unit, component), (entries, refs) in sorted(grouped.items())
    ]


def _write_page(sheet: Worksheet, page: Page, shape: Layout) -> None:
    bold = Font(bold=True)
    sheet.append(["单位编号", "单位名称", "类别", *(_header(c) for c in page.columns)])
    sheet.append(["编号", "", "", *(c.name for c in page.columns)])
    for cell in (*sheet[1], *sheet[2]):
        cell.font = bold
    for row in page.rows:
        category = CATEGORIES.get(row.category, row.category)
        sheet.append([row.unit, row.name, category])
    for index, column in enumerate(page.columns):
        letter = get_column_letter(FIRST_COLUMN + index)
        sheet.column_dimensions[letter].width = 18 if column.kind != BALLOTS else 40
        validation = _validation(column, shape)
        if validation is not None:
            sheet.add_data_validation(validation)
        for number, row in enumerate(page.rows, start=FIRST_ROW):
            cell = sheet.cell(number, FIRST_COLUMN + index)
            if column.key not in row.values:  # not applicable to this unit: stays locked
                cell.fill = LOCKED_FILL
                continue
            cell.protection = Protection(locked=False)
            current = row.values[column.key]
            if column.kind == SCORE and current:
                cell.value = Decimal(current)
                cell.number_format = "0.00"
            elif column.kind == FIXED and current:
                cell.value = Decimal(current)
            elif column.kind == AWARD and current:
                cell.value = AWARD_LABELS.get(current, current)
            elif current:
                cell.value = current
            elif column.kind == SCORE:
                cell.number_format = "0.00"
            if validation is not None:
                validation.add(cell)
    sheet.column_dimensions["B"].width = 24
    sheet.freeze_panes = sheet.cell(FIRST_ROW, FIRST_COLUMN)
    sheet.protection.sheet = True


def _validation(column: Column, shape: Layout) -> DataValidation | None:
    if column.kind == FIXED:
        values = ",".join(value for value, _ in column.choices)
        return DataValidation(
            type="list",
            formula1=f'"{values}"',
            allow_blank=True,
            error=f"只能填 {values.replace(',', '/')} 之一",
            showErrorMessage=True,
        )
    if column.kind == AWARD:
        labels = ",".join(AWARD_LABELS.get(key, key) for key, _ in column.choices)
        return DataValidation(
            type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=True
        )
    if column.kind == SCORE:
        return DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="100",
            allow_blank=True,
            error="请填 0–100 之间的数，最多两位小数",
            showErrorMessage=True,
        )
    prompt = "、".join(column.labels) if column.labels else "0–100 的数"
    return DataValidation(
        type="textLength",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        promptTitle="选票",
        prompt=f"每张票填 {prompt}，以空格分隔",
        showInputMessage=True,
    )


# ---- the import ----------------------------------------------------------------------------


def import_sheet(
    app: AssessApp,
    cycle_id: str,
    data: bytes,
    actor: str,
    account: str | None = None,
    request: Request | None = None,
) -> Applied:
    try:
        book = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # noqa: BLE001 - zip, XML, openpyxl: all "not a workbook"
        raise SheetProblems([f"文件不是有效的 xlsx 工作簿（{type(error).__name__}）"]) from None
    if META not in book.sheetnames:
        raise SheetProblems([f"缺少隐藏工作表 {META}：不是本系统生成的评分模板"])
    meta = {str(row[0].value): row[1] for row in book[META].iter_rows(max_col=2) if row[0].value}
    problems: list[str] = []
    for key, wanted, text in (
        ("cycle", cycle_id, "模板属于考核周期 {}，不是 {}"),
        ("actor", actor, "模板是为 {} 生成的，不是 {}"),
    ):
        given = meta.get(key)
        if given is None or str(given.value) != wanted:
            shown = given.value if given is not None else "（空）"
            where = given.coordinate if given is not None else "B?"
            problems.append(f"{META}!{where}: " + text.format(shown, wanted))
    if problems:
        raise SheetProblems(problems)
    shape = layout(app, cycle_id, actor)
    version = meta.get("version")
    if version is None or str(version.value) != shape.version:
        where = version.coordinate if version is not None else "B3"
        problems.append(f"{META}!{where}: 模板结构已过期（单位、项目或栏目已变化），请重新下载模板")
    known = app.inspect(cycle_id, lambda cycle: (set(cycle.units), set(cycle.items)))
    cells: dict[Cell, str] = {}
    refs: dict[Cell, str] = {}
    deduction_refs: list[tuple[int, list[str]]] = []
    expected = {page.title for page in shape.pages} | {META}
    if shape.deductible:
        expected.add(NEGATIVE_LIST)
    for name in book.sheetnames:
        if name not in expected:
            problems.append(f"{name}: 未知的工作表")
    for page in shape.pages:
        if page.title not in book.sheetnames:
            problems.append(f"{page.title}: 缺少工作表")
            continue
        _read_page(book[page.title], page, shape, known, problems, cells, refs)
    deductions = []
    if shape.deductible and NEGATIVE_LIST in book.sheetnames:
        deductions = _read_negative_list(book[NEGATIVE_LIST], shape, problems)
    if problems:
        raise SheetProblems(problems)
    plan = entry_plan(app, cycle_id, actor, cells)
    for action, where in deductions:  # after the grid: the deductions decide that score
        plan.actions.append({"do": "submit_score", "by": actor, **action})
        deduction_refs.append((len(plan.actions) - 1, where))
    if not plan.actions:  # nothing new: unless this keyed request stored it before
        earlier = app.inspect(cycle_id, lambda cycle: stored_before(cycle, request))
        return earlier or app.inspect(cycle_id, lambda cycle: applied(cycle, 0))
    try:
        return app.act(cycle_id, plan.actions, account=account, request=request)
    except ActionRefused as refusal:
        listed = dict(deduction_refs)
        where = listed.get(refusal.index) or [
            refs[cell] for cell in plan.cells_of(refusal.index, refusal.message)
        ]
        raise SheetProblems(
            [f"{ref}: 被拒绝（{refusal.code}）：{refusal.message}" for ref in where]
        ) from None


def _read_page(
    sheet: Worksheet,
    page: Page,
    shape: Layout,
    known: tuple[set[str], set[str]],
    problems: list[str],
    cells: dict[Cell, str],
    refs: dict[Cell, str],
) -> None:
    units, items = known
    title = page.title
    last_column = FIRST_COLUMN + len(page.columns) - 1
    last_row = FIRST_ROW + len(page.rows) - 1
    columns_ok: list[bool] = []
    for index, column in enumerate(page.columns):
        cell = sheet.cell(2, FIRST_COLUMN + index)
        given = _text(cell.value)
        ok = given == column.name
        columns_ok.append(ok)
        if ok:
            continue
        if not given:
            problems.append(f"{title}!{cell.coordinate}: 列已被删除或移动：应为 {column.name}")
        elif given not in items and given not in COMPONENTS:
            problems.append(f"{title}!{cell.coordinate}: 未知项目 {given}")
        else:
            problems.append(
                f"{title}!{cell.coordinate}: 列已被删除或移动：应为 {column.name}，实为 {given}"
            )
    rows_ok: list[bool] = []
    for number, row in enumerate(page.rows, start=FIRST_ROW):
        cell = sheet.cell(number, 1)
        given = _text(cell.value)
        ok = given == row.unit
        rows_ok.append(ok)
        if ok:
            continue
        if not given:
            problems.append(f"{title}!{cell.coordinate}: 行已被删除或移动：应为单位 {row.unit}")
        elif given not in units:
            problems.append(f"{title}!{cell.coordinate}: 未知单位 {given}")
        else:
            problems.append(
                f"{title}!{cell.coordinate}: 行已被删除或移动：应为单位 {row.unit}，实为 {given}"
            )
    for line in sheet.iter_rows(min_row=1, max_row=max(sheet.max_row, last_row)):
        for cell in line:
            outside = cell.column > last_column or (cell.row > last_row)
            if outside and _text(cell.value):
                problems.append(
                    f"{title}!{cell.coordinate}: 模板之外多出的内容 {_text(cell.value)}"
                )
    for r, row in enumerate(page.rows):
        for c, column in enumerate(page.columns):
            if not (rows_ok[r] and columns_ok[c]):
                continue
            cell = sheet.cell(FIRST_ROW + r, FIRST_COLUMN + c)
            ref = f"{title}!{cell.coordinate}"
            typed = _text(cell.value)
            if not typed:
                continue
            if column.key not in row.values:
                problems.append(f"{ref}: {column.name} 不适用于单位 {row.unit}，应留空")
                continue
            value = _checked(column, typed, shape, ref, problems)
            if value is not None:
                key = (column.kind, column.name, column.method, row.unit)
                cells[key] = value
                refs[key] = ref


def _checked(
    column: Column, typed: str, shape: Layout, ref: str, problems: list[str]
) -> str | None:
    """The cell's value as `entry_plan` takes it, or None with a problem added."""
    if column.kind == FIXED:
        by_label = {label: value for value, label in column.choices}
        if typed in by_label:
            return by_label[typed]
        allowed = "/".join(value for value, _ in column.choices)
        number = _number(typed)
        if number is None:
            problems.append(f"{ref}: “{typed}” 不是数字")
            return None
        if all(number != Decimal(value) for value, _ in column.choices):
            problems.append(f"{ref}: {typed} 不是 {allowed} 之一")
            return None
        return typed
    if column.kind == AWARD:
        by_label = {label: key for key, label in AWARD_LABELS.items()}
        choices = [key for key, _ in column.choices]
        award = by_label.get(typed, typed)
        if award not in choices:
            shown = "/".join(AWARD_LABELS.get(key, key) for key in choices)
            problems.append(f"{ref}: “{typed}” 不是 {shown} 之一")
            return None
        return award
    if column.kind == BALLOTS:
        tokens = ballots_of(typed)
        ok = True
        for token in tokens:
            if column.labels:
                if token not in column.labels:
                    problems.append(f"{ref}: “{token}” 不是 {'/'.join(column.labels)} 之一")
                    ok = False
            elif not _score_ok(token, ref, problems):
                ok = False
        return " ".join(tokens) if ok else None
    return typed if _score_ok(typed, ref, problems) else None


def _score_ok(typed: str, ref: str, problems: list[str]) -> bool:
    number = _number(typed)
    if number is None:
        problems.append(f"{ref}: “{typed}” 不是数字")
        return False
    if not Decimal(0) <= number <= Decimal(100):
        problems.append(f"{ref}: {typed} 不在 0–100 之间")
        return False
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        problems.append(f"{ref}: {typed} 最多两位小数")
        return False
    return True


def _number(typed: str) -> Decimal | None:
    try:
        number = Decimal(typed)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _text(value: Any) -> str:
    """A cell's value as typed: numbers exactly as Excel shows them (a float by its
    shortest repr), text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()
