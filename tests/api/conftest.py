"""The API under TestClient, on SQLite and PostgreSQL (the `db` fixture), with helpers
that speak as an account: `api.as_("od").post(...)`."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*starlette.testclient", category=Warning)

from fastapi.testclient import TestClient  # noqa: E402

from assess.api.app import create_app  # noqa: E402
from assess.api.deps import Services  # noqa: E402
from assess.api.settings import Settings  # noqa: E402
from tests.conftest import store_agnostic  # noqa: E402

SECRET = "test-secret-" + "x" * 32
PASSWORD = "test-password-1"
ADMIN = "root"
# Who reads and does what is decided above the store: these modules run on one store (as
# if marked `pytestmark = store_agnostic`); workflow, concurrency and contract keep both.
STORE_AGNOSTIC_MODULES = ("test_access.py",)


@pytest.hookimpl(tryfirst=True)  # before the `db` fixture's own parametrisation
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.path.name in STORE_AGNOSTIC_MODULES and "db" in metafunc.fixturenames:
        metafunc.definition.add_marker(store_agnostic)


def settings_for_tests(**changes: Any) -> Settings:
    """Cheap password hashes keep account-heavy tests fast (the defaults cost ~0.2 s)."""
    base = {"secret": SECRET, "argon2_time_cost": 1, "argon2_memory_kib": 1024}
    return Settings(**{**base, **changes})


def as_json(value: Any) -> Any:
    """Season values as a JSON client sends them: decimals become JSON numbers."""
    if isinstance(value, Decimal):
        return float(value)  # exact enough: inputs have at most 2 decimals
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_json(item) for item in value]
    return value


class Api:
    """A TestClient and the accounts made for a test; tokens minted once per account."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}
        self.account(ADMIN, admin=True)

    @property
    def services(self) -> Services:
        return self.client.app.state.services  # type: ignore[attr-defined]

    def account(self, name: str, admin: bool = False, **actors: str) -> str:
        """An account (made if absent) bound to actors given as cycle=actor."""
        store = self.services.accounts
        if store.get(name) is None:
            store.add(name, PASSWORD, admin=admin)
        for cycle, actor in actors.items():
            store.bind(name, cycle, actor)
        return name

    def token(self, name: str) -> str:
        if name not in self._tokens:
            reply = self.client.post("/auth/token", data={"username": name, "password": PASSWORD})
            assert reply.status_code == 200, reply.text
            self._tokens[name] = reply.json()["access_token"]
        return self._tokens[name]

    def as_(self, name: str) -> _As:
        return _As(self.client, {"Authorization": f"Bearer {self.token(name)}"})

    def create(self, season: dict[str, Any], bind: bool = True) -> str:
        """The season's cycle, created over HTTP; each actor gets an account of its
        own name (when `bind`). The season's actions are not applied."""
        header = {key: season[key] for key in ("format", "cycle", "rules", "actors", "units")}
        reply = self.as_(ADMIN).post("/cycles", json=as_json(header))
        assert reply.status_code == 201, reply.text
        cycle = season["cycle"]["id"]
        if bind:
            for actor in season["actors"]:
                self.account(actor["id"], **{cycle: actor["id"]})
        return cycle

    def load(self, season: dict[str, Any]) -> str:
        """The whole season imported directly (no HTTP), with an account per actor."""
        cycle = self.services.app.import_season(season).cycle
        for actor in season["actors"]:
            self.account(actor["id"], **{cycle: actor["id"]})
        return cycle

    def act(self, cycle: str, action: dict[str, Any]) -> Any:
        """One action by the account named like its `by` (left out of the body), dated by
        the server as people at work are (over HTTP only org_dept may give `at`, SPEC §3;
        an appeal then falls in the window of a publication dated the same way)."""
        body = {key: value for key, value in action.items() if key not in ("by", "at")}
        return self.as_(action["by"]).post(f"/cycles/{cycle}/actions", json=as_json(body))

    def run(self, season: dict[str, Any]) -> str:
        """Create the cycle and play every action of the season, one request each."""
        cycle = self.create(season)
        for index, action in enumerate(season["actions"]):
            reply = self.act(cycle, action)
            assert reply.status_code == 200, (index, action, reply.text)
        return cycle


class _As:
    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, headers=self.headers, **kwargs)

    def put(self, url: str, **kwargs: Any) -> Any:
        return self.client.put(url, headers=self.headers, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self.client.delete(url, headers=self.headers, **kwargs)


@pytest.fixture
def api(db: str) -> Iterator[Api]:
    with TestClient(create_app(db, settings_for_tests())) as client:
        yield Api(client)
