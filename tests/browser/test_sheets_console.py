"""Excel in the console (issue 14): an assessor downloads the template, fills it with
openpyxl and uploads it (a bad cell: every problem listed and nothing stored; then good
values: stored); the results and audit trail as workbooks within the reading rights; the
statistics on the charts page."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.browser.conftest import Live, Page, shot
from tests.conftest import store_agnostic

CYCLE = "2025-T02"  # still being scored: the demo's `assessor` is as0 in it


def go(tab: Page, path: str) -> Any:
    response = tab.tab.goto(path)
    tab.tab.wait_for_load_state("networkidle")
    return response


def _open_cells(book: Any) -> list[Any]:
    """The cells the actor may fill (unlocked) on every visible sheet."""
    return [
        cell
        for sheet in book.worksheets
        if sheet.sheet_state == "visible"
        for row in sheet.iter_rows(min_row=3)
        for cell in row
        if cell.protection.locked is False
    ]


def _download(tab: Page, selector: str, folder: Path) -> bytes:
    with tab.tab.expect_download() as info:
        tab.tab.click(selector)
    path = folder / info.value.suggested_filename
    info.value.save_as(str(path))
    return path.read_bytes()


def _upload(tab: Page, data: bytes, folder: Path, name: str) -> None:
    path = folder / name
    path.write_bytes(data)
    tab.tab.set_input_files("#sheet-file", str(path))
    with tab.tab.expect_navigation():
        tab.tab.click("#sheet-submit")
    tab.tab.wait_for_load_state("networkidle")


def _saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@store_agnostic
def test_an_assessor_fills_the_template_and_uploads_it(
    tab: Page, live: Live, tmp_path: Path
) -> None:
    app = live.services.app
    tab.sign_in("assessor")
    go(tab, f"/c/{CYCLE}/entry")
    shot(tab, "sheets-entry-assessor")
    template = _download(tab, "#template-link", tmp_path)
    book = load_workbook(io.BytesIO(template))
    cells = _open_cells(book)
    assert len(cells) >= 2
    before = len(app.events_of(CYCLE))

    # two bad cells: both listed with sheet and cell, nothing stored
    first, second = cells[0], cells[1]
    first.value = "很好"
    second.value = 150
    _upload(tab, _saved(book), tmp_path, "bad.xlsx")
    alert = tab.tab.locator("#sheet-problems")
    assert alert.get_attribute("role") == "alert"
    problems = alert.locator("li").all_inner_texts()
    assert len(problems) >= 2, problems
    assert any(f"{first.parent.title}!{first.coordinate}" in p for p in problems), problems
    assert any(f"{second.parent.title}!{second.coordinate}" in p for p in problems), problems
    assert len(app.events_of(CYCLE)) == before
    shot(tab, "sheets-upload-refused-assessor")

    # good values in every open cell: stored as one batch
    book = load_workbook(io.BytesIO(template))
    for cell in _open_cells(book):
        cell.value = 85  # a fixed point here (100/85/70/40)
    _upload(tab, _saved(book), tmp_path, "good.xlsx")
    assert tab.tab.locator("#sheet-problems").count() == 0, tab.tab.inner_text("main")
    assert "已保存" in tab.tab.inner_text("#sheet-stored")
    assert len(app.events_of(CYCLE)) > before
    shot(tab, "sheets-upload-stored-assessor")


@store_agnostic
def test_the_results_and_audit_workbooks_follow_the_reading_rights(
    tabs: Any, live: Live, tmp_path: Path
) -> None:
    cycle = "2025-leadership-team"
    app = live.services.app
    od = tabs()
    od.sign_in("od")
    go(od, f"/c/{cycle}/results")
    shot(od, "sheets-results-org_dept")
    data = _download(od, "#results-xlsx", tmp_path)
    book = load_workbook(io.BytesIO(data))
    summary = book.worksheets[0]
    document = app.results(cycle)
    headers = [cell.value for cell in summary[1]]
    assert "单位编号" in headers or any("单位" in str(h) for h in headers), headers
    found = {str(cell.value) for row in summary.iter_rows(min_row=2) for cell in row}
    for row in document["results"]:
        assert row["unit"] in found
    go(od, f"/c/{cycle}/audit")
    audit = load_workbook(io.BytesIO(_download(od, "#audit-xlsx", tmp_path)))
    assert audit.worksheets[0].max_row > 1

    # a rater of a cycle before publication: no workbook of everything
    rater = tabs()
    rater.sign_in("rater")
    response = go(rater, f"/c/{CYCLE}/results.xlsx")
    assert response is not None and response.status == 403
    # a unit: the audit workbook of its own unit only
    unit = tabs()
    unit.sign_in("unit")
    go(unit, f"/c/{CYCLE}/audit")
    own = load_workbook(io.BytesIO(_download(unit, "#audit-xlsx", tmp_path)))
    sheet = own.worksheets[0]
    columns = [cell.value for cell in sheet[1]]
    if "单位" in columns:
        at = columns.index("单位")
        units = {row[at].value for row in sheet.iter_rows(min_row=2)} - {None, ""}
        assert units <= {"T02-01"}, units


@store_agnostic
def test_the_charts_page_shows_the_statistics(tab: Page, live: Live) -> None:
    tab.sign_in("od")
    for cycle in ("2025-leadership-team", "2025-performance-evaluation"):
        go(tab, f"/c/{cycle}/charts")
        section = tab.tab.locator("#statistics")
        assert section.count() == 1
        table = tab.tab.locator("#stats-categories")
        assert table.locator("tbody tr").first.locator("th").inner_text() == "全部单位"
        assert tab.tab.locator("#stats-lean tbody tr").count() >= 1
        shot(tab, f"sheets-statistics-org_dept-{cycle}")
    # leadership-team: quota columns; the lean rows largest |lean| first
    go(tab, "/c/2025-leadership-team/charts")
    assert tab.tab.locator("#stats-categories th", has_text="优秀名额").count() == 1
    leans = [
        abs(Decimal(text))
        for text in tab.tab.locator("#stats-lean tbody tr td:nth-child(7)").all_inner_texts()
    ]
    assert leans == sorted(leans, reverse=True)
    # performance-evaluation: the self-evaluation gaps heading
    go(tab, "/c/2025-performance-evaluation/charts")
    assert tab.tab.locator("#stats-gap-h").count() == 1
