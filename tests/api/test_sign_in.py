"""Sign-in throttling (SPEC §4.1): 429 after 5 failures for a name within the window,
counted in the database for every worker; bounded hashing; tokens never cached."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assess.api.app import create_app
from assess.api.sign_in_gate import SignInGate
from assess.infrastructure.sign_in import sign_in_failures
from tests.api.conftest import PASSWORD, Api, settings_for_tests
from tests.conftest import store_agnostic

WINDOW = 15 * 60  # seconds, the default


def _sign_in(api: Api, name: str, password: str = PASSWORD) -> Any:
    return api.client.post("/auth/token", data={"username": name, "password": password})


def _fail(api: Api, name: str, times: int) -> None:
    for _ in range(times):
        reply = _sign_in(api, name, "wrong password")
        assert reply.status_code == 401, reply.text


def _throttled(reply: Any) -> int:
    """The reply is the throttle's 429; its Retry-After in seconds."""
    assert reply.status_code == 429, reply.text
    body = reply.json()
    assert (body["error"], body["action_index"]) == ("too_many_requests", None)
    return int(reply.headers["Retry-After"])


def _gate(api: Api) -> SignInGate:
    return api.services.sign_in


def _failures(api: Api) -> int:
    with api.services.accounts.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(sign_in_failures)).scalar_one()


@pytest.fixture
def hashed(api: Api, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names whose password was checked."""
    checked: list[str] = []
    authenticate = api.services.accounts.authenticate

    def counting(name: str, password: str) -> Any:
        checked.append(name)
        return authenticate(name, password)

    monkeypatch.setattr(api.services.accounts, "authenticate", counting)
    return checked


def test_five_failures_then_429_even_with_the_right_password(api: Api, hashed: list) -> None:
    api.account("od")
    api.account("lg")
    _fail(api, "od", 5)
    refused = _sign_in(api, "od")
    assert 1 <= _throttled(refused) <= WINDOW
    assert "od" in refused.json()["message"]
    assert hashed == ["od"] * 5  # the refusal costs no hashing
    assert _sign_in(api, "lg").status_code == 200  # other names are not affected
    assert _failures(api) == 5


def test_unknown_names_are_throttled_the_same(api: Api) -> None:
    api.account("od")
    _fail(api, "nobody", 5)
    _fail(api, "od", 5)
    unknown, known = _sign_in(api, "nobody"), _sign_in(api, "od")
    assert abs(_throttled(unknown) - _throttled(known)) <= 1  # the same refusal for both
    assert unknown.json()["message"].replace("nobody", "od") == known.json()["message"]


def test_a_success_clears_the_failures(api: Api) -> None:
    api.account("od")
    _fail(api, "od", 4)
    assert _sign_in(api, "od").status_code == 200
    _fail(api, "od", 4)
    assert _sign_in(api, "od").status_code == 200
    assert _failures(api) == 0


def test_the_refusal_lasts_until_the_oldest_failure_leaves_the_window(api: Api) -> None:
    api.account("od")
    throttle = _gate(api).throttle
    start = datetime.now(UTC)
    throttle.clock = lambda: start
    _fail(api, "od", 4)
    throttle.clock = lambda: start + timedelta(seconds=100)
    _fail(api, "od", 1)
    assert _throttled(_sign_in(api, "od")) == WINDOW - 100
    throttle.clock = lambda: start + timedelta(seconds=WINDOW - 0.5)
    assert _throttled(_sign_in(api, "od")) == 1
    throttle.clock = lambda: start + timedelta(seconds=WINDOW)  # the first four left it
    _fail(api, "od", 1)  # and were deleted on the way
    assert _failures(api) == 2
    assert _sign_in(api, "od").status_code == 200


def test_the_limit_and_window_come_from_the_settings(db: str) -> None:
    settings = settings_for_tests(sign_in_window_minutes=1, sign_in_limit=2)
    with TestClient(create_app(db, settings)) as client:
        api = Api(client)
        api.account("od")
        _fail(api, "od", 2)
        assert 55 <= _throttled(_sign_in(api, "od")) <= 60
        later = datetime.now(UTC) + timedelta(minutes=1, seconds=1)
        _gate(api).throttle.clock = lambda: later
        assert _sign_in(api, "od").status_code == 200


MALFORMED = ["a\x00b", "\x00", "x" * 65, " od", "od\n", "o d", "odé", "%ED%A0%80", "%FF"]


@pytest.mark.parametrize("name", MALFORMED)
def test_a_malformed_name_is_refused_at_once(api: Api, hashed: list, name: str) -> None:
    if name.startswith("%"):  # bytes that are no UTF-8 (an unpaired surrogate's, a lone 0xFF)
        form = f"username={name}&password=x".encode()
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        reply = api.client.post("/auth/token", content=form, headers=kind)
    else:
        reply = _sign_in(api, name)
    assert reply.status_code == 401, reply.text
    assert reply.json()["error"] == "unauthorized"
    assert hashed == [] and _failures(api) == 0


@store_agnostic
def test_an_empty_name_is_a_missing_field(api: Api, hashed: list) -> None:
    reply = _sign_in(api, "")
    assert (reply.status_code, reply.json()["error"]) == (422, "invalid_value")
    assert reply.headers["Cache-Control"] == "no-store"
    assert hashed == [] and _failures(api) == 0


@store_agnostic
def test_the_token_response_is_never_cached(api: Api) -> None:
    api.account("od")
    replies = [
        _sign_in(api, "od"),
        _sign_in(api, "od", "wrong"),
        api.client.post("/auth/token", data={"username": "od"}),
    ]
    _fail(api, "nobody", 5)
    replies.append(_sign_in(api, "nobody"))
    assert [reply.status_code for reply in replies] == [200, 401, 422, 429]
    for reply in replies:
        assert reply.headers["Cache-Control"] == "no-store"
        assert reply.headers["Pragma"] == "no-cache"


@pytest.fixture
def one_slot(db: str) -> Iterator[Api]:
    settings = settings_for_tests(hash_concurrency=1, sign_in_queue=0)
    with TestClient(create_app(db, settings)) as client:
        yield Api(client)


@store_agnostic
def test_sign_ins_beyond_the_queue_are_refused_at_once(one_slot: Api) -> None:
    api = one_slot
    api.account("od")
    gate = _gate(api)
    holder = object()
    api.client.portal.call(gate.hashing.acquire_on_behalf_of, holder)  # type: ignore[union-attr]
    waiting: list[Any] = []
    first = threading.Thread(target=lambda: waiting.append(_sign_in(api, "od")))
    first.start()
    while gate.in_flight < 1:  # the first sign-in waits for the only hashing slot
        time.sleep(0.01)
    refused = _sign_in(api, "od")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["error"] == "too_many_requests"
    api.client.portal.call(gate.hashing.release_on_behalf_of, holder)  # type: ignore[union-attr]
    first.join(timeout=30)
    assert waiting[0].status_code == 200
    assert _sign_in(api, "od").status_code == 200  # nothing left waiting


@store_agnostic
def test_failures_made_while_waiting_trip_the_throttle(db: str) -> None:
    """Six wrong sign-ins for one name that all got past the first look wait for the one
    hashing slot: each looks again when its turn comes, so only five are hashed."""
    settings = settings_for_tests(hash_concurrency=1)
    with TestClient(create_app(db, settings)) as client:
        api = Api(client)
        gate = _gate(api)
        holder = object()
        api.client.portal.call(gate.hashing.acquire_on_behalf_of, holder)  # type: ignore[union-attr]
        replies: list[Any] = []
        tries = [
            threading.Thread(target=lambda: replies.append(_sign_in(api, "od", "wrong")))
            for _ in range(6)
        ]
        for each in tries:
            each.start()
        while gate.hashing.statistics().tasks_waiting < 6:
            time.sleep(0.01)
        api.client.portal.call(gate.hashing.release_on_behalf_of, holder)  # type: ignore[union-attr]
        for each in tries:
            each.join(timeout=30)
        assert sorted(reply.status_code for reply in replies) == [401] * 5 + [429]
