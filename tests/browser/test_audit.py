"""The audit pages of the console: the trail's filters and pages (htmx swaps the table),
verification with one click, a unit's own history."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Live, Page, shot
from tests.conftest import store_agnostic


def go(tab: Page, path: str) -> Any:
    """Open a page and let it settle (its favicon too: a request cut short by the next
    navigation counts as a failed one)."""
    response = tab.tab.goto(path)
    tab.tab.wait_for_load_state("networkidle")
    return response


CYCLE = "2025-leadership-team"


@store_agnostic
def test_an_auditor_verifies_with_one_click(tab: Page, live: Live) -> None:
    tab.sign_in("aud")
    tab.tab.wait_for_load_state("networkidle")
    go(tab, f"/c/{CYCLE}/audit")
    tab.tab.click("text=校验数据完整性")
    tab.tab.wait_for_url(f"**/c/{CYCLE}/verify")
    tab.tab.wait_for_load_state("networkidle")
    tab.tab.click("#run-verify")
    verdict = tab.tab.locator(".verdict")
    verdict.wait_for()
    assert "校验通过" in verdict.inner_text()
    versions = live.services.app.inspect(CYCLE, lambda cycle: len(cycle.versions))
    checked = tab.tab.locator("table.checks tbody tr")
    shown = {row.get_attribute("data-version") for row in checked.all()}
    assert shown == {str(v) for v in range(1, versions + 1)}  # every version's digest
    assert tab.tab.locator("table.checks tr[data-matched=no]").count() == 0
    head = tab.tab.inner_text("#chain-head")
    events = live.services.app.events_of(CYCLE)
    assert head == events[-1].chain
    shot(tab, "verify-auditor")


@store_agnostic
def test_audit_filters_and_pages(tab: Page, live: Live) -> None:
    tab.sign_in("od")
    tab.tab.wait_for_load_state("networkidle")
    go(tab, f"/c/{CYCLE}/audit")
    _, total = live.services.app.audit(CYCLE)
    assert f"共 {total} 条记录" in tab.tab.inner_text("#audit-table [role=status]")
    assert tab.tab.locator("table.audit tbody tr").count() == min(total, 50)
    shot(tab, "audit-org_dept")
    # the next page, swapped in by htmx, the address kept for the back button
    tab.tab.click("[data-page=next]")
    tab.tab.wait_for_url("**offset=50*")
    tab.tab.wait_for_load_state("networkidle")
    first = tab.tab.locator("table.audit tbody tr").first
    assert first.get_attribute("data-position") == "51"
    assert tab.tab.locator("h1").count() == 1  # a fragment, not a page in the page
    # a verb filter, by its Chinese label
    tab.tab.select_option("#f-verb", label="提交测评票")
    tab.tab.click("form.filters button[type=submit]")
    tab.tab.wait_for_url("**verb=submit_ballots*")
    tab.tab.wait_for_load_state("networkidle")
    verbs = {cell.get_attribute("data-verb") for cell in tab.tab.locator("td[data-verb]").all()}
    assert verbs == {"submit_ballots"}
    _, ballots = live.services.app.audit(CYCLE, verb="submit_ballots")
    assert f"共 {ballots} 条记录" in tab.tab.inner_text("#audit-table [role=status]")
    # by account: the demo's events were recorded by the server's account
    go(tab, f"/c/{CYCLE}/audit?account=nobody")
    assert "共 0 条记录" in tab.tab.inner_text("#audit-table [role=status]")
    go(tab, f"/c/{CYCLE}/audit?account=server:demo&until=2000-01-01")
    assert "共 0 条记录" in tab.tab.inner_text("#audit-table [role=status]")
    # a bad date: one line beside the form, said in Chinese
    go(tab, f"/c/{CYCLE}/audit?since=2025-13-01")
    assert "起始日期" in tab.tab.inner_text("#audit-table [role=alert]")


@store_agnostic
def test_a_unit_reads_its_own_events_and_history_only(tab: Page, live: Live) -> None:
    tab.sign_in("unit")
    tab.tab.wait_for_load_state("networkidle")
    go(tab, f"/c/{CYCLE}/audit")
    assert tab.tab.input_value("#f-unit") == "T0000"
    _, own = live.services.app.audit(CYCLE, unit="T0000")
    assert f"共 {own} 条记录" in tab.tab.inner_text("#audit-table [role=status]")
    shot(tab, "audit-unit")
    refused = go(tab, f"/c/{CYCLE}/audit?unit=T0001")
    assert refused is not None and refused.status == 403
    refused = go(tab, f"/c/{CYCLE}/verify")
    assert refused is not None and refused.status == 403
    go(tab, "/history/T0000")
    assert tab.tab.locator("tbody tr[data-cycle]").count() >= 1
    shot(tab, "history-unit")
