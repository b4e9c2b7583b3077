"""The charts page: server-drawn SVG with a title, a description and the numbers as a
table; the distribution withheld from whoever may not read every unit's results."""

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


CYCLES = ("2025-leadership-team", "2025-group-party-org", "2025-performance-evaluation")


@store_agnostic
def test_charts_render_with_their_data_tables(tab: Page, live: Live) -> None:
    tab.sign_in("od")
    tab.tab.wait_for_load_state("networkidle")
    for cycle in CYCLES:
        go(tab, f"/c/{cycle}/charts")
        charts = tab.tab.locator("svg.chart")
        assert charts.count() >= 3  # completion, a distribution per category, histogram
        for chart in charts.all():
            assert chart.get_attribute("role") == "img"
            assert chart.locator("title").count() == 1 and chart.locator("desc").count() == 1
        assert tab.tab.locator("details table").count() == charts.count()
        shot(tab, f"charts-org_dept-{cycle}")
    # leadership-team's quotas: marked on the chart and listed in its table
    go(tab, "/c/2025-leadership-team/charts")
    assert tab.tab.locator("svg.chart line.quota").count() >= 2
    rows, _ = live.services.app.results_page("2025-leadership-team")
    tab.tab.locator("details summary").nth(1).click()
    table = tab.tab.locator("details table").nth(1)
    counted = sum(int(cell.inner_text()) for cell in table.locator("tbody td:nth-child(2)").all())
    town = [row for row in rows["results"] if row["category"] == rows["results"][0]["category"]]
    assert counted == len(town)


@store_agnostic
def test_a_unit_sees_the_distribution_only_once_published(tab: Page, live: Live) -> None:
    tab.sign_in("unit")
    tab.tab.wait_for_load_state("networkidle")
    unit = live.services.accounts.get("unit")
    for entry in live.services.app.cycles():
        if unit.actor_in(entry["cycle"]) is None:
            continue
        go(tab, f"/c/{entry['cycle']}/charts")
        published = entry["stage"] in ("published", "closed")
        withheld = tab.tab.locator("text=分布图只向有权查看全部结果的人员显示").count() == 1
        assert withheld == (not published), entry
        if published:
            assert tab.tab.locator("svg.chart").count() >= 3
        shot(tab, f"charts-unit-{entry['cycle']}")
