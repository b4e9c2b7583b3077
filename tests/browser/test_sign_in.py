"""Signing in and out of the console; forms without their token are refused."""

from __future__ import annotations

import httpx

from tests.browser.conftest import Live, Page, shot
from tests.conftest import store_agnostic


@store_agnostic
def test_sign_in_home_and_sign_out(tab: Page, live: Live) -> None:
    tab.tab.goto("/")
    assert "/sign-in" in tab.tab.url  # not signed in: to the sign-in page
    shot(tab, "sign-in")
    tab.sign_in("od", "wrong-password", ok=False)
    assert "用户名或密码不正确" in tab.tab.inner_text("[role=alert]")
    tab.sign_in("od")
    assert tab.tab.inner_text("h1") == "我的考核"
    assert tab.tab.locator(".cycles li").count() >= 3
    shot(tab, "home-org_dept")
    tab.tab.click("text=退出登录")
    tab.tab.wait_for_url("**/sign-in")
    tab.tab.goto("/")
    assert "/sign-in" in tab.tab.url


@store_agnostic
def test_the_session_cookie_is_http_only_and_strict(tab: Page) -> None:
    tab.sign_in("od")
    cookie = next(c for c in tab.context.cookies() if c["name"] == "assess_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"


@store_agnostic
def test_a_form_posted_without_its_token_is_refused(tab: Page, live: Live) -> None:
    tab.sign_in("od")
    session = next(c for c in tab.context.cookies() if c["name"] == "assess_session")
    cookies = {"assess_session": session["value"]}
    refused = httpx.post(f"{live.url}/sign-out", cookies=cookies, follow_redirects=False)
    assert refused.status_code == 403 and "安全令牌" in refused.text
    forged = httpx.post(
        f"{live.url}/sign-out",
        cookies=cookies,
        data={"csrf_token": "0" * 40},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    no_form_token = httpx.post(
        f"{live.url}/sign-in",
        data={"username": "od", "password": "demo", "sign_in_token": "x"},
        follow_redirects=False,
    )
    assert no_form_token.status_code == 403
