"""The HTTP edge (api/middleware.py, api/docs.py): the body limit before sign-in, request
ids, one log line per unexpected error, security headers, `Allow`, offline docs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from html.parser import HTMLParser

import anyio
import pytest
from fastapi.testclient import TestClient

from assess.api.app import create_app
from tests.api.conftest import Api, settings_for_tests
from tests.conftest import store_agnostic
from tests.seasons import group_season

pytestmark = store_agnostic  # all of it is decided before the store is asked
MIB = 1024 * 1024
ACTIONS = "/cycles/x/actions"
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture
def edge(db: str) -> Iterator[Api]:
    """The API with a request body limit of 1 MiB."""
    with TestClient(create_app(db, settings_for_tests(max_body_mb=1))) as client:
        yield Api(client)


def _too_large(reply) -> None:
    assert reply.status_code == 413, reply.text
    body = reply.json()
    assert body["error"] == "too_large" and "at most 1 MiB" in body["message"]
    assert body["request_id"] == reply.headers["x-request-id"]
    assert reply.headers["connection"] == "close"


def test_a_declared_length_over_the_limit_is_413_without_a_token(edge: Api) -> None:
    big = b"{" + b" " * MIB + b"}"
    headers = {"Content-Type": "application/json"}
    _too_large(edge.client.post(ACTIONS, content=big, headers=headers))
    _too_large(edge.client.post("/auth/token", content=big, headers=headers))
    signed = {**headers, **edge.as_("root").headers}
    _too_large(edge.client.post("/cycles", content=big, headers=signed))


def test_a_declared_length_over_the_limit_is_refused_before_a_byte_is_read(edge: Api) -> None:
    """Straight to the ASGI app: its `receive` must never be called."""
    sent: list[dict] = []

    async def receive() -> dict:
        raise AssertionError("the body was read")

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": ACTIONS,
        "raw_path": ACTIONS.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-length", str(68 * 10**6).encode())],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("test", 80),
        "client": ("test", 1),
    }
    anyio.run(edge.client.app, scope, receive, send)
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413


def test_a_chunked_body_over_the_limit_is_413_without_a_token(edge: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"do": "submit_score", "evidence": "'
        for _ in range(20):
            yield b"x" * 64 * 1024
        yield b'"}'

    headers = {"Content-Type": "application/json"}
    reply = edge.client.post(ACTIONS, content=chunks(), headers=headers)
    assert "content-length" not in reply.request.headers
    _too_large(reply)


def test_a_body_under_the_limit_goes_on_to_the_usual_answers(edge: Api) -> None:
    under = b"[" + b" " * (MIB - 10) + b"]"
    headers = {"Content-Type": "application/json"}
    unsigned = edge.client.post(ACTIONS, content=under, headers=headers)
    assert unsigned.status_code == 401, unsigned.text
    signed = edge.client.post(
        "/cycles", content=under, headers={**headers, **edge.as_("root").headers}
    )
    assert signed.status_code == 422 and signed.json()["error"] == "invalid_value"


def test_every_response_carries_the_security_headers(api: Api) -> None:
    for reply in (
        api.client.get("/healthz"),
        api.client.get("/cycles"),
        api.as_("root").get("/cycles"),
        api.client.get("/openapi.json"),
        api.client.get("/nowhere"),
    ):
        assert {name: reply.headers.get(name) for name in SECURITY} == SECURITY, reply.url
        policy = reply.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert "server" not in reply.headers


def test_a_request_id_is_echoed_when_sane_and_made_otherwise(api: Api) -> None:
    mine = api.client.get("/cycles", headers={"X-Request-ID": "trace-42.a_b"})
    assert mine.headers["x-request-id"] == "trace-42.a_b" == mine.json()["request_id"]
    for insane in ("has space", "x" * 65, "semi;colon", ""):
        reply = api.client.get("/cycles", headers={"X-Request-ID": insane})
        made = reply.headers["x-request-id"]
        assert made != insane and len(made) == 32 and made == reply.json()["request_id"]
    first, second = api.client.get("/cycles"), api.client.get("/cycles")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_an_unexpected_error_is_logged_once_and_answered_500(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    cycle = api.run(group_season({"P1": ("90", "80", "85")}))

    def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    api.services.app.audit = explode  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR):
        # The TestClient raises what escapes the app: nothing may.
        reply = api.as_("od").get(f"/cycles/{cycle}/audit")
    assert reply.status_code == 500 and reply.json()["error"] == "internal"
    rid = reply.headers["x-request-id"]
    assert reply.json()["request_id"] == rid and "secret" not in reply.text
    logged = [record for record in caplog.records if record.exc_info]
    assert len(logged) == 1 and logged[0].name == "assess.api"
    assert rid in logged[0].getMessage() and "secret detail" in caplog.text
    assert api.as_("od").get("/cycles").status_code == 200  # the app goes on


@pytest.mark.parametrize(
    "method,path,allowed",
    [
        ("PATCH", "/cycles", "GET, POST"),
        ("DELETE", "/cycles", "GET, POST"),
        ("PUT", "/cycles/x/results", "GET"),
        ("GET", "/cycles/x/actions", "POST"),
        ("DELETE", "/auth/token", "POST"),
        ("PATCH", "/openapi.json", "GET, HEAD"),
        ("POST", "/docs", "GET"),
    ],
)
def test_a_405_lists_the_methods_of_the_path(api: Api, method: str, path: str, allowed: str):
    reply = api.client.request(method, path, headers=api.as_("root").headers)
    assert reply.status_code == 405 and reply.json()["error"] == "method_not_allowed"
    assert reply.headers["allow"] == allowed


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.links += [found[key] or "" for key in ("src", "href", "spec-url") if key in found]
        self._in_script = tag == "script"
        if tag == "script" and "src" not in found:
            self.inline_scripts += 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


CONTENT_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


@pytest.mark.parametrize("page", ["/docs", "/redoc", "/docs/oauth2-redirect"])
def test_the_docs_need_nothing_from_another_host(api: Api, page: str) -> None:
    reply = api.client.get(page)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert "script-src" not in reply.headers["content-security-policy"]  # 'self' only
    parsed = _Links()
    parsed.feed(reply.text)
    assert parsed.links and parsed.inline_scripts == 0
    for link in parsed.links:
        assert link.startswith("/") and not link.startswith("//"), link
        asset = api.client.get(link)
        assert asset.status_code == 200, link
        expected = CONTENT_TYPES["." + link.rsplit(".", 1)[-1]]
        assert asset.headers["content-type"].startswith(expected), link


def test_an_unknown_docs_asset_is_404(api: Api) -> None:
    reply = api.client.get("/static/docs/..%2Fdocs.py")
    assert reply.status_code == 404 and reply.json()["error"] == "not_found"
