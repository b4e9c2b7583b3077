"""Every page a role opens is usable with a keyboard and a screen reader, as far as a test
can tell: each form control has a label, each table its header cells, each chart a
title, the page one <h1> and a language; and the first Tab reaches the skip link."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Page
from tests.conftest import store_agnostic

# (account, pages) — the demo's cycles: closed, published and one still being scored.
PAGES = {
    "od": [
        "/",
        "/c/2025-T02",
        "/c/2025-group-party-org/results",
        "/c/2025-group-party-org/approval",
        "/c/2025-group-party-org/appeals",
        "/c/2025-group-party-org/audit",
        "/c/2025-group-party-org/charts",
        "/c/2025-leadership-team/charts",
    ],
    "assessor": ["/c/2025-T02/entry", "/c/2025-group-party-org/entry"],
    "rater": ["/c/2025-T02/entry"],
    "unit": ["/", "/c/2025-T02/entry", "/c/2025-T02", "/c/2025-group-party-org/appeals"],
    "aud": ["/c/2025-group-party-org/verify?run=1", "/history/P0000"],
}

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !e.disabled)
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')
               && !e.getAttribute('aria-labelledby') && !e.title)
  .map(e => e.outerHTML.slice(0, 120))"""
HEADLESS_TABLES = """() => [...document.querySelectorAll('table')]
  .filter(t => !t.querySelector('th')).map(t => t.outerHTML.slice(0, 120))"""
UNTITLED_CHARTS = """() => [...document.querySelectorAll('svg')]
  .filter(s => s.getAttribute('aria-hidden') !== 'true')
  .filter(s => !s.querySelector('title') && !s.getAttribute('aria-label'))
  .map(s => s.outerHTML.slice(0, 120))"""
NAMELESS_BUTTONS = """() => [...document.querySelectorAll('button, a[href]')]
  .filter(b => !(b.textContent || '').trim() && !b.getAttribute('aria-label') && !b.title)
  .map(b => b.outerHTML.slice(0, 120))"""


def check(tab: Any, path: str) -> list[str]:
    tab.goto(path)
    tab.wait_for_load_state("networkidle")
    found = []
    for what, script in (
        ("unlabelled control", UNLABELLED),
        ("table without header cells", HEADLESS_TABLES),
        ("chart without a title", UNTITLED_CHARTS),
        ("button or link without a name", NAMELESS_BUTTONS),
    ):
        found += [f"{path}: {what}: {html}" for html in tab.evaluate(script)]
    if tab.locator("h1").count() != 1:
        found.append(f"{path}: {tab.locator('h1').count()} <h1> elements")
    if tab.get_attribute("html", "lang") != "zh-CN":
        found.append(f"{path}: no lang")
    return found


@store_agnostic
def test_every_role_s_pages_are_labelled(tabs: Any) -> None:
    problems: list[str] = []
    for account, paths in PAGES.items():
        page: Page = tabs()
        page.sign_in(account)
        for path in paths:
            problems += check(page.tab, path)
    assert problems == [], "\n".join(problems)


@store_agnostic
def test_the_first_tab_reaches_the_skip_link(tab: Page) -> None:
    tab.sign_in("od")
    tab.tab.goto("/c/2025-group-party-org/results")
    tab.tab.keyboard.press("Tab")
    assert tab.tab.evaluate("document.activeElement.className") == "skip"
    tab.tab.keyboard.press("Enter")
    assert tab.tab.evaluate("document.activeElement.id") == "main"
