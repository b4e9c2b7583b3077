"""Contract tests generated from the OpenAPI schema (schemathesis), against uvicorn on a
free local port: no input, however odd, makes the API answer 5xx, and every answer
matches the documented schema. A request the schema allows may still be refused by
the rules of SPEC §3 (the cycle's stage, the actor's role…), so schemathesis's
"schema-valid request accepted" check does not apply here."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from assess.api.app import create_app
from assess.api.auth import Tokens
from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import open_application
from tests.api.conftest import SECRET, settings_for_tests
from tests.api.test_live import _free_port

CYCLE = "2025-group-party-org"
MAX_EXAMPLES = 10

schema = schemathesis.openapi.from_dict(create_app("sqlite:///:memory:").openapi())


def _seed(url: str) -> None:
    """The demo group-party-org cycle, and an admin account holding `od` in it."""
    app = open_application(AssessApp, url)
    app.import_season(generate_season("group-party-org", 16, seed=1, complications=True))
    app.close()
    accounts = AccountStore(url, password_hasher(1, 1024))
    accounts.add("root", "pw", admin=True)
    accounts.bind("root", CYCLE, "od")
    accounts.close()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('contract') / 'assess.db'}"
        yield from _serve(url)
        return
    from tests.pg import fresh_database_url

    with fresh_database_url() as url:
        yield from _serve(url)


def _serve(url: str) -> Iterator[str]:
    _seed(url)
    port = _free_port()
    config = uvicorn.Config(create_app(url, settings_for_tests()), port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_input_makes_the_api_fail(case: schemathesis.Case, served: str) -> None:
    token, _ = Tokens(SECRET, hours=1).issue("root")
    case.call_and_validate(
        base_url=served,
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
    )
