"""A stalled PostgreSQL (connections accepted, answers never come) through a proxy:
`/healthz` answers 503 by its own deadline, a request stuck on the database holds up
neither the documentation nor the health check, and all recover once it flows again."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from assess.api.app import create_app
from tests.api.conftest import ADMIN, PASSWORD, settings_for_tests
from tests.stall_proxy import StallProxy

ANSWERED_WITHIN = 20.0  # seconds: "answered, not hung", far above any deadline below
STUCK_REQUESTS = 50  # more than the thread pool's 40 workers


@pytest.fixture
def stalling(postgres_url: str) -> Iterator[tuple[TestClient, StallProxy]]:
    upstream = make_url(postgres_url)
    with StallProxy((upstream.host or "127.0.0.1", upstream.port or 5432)) as proxy:
        url = upstream.set(port=proxy.port).render_as_string(hide_password=False)
        settings = settings_for_tests(health_timeout=1, db_connect_timeout=2, db_pool_timeout=2)
        with TestClient(create_app(url, settings)) as client:
            client.app.state.services.accounts.add(ADMIN, PASSWORD, admin=True)  # type: ignore[attr-defined]
            try:
                yield client, proxy
            finally:  # a failed test must not leave the app's shutdown waiting on the stall
                proxy.resume()


def answered(call: Callable[[], Any]) -> Any:
    """The call's result, failing the test if it does not return in ANSWERED_WITHIN."""
    outcome: list[Any] = []
    worker = threading.Thread(target=lambda: outcome.append(call()), daemon=True)
    worker.start()
    worker.join(ANSWERED_WITHIN)
    assert outcome, "no answer: the request hung"
    return outcome[0]


def test_a_stalled_database_holds_up_no_other_request(
    stalling: tuple[TestClient, StallProxy],
) -> None:
    client, proxy = stalling
    reply = client.post("/auth/token", data={"username": ADMIN, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    assert client.get("/healthz").status_code == 200

    proxy.stall()
    stuck = [
        threading.Thread(
            target=client.get, args=("/cycles/2025-none/results",), kwargs={"headers": headers}
        )
        for _ in range(STUCK_REQUESTS)
    ]
    for each in stuck:
        each.start()
    health = answered(lambda: client.get("/healthz"))
    assert health.status_code == 503 and health.json()["error"] == "unavailable"
    assert answered(lambda: client.get("/healthz")).status_code == 503  # again: no pile-up
    assert answered(lambda: client.get("/openapi.json")).status_code == 200
    assert answered(lambda: client.get("/docs")).status_code == 200
    assert answered(lambda: client.get("/static/docs/swagger-ui.css")).status_code == 200

    proxy.resume()
    for each in stuck:
        each.join(ANSWERED_WITHIN)
        assert not each.is_alive(), "a request stayed stuck after the database recovered"
    assert answered(lambda: _healthy_again(client))


def _healthy_again(client: TestClient) -> bool:
    # The ping that was stuck finishes first; a check made meanwhile may still see it.
    return any(client.get("/healthz").status_code == 200 for _ in range(20))
