"""Results, review and approval in the browser: the review forms refuse a missing reason
with the server's message and store nothing; the leading group approves after seeing
the version diff and the digest it signs off; before publication a unit sees no other
unit's figures in any page or fragment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from tests.browser.conftest import Live, Page, shot
from tests.conftest import store_agnostic
from tests.seasons import CLOSE, group_season, with_actions

CYCLE = "t-group-party-org"
SCORES = {  # unit: (research_h1, research_h2, year_end)
    "P1": ("90", "92", "95"),
    "P2": ("61", "63", "67"),
    "P3": ("52", "54", "58"),
    "P4": ("76", "78", "79"),
}
# demo account -> the actor it holds in the test's cycle
HOLDS = {"od": "od", "lg": "lg", "aud": "aud", "assessor": "as", "rater": "r", "unit": "u-P1"}


def review_season(live: Live, *actions: dict[str, Any]) -> str:
    """Scheme A with four units, scoring closed (version 1), then `actions`; the demo
    accounts bound to its actors (the `unit` account to P1)."""
    season = with_actions(group_season(SCORES), CLOSE, *actions)
    services = live.services
    services.app.import_season(season, account="test")
    for name, actor in HOLDS.items():
        services.accounts.bind(name, CYCLE, actor)
    return CYCLE


def versions(live: Live) -> int:
    return len(live.services.app.cycle(CYCLE).versions)


@store_agnostic
def test_a_review_form_without_a_reason_is_refused_and_stores_nothing(
    tab: Page, live: Live
) -> None:
    review_season(live)
    tab.sign_in("lg")
    page = tab.tab
    page.goto(f"/c/{CYCLE}/results")
    assert page.locator("table.results tbody tr").count() == 4
    shot(tab, "results-leading_group")
    form = page.locator("#form-apply_veto")
    form.locator("select[name=unit]").select_option("P3")
    form.locator("button[type=submit]").click()
    alert = page.locator("#form-apply_veto [role=alert]")
    assert "理由" in alert.inner_text()
    assert versions(live) == 1  # nothing stored
    shot(tab, "results-leading_group-refused")
    form = page.locator("#form-apply_veto")
    assert form.locator("select[name=unit]").input_value() == "P3"  # kept as sent
    form.locator("textarea[name=reason]").fill("受到上级通报批评，经研究一票否决")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**done=apply_veto**")
    assert "已一票否决" in page.inner_text("[role=status]")
    assert versions(live) == 2
    vetoed = page.locator("table.results tr.vetoed")
    assert vetoed.count() == 1 and "P3" in vetoed.inner_text()
    assert "一票否决" in vetoed.inner_text()


@store_agnostic
def test_the_leading_group_approves_after_seeing_the_diff_and_the_digest(
    tabs: Any, live: Live
) -> None:
    review_season(
        live, {"do": "apply_veto", "by": "lg", "unit": "P3", "basis": "other", "reason": "违纪"}
    )
    office = tabs()
    office.sign_in("od")
    page = office.tab
    page.goto(f"/c/{CYCLE}/results")
    shot(office, "results-org_dept")
    form = page.locator("#form-correct_score")
    form.locator("select[name=unit]").select_option("P2")
    form.locator("select[name=component]").select_option("year_end")
    form.locator("input[name=value]").fill("71.5")
    form.locator("textarea[name=reason]").fill("年终考核材料补交后复核")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**done=correct_score**")
    assert versions(live) == 3
    # the version picker shows a past version, through htmx, in place
    page.select_option("#version", "1")
    page.click(".filters button")
    page.wait_for_url("**version=1**")
    assert "第 1 版（历史版本）" in page.inner_text("#results-table")
    assert page.locator("table.results tr.vetoed").count() == 0

    group = tabs()
    group.sign_in("lg")
    page = group.tab
    page.goto(f"/c/{CYCLE}/approval")
    latest = live.services.app.results(CYCLE)
    assert page.inner_text("#signed-digest") == latest["digest"]
    assert page.inner_text("#chain-head") == live.services.app.cycle(CYCLE).head
    diff = page.inner_text("table.changes")
    assert "P3" in diff and "一票否决" in diff and "违纪" in diff  # the veto and its reason
    assert "P2" in diff and "71.50" in diff and "年终考核材料补交后复核" in diff
    shot(group, "approval-leading_group")
    page.click("text=审定第 3 版结果")
    page.wait_for_url("**done=approve_results**")
    assert "已审定结果" in page.inner_text("[role=status]")
    assert "已审定" in page.inner_text("dl.facts")
    stored = live.services.app.cycle(CYCLE)
    assert stored.stage == "approved"
    rows, _ = live.services.app.audit(CYCLE, verb="approve_results")
    assert rows and rows[0]["account"] == "lg"
    shot(group, "approval-leading_group-approved")

    page = office.tab  # org_dept publishes from the same page
    page.goto(f"/c/{CYCLE}/approval")
    shot(office, "approval-org_dept")
    page.click("text=公示结果")
    page.wait_for_url("**done=publish_results**")
    assert live.services.app.cycle(CYCLE).stage == "published"


@store_agnostic
def test_an_approval_of_a_version_not_seen_is_refused(tabs: Any, live: Live) -> None:
    review_season(live)
    group = tabs()
    group.sign_in("lg")
    group.tab.goto(f"/c/{CYCLE}/approval")
    live.services.app.act(  # a correction lands while the page is open
        CYCLE,
        [
            {
                "do": "correct_score",
                "by": "od",
                "unit": "P4",
                "component": "year_end",
                "value": Decimal("80"),
                "reason": "复核",
            }
        ],
        account="od",
    )
    group.tab.click("text=审定第 1 版结果")
    assert "新版本" in group.tab.inner_text("[role=alert]")
    assert live.services.app.cycle(CYCLE).stage == "review"


@store_agnostic
def test_review_forms_without_their_token_are_refused(tab: Page, live: Live) -> None:
    review_season(live)
    tab.sign_in("lg")
    session = next(c for c in tab.context.cookies() if c["name"] == "assess_session")
    cookies = {"assess_session": session["value"]}
    for path, data in (
        (f"/c/{CYCLE}/review/apply_veto", {"unit": "P2", "basis": "other", "reason": "x"}),
        (f"/c/{CYCLE}/approval/approve_results", {"digest": "x"}),
        (f"/c/{CYCLE}/appeals", {"reason": "x"}),
        (f"/c/{CYCLE}/appeals/AP-1/preview", {}),
        (f"/c/{CYCLE}/appeals/AP-1/resolve", {"answer": "x"}),
    ):
        refused = httpx.post(live.url + path, cookies=cookies, data=data)
        assert refused.status_code == 403 and "安全令牌" in refused.text, path
    assert versions(live) == 1


def _other_units_figures(live: Live, own: str) -> tuple[set[str], set[str]]:
    """The names and figures of every unit but `own` that `own`'s figures do not share."""
    rows = live.services.app.results(CYCLE)["results"]
    mine = next(row for row in rows if row["unit"] == own)
    own_figures = {mine["score"], mine["final"], *mine["components"].values()}
    names, figures = set(), set()
    for row in rows:
        if row["unit"] == own:
            continue
        names.add(row["name"])
        figures |= {row["score"], row["final"], *row["components"].values()} - own_figures
    return names, figures


@store_agnostic
def test_a_unit_before_publication_sees_no_other_units_figures(tab: Page, live: Live) -> None:
    review_season(live)
    names, figures = _other_units_figures(live, "P1")
    tab.sign_in("unit")
    page = tab.tab
    page.goto(f"/c/{CYCLE}/results")
    assert page.locator("table.results tbody tr").count() == 1
    assert "P1党委" in page.inner_text("table.results")
    shot(tab, "results-unit-before-publication")
    base = f"/c/{CYCLE}"
    fragment = {"HX-Request": "true"}
    figure_pages = [
        (f"{base}/results", {}),
        (f"{base}/results?category=直属", {}),
        (f"{base}/results?version=1&page=1", fragment),
        (f"{base}/results?category=直属&page=2", fragment),
        (f"{base}/results.csv", {}),
        (f"{base}/results.csv?version=1", {}),
        (f"{base}/approval", {}),
        (f"{base}/appeals", {}),
        (f"{base}/appeals/AP-P2-1", {}),
        (f"{base}/audit", {}),
        (f"{base}/audit?unit=P2", {}),
        (f"{base}/audit?unit=P2", fragment),
        (f"{base}/charts", {}),
        (f"{base}/verify", {}),
        (f"{base}/entry", {}),
    ]
    # The overview shows the cycle's structure, units' names included, which SPEC §6.1
    # gives every actor: there only figures must not show.
    structure_pages = [(base, {})]
    for path, headers in figure_pages + structure_pages:
        answer = page.request.get(path, headers=headers)
        body = answer.text()
        secret = figures if (path, headers) in structure_pages else names | figures
        leaked = [text for text in secret if text in body]
        assert leaked == [], (path, answer.status, leaked)
    assert page.request.get(f"{base}/approval").status == 403
