"""The console's session cookie over HTTP and HTTPS, and its sign-in form's token (the
browser tests cover the pages; these check the headers a browser is given)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assess.api.app import create_app
from tests.api.conftest import settings_for_tests
from tests.conftest import store_agnostic


def signed_in(client: TestClient) -> str:
    form = client.get("/sign-in")
    token = re.search(r'name="sign_in_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/sign-in",
        data={"username": "od", "password": "demo", "sign_in_token": token[1], "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["set-cookie"]


@store_agnostic
def test_the_session_cookie_is_secure_over_https_only(db: str) -> None:
    app = create_app(db, settings_for_tests(demo=True))
    with TestClient(app, base_url="https://console.test") as client:
        cookie = signed_in(client)
    assert "assess_session=" in cookie
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    with TestClient(app, base_url="http://console.test") as client:
        cookie = signed_in(client)
    assert "Secure" not in cookie and "HttpOnly" in cookie


@store_agnostic
def test_a_next_page_elsewhere_is_not_followed(db: str) -> None:
    with TestClient(create_app(db, settings_for_tests(demo=True))) as client:
        form = client.get("/sign-in?next=//evil.example/x")
        assert 'name="next" value="/"' in form.text
        token = re.search(r'name="sign_in_token" value="([^"]+)"', form.text)
        assert token is not None
        answer = client.post(
            "/sign-in",
            data={
                "username": "od",
                "password": "demo",
                "sign_in_token": token[1],
                "next": "https://evil.example/",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 303 and answer.headers["location"] == "/"
