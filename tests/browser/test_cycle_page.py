"""The cycle page by role and the home page's progress, in a real browser: org_dept takes
a season from draft to published with the page's forms and buttons (this journey also
on PostgreSQL); each role sees its next step and only what it may read."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.browser.conftest import Live, Page, shot
from tests.conftest import store_agnostic
from tests.seasons import header

CYCLE = "t-performance-evaluation"


def _draft_season(live: Live) -> None:
    """A small performance-evaluation season in draft (two branches, no item yet), with
    the demo's `od` and `lg` accounts holding its org_dept and leading group."""
    units = [
        {"id": "U1", "name": "一支部", "category": "党支部"},
        {"id": "U2", "name": "二支部", "category": "党支部"},
    ]
    live.services.app.import_season(header("performance-evaluation", units), account="test")
    for name in ("od", "lg"):
        live.services.accounts.bind(name, CYCLE, name, by="test", reason="browser test")


def _fill(tab: Page, verb: str, values: dict[str, str]) -> None:
    """Opens the verb's form, fills it and posts it; back on the cycle page."""
    page = tab.tab
    page.click(f"#form-{verb} > summary")
    for name, value in values.items():
        field = page.locator(f"#{verb}-{name}")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        page.click(f"#form-{verb} button[type=submit]")


def _press(tab: Page, verb: str) -> None:
    with tab.tab.expect_navigation():
        tab.tab.click(f"button[data-verb={verb}]")


def _shot(tab: Page, name: str) -> None:
    """A screenshot once the page has settled (its favicon too: a request still under
    way when the test closes the tab counts as failed)."""
    tab.tab.wait_for_load_state("networkidle")
    shot(tab, name)


def _outcome(tab: Page) -> str:
    return tab.tab.inner_text("#outcome")


def _score_everything(live: Live) -> None:
    """The entry grid is another page's: the sheets go in through the application."""
    actions: list[dict[str, Any]] = []
    for unit in ("U1", "U2", "U3"):
        for method, by in (("self", f"u-{unit}"), ("org", "as"), ("social", "r")):
            actions.append(
                {
                    "do": "submit_sheet",
                    "by": by,
                    "unit": unit,
                    "method": method,
                    "scores": {"G1": Decimal("85"), "G2": "良"},
                }
            )
    live.services.app.act(CYCLE, actions, account="test")


def test_org_dept_takes_a_season_from_draft_to_published(tabs: Any, live: Live) -> None:
    _draft_season(live)
    od = tabs()
    od.sign_in("od")
    od.tab.goto(f"/c/{CYCLE}")
    assert "年初定项" in od.tab.inner_text(".next-step")
    _shot(od, "cycle-org_dept-draft")

    _fill(od, "add_unit", {"id": "U3", "name": "三支部", "category": "党支部"})
    assert _outcome(od) == "已完成：增加单位。"
    assert "三支部" in (od.tab.text_content("#units") or "")
    _fill(od, "add_actor", {"actor": "u-U3", "role": "unit", "unit": "U3"})
    assert "增加人员" in _outcome(od)
    _press(od, "publish_items")  # refused: no item yet, and nothing changes
    assert od.tab.get_attribute("#outcome", "role") == "alert"
    assert "发布考核项目未完成" in _outcome(od)
    _fill(
        od,
        "define_item",
        {"item": "G1", "title": "“三会一课”落实", "kind": "mandatory", "weight": "5"},
    )
    _fill(
        od,
        "define_item",
        {"item": "G2", "title": "党员教育", "kind": "mandatory", "weight": "3"},
    )
    assert od.tab.locator("#items tbody tr").count() == 2
    _press(od, "publish_items")
    assert _outcome(od) == "已完成：发布考核项目。"
    assert od.tab.get_attribute(".banner [aria-current=step]", "class") == "step current"
    _shot(od, "cycle-org_dept-in_progress")
    assert od.tab.locator("#form-add_unit").count() == 0  # units only in draft

    _press(od, "open_assessment")
    # What blocks close_scoring: grouped by scoring body, then by unit.
    blocking = od.tab.inner_text("#progress-title + p")
    assert "应录入 18 项，已录入 0 项" in blocking
    assert od.tab.locator("details.missing").count() == 3
    assert "U3 三支部" in od.tab.inner_text("details.missing")
    _shot(od, "cycle-org_dept-assessment")
    _press(od, "close_scoring")
    assert "结束评分未完成：尚未完成" in _outcome(od)

    _score_everything(live)
    od.tab.reload()
    assert od.tab.locator("details.missing").count() == 0
    assert "已录入 6 / 6" in od.tab.inner_text(".progress-list")
    _press(od, "close_scoring")
    assert _outcome(od) == "已完成：结束评分。"
    assert od.tab.locator("button[data-verb=publish_results]").count() == 0

    lg = tabs()
    lg.sign_in("lg")
    lg.tab.goto(f"/c/{CYCLE}")
    approval = lg.tab.locator("a[data-verb=approve_results]")
    assert approval.get_attribute("href") == f"/c/{CYCLE}/approval"
    assert lg.tab.locator("button[data-verb]").count() == 0  # org_dept's verbs are not lg's
    _shot(lg, "cycle-leading_group-review")
    # The approval page is another helper's: approve as the leading group does there.
    live.services.app.act(CYCLE, [{"do": "approve_results", "by": "lg"}], account="lg")

    od.tab.reload()
    _press(od, "publish_results")
    assert _outcome(od) == "已完成：公示结果。"
    assert "已公示" in od.tab.inner_text(".cycle-head .badge")
    assert od.tab.locator("button[data-verb=close_cycle]").count() == 1
    _shot(od, "cycle-org_dept-published")


@store_agnostic
def test_home_shows_progress_per_body_and_the_to_do_counts(tabs: Any, live: Live) -> None:
    expected = {"assessor": 4, "rater": 4, "unit": 2}  # 2025-T02's sheets left to enter
    for name, count in expected.items():
        tab = tabs()
        tab.sign_in(name)
        card = tab.tab.locator(".cycles li", has=tab.tab.locator("a[href='/c/2025-T02']"))
        assert card.locator(".todo").get_attribute("data-todo") == str(count)
        bars = card.locator(".progress-list li")
        assert bars.count() == 3  # self by units, org by assessors, social by raters
        assert "已录入 14 / 24" in card.inner_text()
        assert card.locator("progress").first.get_attribute("max") == "8"
        _shot(tab, f"home-{name}")
        tab.tab.goto("/c/2025-T02")
        assert tab.tab.locator(".next-step .todo").get_attribute("data-todo") == str(count)
        assert tab.tab.locator("a[href='/c/2025-T02/entry']").count() >= 1
        assert tab.tab.locator("button[data-verb]").count() == 0
        _shot(tab, f"cycle-{name}-assessment")


@store_agnostic
def test_a_unit_sees_no_other_unit_before_publication(tab: Page, live: Live) -> None:
    tab.sign_in("unit")
    tab.tab.goto("/c/2025-T02")
    # The structure lists every unit (SPEC §6.1); what each lacks is not a unit's to read.
    assert tab.tab.locator("details.missing").count() == 0
    assert "T02-03" not in tab.tab.inner_text(".next-step")
    assert tab.tab.locator("#actors").count() == 0  # the actors: read-everything roles
    assert "我的待办：2 项" in tab.tab.inner_text(".next-step")
    _shot(tab, "cycle-unit-assessment-own")


@store_agnostic
def test_org_dept_sees_what_blocks_close_scoring_in_the_demo(tab: Page, live: Live) -> None:
    tab.sign_in("od")
    tab.tab.goto("/c/2025-T02")
    groups = tab.tab.locator("details.missing")
    assert groups.count() == 3
    first = groups.first.inner_text()
    assert "考核评分单位：缺 4 项" in first and "T02-03" in first and "T02-04" in first
    assert tab.tab.locator("button[data-verb=close_scoring]").count() == 1
    _fill(tab, "retire_actor", {"actor": "soc", "reason": "评议机构更换"})
    assert _outcome(tab) == "已完成：停用人员。"
    assert "已停用" in (tab.tab.text_content("#actors") or "")
    _fill(tab, "add_actor", {"actor": "soc", "role": "rater"})  # an id in use: refused
    assert "增加人员未完成：已存在" in _outcome(tab)
    tab.tab.reload()
    assert tab.tab.locator("#outcome").count() == 0  # said once
    _shot(tab, "cycle-org_dept-demo-assessment")


@store_agnostic
def test_a_unit_after_publication_is_led_to_the_results_and_appeals(tab: Page, live: Live) -> None:
    tab.sign_in("town")  # 城关镇's actor in the city's published 2025 cycle
    tab.tab.goto("/c/2025-city")
    links = [tab.tab.locator(".links a").nth(i).get_attribute("href") for i in range(2)]
    assert links == ["/c/2025-city/results", "/c/2025-city/appeals"]
    _shot(tab, "cycle-unit-published")


@store_agnostic
def test_the_cycle_page_forms_need_their_token(tab: Page, live: Live) -> None:
    tab.sign_in("od")
    session = next(c for c in tab.context.cookies() if c["name"] == "assess_session")
    refused = httpx.post(
        f"{live.url}/c/2025-T02/do/close_scoring",
        cookies={"assess_session": session["value"]},
        follow_redirects=False,
    )
    assert refused.status_code == 403 and "安全令牌" in refused.text
    stages = {entry["cycle"]: entry["stage"] for entry in live.services.app.cycles()}
    assert stages["2025-T02"] == "assessment"
