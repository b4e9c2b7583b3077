"""`Idempotency-Key` on every POST (issue 11): a repeat with the same body is answered as
the first time and stores nothing; another body is 409; the key holds across restarts
and concurrent requests, because it is kept with the events it stored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assess.api.app import create_app
from assess.application.verify import verify_cycle
from tests.api.conftest import ADMIN, PASSWORD, Api, as_json, settings_for_tests
from tests.conftest import store_agnostic
from tests.seasons import group_season

SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})
SEASON["actors"].append({"id": "as2", "role": "assessor"})
FINDING = {"do": "record_supervision", "unit": "P1", "method": "meeting", "findings": "ok"}
OTHER_FINDING = {**FINDING, "findings": "late"}


def keyed_post(api: Api, account: str, url: str, key: str | bytes, **kwargs: Any) -> Any:
    headers = {**api.as_(account).headers, "Idempotency-Key": key}
    return api.client.post(url, headers=headers, **kwargs)


def event_count(api: Api, cycle: str) -> int:
    reply = api.as_(ADMIN).get(f"/cycles/{cycle}/audit", params={"limit": 1})
    assert reply.status_code == 200, reply.text
    return reply.json()["total"]


def supervising(api: Api) -> str:
    """A cycle in progress: record_supervision (no natural key) may be sent again."""
    cycle = api.create(SEASON)
    publish = {"do": "publish_items"}
    assert api.as_("od").post(f"/cycles/{cycle}/actions", json=publish).status_code == 200
    return cycle


def test_a_repeated_action_stores_nothing_and_answers_the_same(api: Api) -> None:
    cycle = supervising(api)
    url = f"/cycles/{cycle}/actions"
    first = keyed_post(api, "as", url, "k-1", json=FINDING)
    assert first.status_code == 200, first.text
    stored = event_count(api, cycle)
    again = keyed_post(api, "as", url, "k-1", json=FINDING)
    assert (again.status_code, again.content) == (200, first.content)
    assert event_count(api, cycle) == stored

    other = keyed_post(api, "as", url, "k-1", json=OTHER_FINDING)
    assert other.status_code == 409, other.text
    assert other.json()["error"] == "conflict"
    assert "idempotency key 'k-1' was used for another request" in other.json()["message"]
    by_another = keyed_post(api, "as2", url, "k-1", json=FINDING)  # who asked is part of it
    assert by_another.status_code == 409, by_another.text

    without = api.as_("as").post(url, json=FINDING)  # no key: stored again, as before
    assert without.status_code == 200 and event_count(api, cycle) == stored + 1
    rows = api.as_(ADMIN).get(f"/cycles/{cycle}/audit").json()["rows"]
    assert [row["request"] for row in rows[-2:]] == ["k-1", None]
    assert verify_cycle(api.services.app, cycle).ok


def test_a_keyed_batch_is_answered_with_its_own_figures(api: Api) -> None:
    """Later events do not change the first answer: it is rebuilt from where it stood."""
    cycle = supervising(api)
    url = f"/cycles/{cycle}/actions"
    batch = {"actions": [FINDING, OTHER_FINDING]}
    first = keyed_post(api, "as", url, "batch", json=batch)
    assert first.status_code == 200 and first.json()["events"] == 2, first.text
    assert api.as_("as").post(url, json=FINDING).status_code == 200
    assert keyed_post(api, "as", url, "batch", json=batch).json() == first.json()


def test_the_key_holds_after_a_restart(db: str, api: Api) -> None:
    cycle = supervising(api)
    url = f"/cycles/{cycle}/actions"
    first = keyed_post(api, "as", url, "restart", json=FINDING)
    assert first.status_code == 200, first.text
    stored = event_count(api, cycle)
    with TestClient(create_app(db, settings_for_tests())) as client:
        second = Api(client)
        again = keyed_post(second, "as", url, "restart", json=FINDING)
        assert (again.status_code, again.json()) == (200, first.json())
        assert keyed_post(second, "as", url, "restart", json=OTHER_FINDING).status_code == 409
        assert event_count(second, cycle) == stored


def test_concurrent_repeats_store_once(api: Api) -> None:
    cycle = supervising(api)
    url = f"/cycles/{cycle}/actions"
    stored = event_count(api, cycle)
    api.token("as")  # minted before the threads start
    with ThreadPoolExecutor(8) as pool:
        replies = list(
            pool.map(lambda _: keyed_post(api, "as", url, "once", json=FINDING), range(16))
        )
    assert {reply.status_code for reply in replies} == {200}
    assert len({reply.content for reply in replies}) == 1
    assert event_count(api, cycle) == stored + 1


def test_concurrent_repeats_of_a_new_account_store_once(api: Api) -> None:
    body = {"name": "ana", "password": "ana-password-1"}
    api.token(ADMIN)  # minted before the threads start
    with ThreadPoolExecutor(8) as pool:
        replies = list(
            pool.map(lambda _: keyed_post(api, ADMIN, "/users", "ana-1", json=body), range(16))
        )
    assert {reply.status_code for reply in replies} == {201}, [r.text for r in replies]
    created = api.services.accounts.audit("ana")
    assert [event["event"] for event in created] == ["AccountCreated"]


def test_creating_a_cycle_again_with_its_key(api: Api) -> None:
    header = as_json({key: SEASON[key] for key in ("format", "cycle", "rules", "actors", "units")})
    first = keyed_post(api, ADMIN, "/cycles", "create-1", json=header)
    assert first.status_code == 201, first.text
    again = keyed_post(api, ADMIN, "/cycles", "create-1", json=header)
    assert (again.status_code, again.json()) == (201, first.json())
    assert event_count(api, header["cycle"]["id"]) == 1

    retitled = {**header, "cycle": {**header["cycle"], "title": "another"}}
    other = keyed_post(api, ADMIN, "/cycles", "create-1", json=retitled)
    assert (other.status_code, other.json()["error"]) == (409, "conflict")
    by_another_key = keyed_post(api, ADMIN, "/cycles", "create-2", json=header)
    assert (by_another_key.status_code, by_another_key.json()["error"]) == (409, "duplicate")
    without = api.as_(ADMIN).post("/cycles", json=header)
    assert (without.status_code, without.json()["error"]) == (409, "duplicate")


def test_account_posts_take_a_key(api: Api) -> None:
    body = {"name": "li.wei", "password": PASSWORD, "reason": "new colleague"}
    first = keyed_post(api, ADMIN, "/users", "user-1", json=body)
    assert first.status_code == 201, first.text
    directory = len(api.services.accounts.audit())
    again = keyed_post(api, ADMIN, "/users", "user-1", json=body)
    assert (again.status_code, again.json()) == (201, first.json())
    assert len(api.services.accounts.audit()) == directory
    other = keyed_post(api, ADMIN, "/users", "user-1", json={**body, "admin": True})
    assert (other.status_code, other.json()["error"]) == (409, "conflict")

    assert api.as_(ADMIN).delete("/users/li.wei").status_code == 200
    enabled = keyed_post(api, ADMIN, "/users/li.wei/enable", "enable-1", json={"reason": "back"})
    assert enabled.status_code == 200 and not enabled.json()["disabled"], enabled.text
    assert api.as_(ADMIN).delete("/users/li.wei").status_code == 200
    repeat = keyed_post(api, ADMIN, "/users/li.wei/enable", "enable-1", json={"reason": "back"})
    assert repeat.status_code == 200 and repeat.json()["disabled"]  # the repeat changed nothing
    reused = keyed_post(api, ADMIN, "/users/li.wei/enable", "user-1", json={"reason": "back"})
    assert (reused.status_code, reused.json()["error"]) == (409, "conflict")
    keyed = [event for event in api.services.accounts.audit() if "request" in event["data"]]
    assert [event["data"]["request"]["key"] for event in keyed] == ["user-1", "enable-1"]
    assert api.services.accounts.verify().ok


@store_agnostic
@pytest.mark.parametrize("key", ["", "x" * 201, "tab\there", "é".encode()])
def test_a_key_out_of_bounds_is_refused_naming_the_header(api: Api, key: str | bytes) -> None:
    cycle = supervising(api)
    for account, url, body in (("as", f"/cycles/{cycle}/actions", FINDING), (ADMIN, "/cycles", {})):
        reply = keyed_post(api, account, url, key, json=body)
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"] == "invalid_value"
        assert "idempotency-key" in reply.json()["message"].lower()


@store_agnostic
def test_posts_that_store_nothing_take_and_ignore_the_key(api: Api) -> None:
    form = {"username": "as", "password": PASSWORD}
    api.account("as")
    for _ in range(2):
        reply = api.client.post("/auth/token", data=form, headers={"Idempotency-Key": "t"})
        assert reply.status_code == 200, reply.text
    refused = api.client.post("/auth/token", data=form, headers={"Idempotency-Key": "x" * 201})
    assert refused.status_code == 422


@store_agnostic
def test_every_post_documents_the_header(api: Api) -> None:
    paths = api.client.get("/openapi.json").json()["paths"]
    posts = {path: item["post"] for path, item in paths.items() if "post" in item}
    assert len(posts) >= 6
    for path, operation in posts.items():
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert headers[0]["description"] and headers[0]["schema"]["anyOf"], path
