"""The API tells what is stored (issue 11): a POST whose snapshot fails after the commit is
200 and stored once; results that do not reproduce their recorded digest are 500
`integrity`; a corrupt cycle is one entry of `GET /cycles`; `verify?expect_head=` takes
the head recorded at publication."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from assess.api.app import create_app
from assess.application import service
from assess.application.verify import verify_cycle
from tests.api.conftest import ADMIN, Api, settings_for_tests
from tests.conftest import store_agnostic
from tests.integration.test_truthful_writes import CYCLE, SEASON, finding, refuse_snapshots
from tests.integration.test_untrusted_reads import (
    GROUP,
    LEADERSHIP,
    change_row,
    changed_score,
    deleted,
    imported,
)

Change = Callable[[str], None]


@pytest.fixture
def served_after(db: str) -> Iterator[Callable[[Change], Api]]:
    """The example cycles stored, changed behind the application's back, then served by a
    server started afterwards (one that read them before keeps what it checked then)."""
    clients: list[TestClient] = []

    def serve(change: Change) -> Api:
        imported(db)
        change(db)
        clients.append(TestClient(create_app(db, settings_for_tests())).__enter__())
        return Api(clients[-1])

    yield serve
    for client in clients:
        client.__exit__(None, None, None)


def test_a_post_whose_snapshot_fails_is_answered_as_stored(
    db: str, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "SNAPSHOT_AFTER", 5)
    refuse_snapshots(db)
    cycle = api.load(SEASON)  # 9 events: its snapshot, due at 5, failed
    reply = api.act(cycle, finding("ledger incomplete"))
    assert reply.status_code == 200, reply.text
    assert reply.json()["position"] == 10
    audit = api.as_(ADMIN).get(f"/cycles/{CYCLE}/audit", params={"limit": 1}).json()
    assert audit["total"] == 10 and verify_cycle(api.services.app, cycle).ok


def test_results_that_do_not_reproduce_their_digest_are_500_integrity(served_after) -> None:
    api = served_after(lambda db: change_row(db, GROUP, 3, changed_score))
    reply = api.as_(ADMIN).get(f"/cycles/{GROUP}/results")
    assert reply.status_code == 500
    body = reply.json()
    assert (body["error"], body["action_index"]) == ("integrity", None)
    assert "do not reproduce version 8's digest; run `assess verify" in body["message"]
    assert api.as_(ADMIN).get(f"/cycles/{GROUP}/results", params={"version": 2}).status_code == 500
    assert api.as_(ADMIN).get(f"/cycles/{LEADERSHIP}/results").status_code == 200


def test_a_corrupt_cycle_is_one_entry_of_the_listing(served_after) -> None:
    api = served_after(lambda db: change_row(db, GROUP, 20, deleted))
    reply = api.as_(ADMIN).get("/cycles")
    assert reply.status_code == 200, reply.text
    listing = {entry["cycle"]: entry for entry in reply.json()}
    assert listing[LEADERSHIP]["stage"] == "closed" and listing[LEADERSHIP]["error"] is None
    corrupt = listing[GROUP]
    assert (corrupt["stage"], corrupt["version"], corrupt["events"]) == ("corrupt", None, None)
    assert "is corrupt: event 20 is missing" in corrupt["error"]
    detail = api.as_(ADMIN).get(f"/cycles/{GROUP}")
    assert (detail.status_code, detail.json()["error"]) == (500, "integrity")


@store_agnostic
def test_verify_takes_the_head_recorded_at_publication(served_after) -> None:
    api = served_after(lambda db: None)
    events = api.services.app.events_of(GROUP)
    published = next(e for e in events if type(e).__name__ == "ResultsPublished")
    url = f"/cycles/{GROUP}/verify"
    report = api.as_(ADMIN).get(url, params={"expect_head": published.data["head"]}).json()
    assert report["ok"] and report["expected_head_at"] == published.originator_version - 1
    elsewhere = api.as_(ADMIN).get(url, params={"expect_head": "ab" * 32}).json()
    assert not elsewhere["ok"] and elsewhere["head"] == report["head"]
    assert elsewhere["expected_head_at"] is None
