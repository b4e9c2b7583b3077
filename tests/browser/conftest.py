"""The web console in a real browser: Debian's Chromium driven by Playwright, against a
live server (uvicorn in a thread of the test process) on a fresh store with the demo.

Without Chromium these tests are skipped with the reason; with REQUIRE_BROWSER=1 (CI)
they fail instead. Every page a test opens must log no JavaScript error. `shot` saves a
screenshot under test-output/screenshots/ (ASSESS_TEST_OUTPUT to move it)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from assess.api.app import create_app
from tests.api.conftest import settings_for_tests
from tests.cpu_turns import cpu_turn

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
OUTPUT = Path(os.environ.get("ASSESS_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))
DEMO_PASSWORD = "demo"
ASSETS = ("script", "stylesheet", "image", "font")


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    why = _unavailable()
    if why:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Live:
    """A running server: its base URL and its services (to arrange a test's data)."""

    def __init__(self, url: str, api: Any) -> None:
        self.url = url
        self.api = api

    @property
    def services(self) -> Any:
        return self.api.state.services


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(db: str) -> Iterator[Live]:
    """The API and console with the demo seasons and accounts, on `db`. A browser test
    takes a shared turn at the CPU (tests/cpu_turns.py)."""
    with cpu_turn(exclusive=False):
        yield from _live(db)


def _live(db: str) -> Iterator[Live]:
    api = create_app(db, settings_for_tests(demo=True))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(api, port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    else:
        raise RuntimeError("the live server did not start")
    yield Live(url, api)
    server.should_exit = True
    thread.join(timeout=30)


class Page:
    """A browser tab of its own (its own cookies), failing the test on any JavaScript
    error or failed request for a script or style of the site."""

    def __init__(self, browser: Any, live: Live) -> None:
        self.context = browser.new_context(
            base_url=live.url, viewport={"width": 1280, "height": 900}
        )
        self.tab = self.context.new_page()
        self.errors: list[str] = []
        self.tab.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.tab.on("console", self._console)
        self.tab.on("response", self._response)
        self.tab.on("requestfailed", self._failed)
        self.live = live

    def _console(self, message: Any) -> None:
        # A page answered 4xx (a refusal shown as a page) is logged as "Failed to load
        # resource"; what matters is scripts, styles and images: see `_response`.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    def _failed(self, request: Any) -> None:
        # A request the next navigation cut short (the favicon of a page left at once) is
        # the browser's doing, not the site's.
        if request.failure != "net::ERR_ABORTED":
            self.errors.append(f"failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.request.resource_type in ASSETS:
            self.errors.append(f"{response.status}: {response.url}")

    def sign_in(self, name: str, password: str = DEMO_PASSWORD, ok: bool = True) -> None:
        self.tab.goto("/sign-in")
        self.tab.fill("#username", name)
        self.tab.fill("#password", password)
        with self.tab.expect_navigation():
            self.tab.click("button[type=submit]")
        assert ("/sign-in" not in self.tab.url) == ok, self.tab.url

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def tab(browser: Any, live: Live) -> Iterator[Page]:
    opened = Page(browser, live)
    yield opened
    errors = list(opened.errors)
    opened.close()
    assert errors == [], errors


@pytest.fixture
def tabs(browser: Any, live: Live) -> Iterator[Any]:
    """More tabs, one per person: `tabs()` opens one."""
    opened: list[Page] = []

    def new() -> Page:
        opened.append(Page(browser, live))
        return opened[-1]

    yield new
    errors = [error for page in opened for error in page.errors]
    for page in opened:
        page.close()
    assert errors == [], errors


def shot(page: Page | Any, name: str) -> Path:
    """A full-page screenshot: test-output/screenshots/<name>.png."""
    tab = page.tab if isinstance(page, Page) else page
    folder = OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    # caret="initial": hiding the caret leaves `style=""` on every input, which htmx then
    # settles onto swapped-in inputs with the same id — an inline style the CSP refuses.
    tab.screenshot(path=str(path), full_page=True, caret="initial")
    return path
