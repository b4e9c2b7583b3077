"""Appeals in the browser: after publication a unit sees the ranking and files an appeal
within the window (the days left shown); org_dept previews the answer (nothing stored)
and upholds it with a correction; the unit follows its appeal to the answer."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Live, shot
from tests.browser.test_review import CYCLE, review_season, versions
from tests.conftest import store_agnostic

APPROVE = {"do": "approve_results", "by": "lg"}
PUBLISH = {"do": "publish_results", "by": "od"}  # undated: the window counts from today


@store_agnostic
def test_a_unit_files_an_appeal_and_org_dept_upholds_it_after_a_preview(
    tabs: Any, live: Live
) -> None:
    review_season(live, APPROVE, PUBLISH)
    unit = tabs()
    unit.sign_in("unit")
    page = unit.tab
    page.goto(f"/c/{CYCLE}/results")
    assert page.locator("table.results tbody tr").count() == 4  # published: every unit
    shot(unit, "results-unit-published")
    page.goto(f"/c/{CYCLE}/appeals")
    assert "还剩 30 天" in page.inner_text(".window")
    page.click("#file-appeal button[type=submit]")  # no reason: refused, nothing stored
    assert "reason" in page.inner_text("[role=alert]")
    assert live.services.app.cycle(CYCLE).appeals == {}
    shot(unit, "appeals-unit-refused")
    page.fill("#appeal-reason", "年终考核分数录入有误，请予复核。")
    page.click("#file-appeal button[type=submit]")
    page.wait_for_url("**/appeals/AP-P1-1?done=file_appeal")
    assert page.inner_text("#appeal-status") == "待答复"
    shot(unit, "appeal-unit-pending")
    page.set_viewport_size({"width": 390, "height": 844})  # a secretary's phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(unit, "appeal-unit-phone")
    page.goto(f"/c/{CYCLE}/results")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(unit, "results-unit-phone")

    office = tabs()
    office.sign_in("od")
    page = office.tab
    page.goto(f"/c/{CYCLE}/appeals")
    assert "AP-P1-1" in page.inner_text("table")
    shot(office, "appeals-org_dept")
    page.click("text=AP-P1-1")
    page.select_option("#c0_kind", "score")
    page.select_option("#c0_component", "year_end")
    page.fill("#c0_value", "99")
    page.click("#preview-button")
    page.wait_for_selector("#preview h3")
    preview = page.inner_text("#preview")
    assert "预览（未保存）" in preview and "99.00" in preview
    assert versions(live) == 1 and live.services.app.cycle(CYCLE).appeals["AP-P1-1"]["status"] == (
        "pending"
    )
    shot(office, "appeal-org_dept-preview")
    page.click("#resolve-button")  # no answer yet: refused, what was typed kept
    assert "answer" in page.inner_text("#resolve-error")
    assert page.input_value("#c0_value") == "99"
    assert versions(live) == 1
    page.fill("#answer", "经复核，年终考核分数更正为 99 分。")
    page.click("#resolve-button")
    page.wait_for_url("**done=resolve_appeal")
    assert page.inner_text("#appeal-status") == "已支持"
    assert versions(live) == 2
    shot(office, "appeal-org_dept-upheld")

    page = unit.tab
    page.goto(f"/c/{CYCLE}/appeals/AP-P1-1")
    assert page.inner_text("#appeal-status") == "已支持"
    answer = page.inner_text("#answer-title ~ dl")
    assert "更正为 99 分" in answer and "第 2 版" in answer
    assert page.locator("#resolve").count() == 0  # a unit does not answer
    shot(unit, "appeal-unit-upheld")


@store_agnostic
def test_a_unit_reads_only_its_own_appeals_and_a_rater_none(tabs: Any, live: Live) -> None:
    review_season(live, APPROVE, PUBLISH)
    live.services.app.act(
        CYCLE,
        [{"do": "file_appeal", "by": "u-P2", "appeal": "AP-P2-1", "reason": "复核"}],
        account="test",
    )
    unit = tabs()
    unit.sign_in("unit")
    unit.tab.goto(f"/c/{CYCLE}/appeals")
    assert "AP-P2-1" not in unit.tab.inner_text("main")
    assert unit.tab.request.get(f"/c/{CYCLE}/appeals/AP-P2-1").status == 404
    rater = tabs()
    rater.sign_in("rater")
    assert rater.tab.request.get(f"/c/{CYCLE}/appeals").status == 403
    assert rater.tab.request.get(f"/c/{CYCLE}/results").status == 200  # published
