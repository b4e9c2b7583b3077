"""Score entry in the browser: the grid shows only what the actor may enter, a bad cell
is refused by the server with nothing stored, spreadsheet keys move the focus, and each
scheme's entries (components, item sheets, ballots, fixed points) are saved as one batch."""

from __future__ import annotations

from typing import Any

from assess.application.structure import todo
from tests.browser.conftest import Live, Page, shot
from tests.conftest import store_agnostic
from tests.seasons import header

PASSWORD = "entry-password-1"
OPEN = [{"do": "publish_items", "by": "od"}, {"do": "open_assessment", "by": "od"}]


def _cycle(live: Live, scheme: str, units: list[dict[str, Any]], **extra: Any) -> str:
    season = header(scheme, units, **extra)
    cycle = f"e-{scheme}"
    season["cycle"]["id"] = cycle
    live.services.app.import_season(season)
    return cycle


def _account(live: Live, name: str, cycle: str, actor: str) -> None:
    accounts = live.services.accounts
    if accounts.get(name) is None:
        accounts.add(name, PASSWORD, actors={cycle: actor})
    else:
        accounts.bind(name, cycle, actor)


def _group(live: Live) -> str:
    units = [{"id": f"P{i}", "name": f"第{i}党委", "category": "直属"} for i in range(1, 4)]
    return _cycle(live, "group-party-org", units, actions=list(OPEN))


def _leadership(live: Live) -> str:
    units = [
        {"id": "T1", "name": "城关镇", "category": "town"},
        {"id": "M1", "name": "市教育局", "category": "municipal"},
    ]
    items = [
        ("K1", "党建责任制", "org_dept", "all"),
        ("K2", "机关党建", "municipal_work_committee", "municipal"),
    ]
    actions = [
        {
            "do": "define_item",
            "by": "od",
            "item": item,
            "title": title,
            "kind": "key",
            "body": body,
            "applies_to": applies_to,
        }
        for item, title, body, applies_to in items
    ]
    actors = [{"id": "as-org", "role": "assessor", "body": "org_dept"}]
    return _cycle(live, "leadership-team", units, actions=actions + OPEN, actors=actors)


def _performance(live: Live) -> str:
    units = [{"id": f"O{i}", "name": f"第{i}支部", "category": "支部"} for i in range(1, 3)]
    actions = [
        {"do": "define_item", "by": "od", "item": f"G{i}", "title": title, "kind": "mandatory"}
        | {"weight": weight}
        for i, (title, weight) in enumerate((("规定一", 5), ("规定二", 3)), start=1)
    ]
    return _cycle(live, "performance-evaluation", units, actions=actions + OPEN)


def _events(live: Live, cycle: str) -> int:
    return int(live.services.app.inspect(cycle, lambda c: c.version))


def _todo(tab: Page, live: Live | None = None, cycle: str = "", actor: str = "") -> int:
    shown = int(tab.tab.get_attribute("#entry-todo", "data-todo") or "0")
    if live is not None:  # the grid's count is SPEC §6.1's to-do
        assert shown == len(todo(live.services.app, cycle, actor)["missing"])
    return shown


def _cell(tab: Page, label: str) -> Any:
    return tab.tab.get_by_label(label, exact=True)


def _save(tab: Page) -> None:
    with tab.tab.expect_response(lambda r: r.request.method == "POST"):
        tab.tab.click("button.save")
    tab.tab.wait_for_selector("#entry-area [role=status], #entry-area [role=alert]")


@store_agnostic
def test_a_bad_cell_is_refused_with_nothing_stored_then_fixed(tab: Page, live: Live) -> None:
    cycle = _group(live)
    _account(live, "e-assessor", cycle, "as")
    tab.sign_in("e-assessor", PASSWORD)
    tab.tab.goto(f"/c/{cycle}/entry")
    assert _todo(tab) == 9  # 3 units × 3 components
    # 3 rows × 3 components, each with its accessible label (unit + component)
    assert tab.tab.locator("table.grid td.cell input").count() == 9
    _cell(tab, "第1党委（P1） 上半年调研").fill("88.5")
    _cell(tab, "第1党委（P1） 年终考核").fill("91")
    bad = _cell(tab, "第2党委（P2） 年终考核")
    bad.fill("100.5")
    assert bad.get_attribute("aria-invalid") == "true"  # flagged as typed
    before = _events(live, cycle)
    _save(tab)
    # the server refused the batch: nothing stored, the bad cell named and kept
    assert _events(live, cycle) == before
    refused = tab.tab.locator("td.refused")
    assert refused.count() == 1
    assert "100.5" in refused.locator(".cell-error").inner_text()
    assert "均未保存" in tab.tab.inner_text("#entry-refusal")
    assert _cell(tab, "第2党委（P2） 年终考核").input_value() == "100.5"
    assert _cell(tab, "第1党委（P1） 上半年调研").input_value() == "88.5"  # typed values kept
    assert tab.tab.evaluate("document.activeElement.id") == refused.locator("input").get_attribute(
        "id"
    )
    assert tab.tab.locator("h1").count() == 1  # the fragment replaced the area, no more
    shot(tab, "entry-assessor-refused")
    _cell(tab, "第2党委（P2） 年终考核").fill("90")
    _save(tab)
    assert "已保存 3 项" in tab.tab.inner_text("[role=status]")
    assert _events(live, cycle) == before + 3
    assert _todo(tab, live, cycle, "as") == 6
    assert _cell(tab, "第2党委（P2） 年终考核").input_value() == "90"
    stored = live.services.app.inspect(cycle, lambda c: dict(c.scores["P1"]))
    assert stored == {"research_h1": "88.5", "year_end": "91"}
    # saving again with nothing changed stores nothing
    _save(tab)
    assert "没有需要保存的修改" in tab.tab.inner_text("[role=status]")
    assert _events(live, cycle) == before + 3
    shot(tab, "entry-assessor")


@store_agnostic
def test_deductions_on_the_negative_list(tab: Page, live: Live) -> None:
    cycle = _group(live)
    _account(live, "e-assessor", cycle, "as")
    tab.sign_in("e-assessor", PASSWORD)
    tab.tab.goto(f"/c/{cycle}/entry")
    tab.tab.select_option("#ded-unit", "P3")
    tab.tab.select_option("#ded-component", "year_end")
    tab.tab.select_option("select[name=ded_area_0]", "conduct")
    tab.tab.fill("input[name=ded_points_0]", "2.5")
    tab.tab.fill("input[name=ded_reason_0]", "台账不全")
    _save(tab)
    assert "已保存 1 项" in tab.tab.inner_text("[role=status]")
    assert _cell(tab, "第3党委（P3） 年终考核").input_value() == "97.50"


@store_agnostic
def test_keyboard_moves_like_a_spreadsheet(tab: Page, live: Live) -> None:
    cycle = _group(live)
    _account(live, "e-assessor", cycle, "as")
    tab.sign_in("e-assessor", PASSWORD)
    tab.tab.goto(f"/c/{cycle}/entry")
    keys = tab.tab.keyboard

    def focused() -> str:
        return str(tab.tab.evaluate("document.activeElement.getAttribute('aria-label')"))

    _cell(tab, "第1党委（P1） 上半年调研").focus()
    keys.press("ArrowRight")
    assert focused() == "第1党委（P1） 下半年调研"
    keys.press("ArrowDown")
    assert focused() == "第2党委（P2） 下半年调研"
    keys.press("Enter")  # down, and no submission
    assert focused() == "第3党委（P3） 下半年调研"
    keys.press("ArrowUp")
    keys.press("ArrowLeft")
    assert focused() == "第2党委（P2） 上半年调研"
    keys.press("Tab")
    assert focused() == "第2党委（P2） 下半年调研"
    keys.type("87")  # the caret is at the end: ArrowLeft moves within the text first
    keys.press("ArrowLeft")
    assert focused() == "第2党委（P2） 下半年调研"
    keys.press("End")
    keys.press("ArrowRight")
    assert focused() == "第2党委（P2） 年终考核"
    assert tab.tab.locator("[role=status]").count() == 0  # Enter did not save


@store_agnostic
def test_leadership_team_bodies_ballots_and_units(tabs: Any, live: Live) -> None:
    cycle = _leadership(live)
    _account(live, "e-assessor", cycle, "as-org")
    _account(live, "e-rater", cycle, "r")
    _account(live, "e-unit", cycle, "u-M1")
    _account(live, "e-town", cycle, "u-T1")
    assessor, rater, unit, town = tabs(), tabs(), tabs(), tabs()
    # an assessor of the org_dept body: the award and K1, not K2 (another body's item)
    assessor.sign_in("e-assessor", PASSWORD)
    assessor.tab.goto(f"/c/{cycle}/entry")
    headers = assessor.tab.inner_text("table.grid thead")
    assert "K1" in headers and "K2" not in headers and "测评票" not in headers
    assessor.tab.select_option("[aria-label='城关镇（T1） 年度工作考评综合奖']", "first")
    _cell(assessor, "城关镇（T1） 党建责任制（K1）").fill("95")
    _cell(assessor, "市教育局（M1） 党建责任制（K1）").fill("88.25")
    _save(assessor)
    assert "已保存 3 项" in assessor.tab.inner_text("[role=status]")
    shot(assessor, "entry-assessor-leadership-team")
    # the rater: ballot sets only, debrief ratings for the town, scores for the municipal
    rater.sign_in("e-rater", PASSWORD)
    rater.tab.goto(f"/c/{cycle}/entry")
    assert "K1" not in rater.tab.inner_text("table.grid thead")
    debrief = _cell(rater, "城关镇（T1） 述职评议测评票")
    debrief.fill("好 较好 优")
    assert debrief.get_attribute("aria-invalid") == "true"
    before = _events(live, cycle)
    _save(rater)
    assert _events(live, cycle) == before
    assert "优" in rater.tab.inner_text("td.refused")
    _cell(rater, "城关镇（T1） 述职评议测评票").fill("好 较好 好")
    _cell(rater, "市教育局（M1） 民主测评（干部职工）测评票").fill("90, 85.5 88")
    _save(rater)
    assert "已保存 2 项" in rater.tab.inner_text("[role=status]")
    assert _todo(rater, live, cycle, "r") == 1  # M1's democratic_self: a rater may give it too
    ballots = live.services.app.inspect(cycle, lambda c: c.ballots["T1"]["debrief"]["r"])
    assert ballots == ["好", "较好", "好"]
    shot(rater, "entry-rater-leadership-team")
    # a municipal unit: its own democratic self-evaluation, nothing of another unit
    unit.sign_in("e-unit", PASSWORD)
    unit.tab.goto(f"/c/{cycle}/entry")
    assert unit.tab.locator("table.grid tbody tr").count() == 1
    grid = unit.tab.inner_text("table.grid")
    assert "市教育局" in grid and "城关镇" not in grid and "88.25" not in grid
    _cell(unit, "市教育局（M1） 民主测评（班子自评）测评票").fill("92 94")
    _save(unit)
    assert "已保存 1 项" in unit.tab.inner_text("[role=status]")
    shot(unit, "entry-unit-leadership-team")
    # a town unit gives nothing in this scheme
    town.sign_in("e-town", PASSWORD)
    town.tab.goto(f"/c/{cycle}/entry")
    assert town.tab.locator("table.grid").count() == 0
    assert "没有可录入的内容" in town.tab.inner_text("#entry-area")


@store_agnostic
def test_performance_evaluation_methods_by_role(tabs: Any, live: Live) -> None:
    cycle = _performance(live)
    _account(live, "e-assessor", cycle, "as")
    _account(live, "e-rater", cycle, "r")
    _account(live, "e-unit", cycle, "u-O1")
    assessor, rater, unit = tabs(), tabs(), tabs()
    for person, name in ((assessor, "e-assessor"), (rater, "e-rater"), (unit, "e-unit")):
        person.sign_in(name, PASSWORD)
        person.tab.goto(f"/c/{cycle}/entry")
    # each role sees its own method only, as fixed points to choose
    assert "组织评价" in assessor.tab.inner_text("table.grid thead")
    assert "社会评价" not in assessor.tab.inner_text("table.grid thead")
    assert "社会评价" in rater.tab.inner_text("table.grid thead")
    assert "自我评价" in unit.tab.inner_text("table.grid thead")
    assert unit.tab.locator("table.grid tbody tr").count() == 1
    assert "第2支部" not in unit.tab.inner_text("table.grid")
    options = assessor.tab.locator("[aria-label='第1支部（O1） 规定一（G1） · 组织评价'] option")
    assert options.all_inner_texts() == [
        "（未录入）",
        "优（100）",
        "良（85）",
        "中（70）",
        "差（40）",
    ]
    for person, method in ((assessor, "组织评价"), (rater, "社会评价")):
        for unit_label in ("第1支部（O1）", "第2支部（O2）"):
            for item in ("规定一（G1）", "规定二（G2）"):
                person.tab.select_option(f"[aria-label='{unit_label} {item} · {method}']", "85")
        _save(person)
        assert "已保存 4 项（2 条记录）" in person.tab.inner_text("[role=status]")
    unit.tab.select_option("[aria-label='第1支部（O1） 规定一（G1） · 自我评价']", "100")
    _save(unit)
    assert "已保存 1 项" in unit.tab.inner_text("[role=status]")
    assert _todo(unit, live, cycle, "u-O1") == 1
    assessor.tab.reload()
    assert _todo(assessor, live, cycle, "as") == 0
    scores = live.services.app.inspect(cycle, lambda c: c.scores["O1"]["self"])
    assert scores == {"G1": "100"}
    # the rater does not see the unit's own scores, nor the assessor's
    rater.tab.reload()
    assert "100" not in rater.tab.locator("table.grid select option:checked").all_inner_texts()
    shot(assessor, "entry-assessor-performance-evaluation")
    shot(rater, "entry-rater-performance-evaluation")
    shot(unit, "entry-unit-performance-evaluation")


@store_agnostic
def test_phone_width_and_roles_without_entries(tab: Page, live: Live) -> None:
    cycle = _group(live)
    _account(live, "e-assessor", cycle, "as")
    _account(live, "e-od", cycle, "od")
    tab.sign_in("e-od", PASSWORD)
    tab.tab.goto(f"/c/{cycle}/entry")
    assert "没有可录入的内容" in tab.tab.inner_text("#entry-area")
    tab.tab.click("text=退出登录")
    tab.tab.set_viewport_size({"width": 375, "height": 800})
    tab.sign_in("e-assessor", PASSWORD)
    tab.tab.goto(f"/c/{cycle}/entry")
    # the page does not scroll sideways; the grid scrolls inside its frame
    width = tab.tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    shot(tab, "entry-assessor-phone")
