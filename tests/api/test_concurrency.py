"""Concurrent writers on one cycle lose nothing and store nothing twice.

Two API processes' worth of applications (two apps on one database, so what keeps them
apart is the store's cross-process writer lock, not a lock in one process), eight
threads submitting scores at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from assess.api.app import create_app
from assess.application.audit import verb_of
from assess.application.service import AssessApp
from tests.api.conftest import Api, settings_for_tests
from tests.seasons import CLOSE, header

UNITS = [f"P{n}" for n in range(4)]
COMPONENTS = ("research_h1", "research_h2", "year_end")
THREADS, EACH = 8, 6


def submission_of(number: int) -> dict[str, Any]:
    unit = UNITS[number % len(UNITS)]
    component = COMPONENTS[(number // len(UNITS)) % len(COMPONENTS)]
    value = 60 + number % 40
    return {"do": "submit_score", "unit": unit, "component": component, "value": value}


def _season() -> dict[str, Any]:
    season = header("group-party-org", [{"id": unit, "category": "c"} for unit in UNITS])
    season["actions"] = [{"do": "publish_items", "by": "od"}, {"do": "open_assessment", "by": "od"}]
    return season


def test_concurrent_scores_are_each_stored_once_and_replay_the_same(db: str, api: Api) -> None:
    season = _season()
    cycle = api.load(season)
    start = api.services.app.cycle(cycle).version
    with TestClient(create_app(db, settings_for_tests())) as second:
        clients = (api.client, second)
        headers = api.as_("as").headers

        def submit(number: int) -> tuple[dict[str, Any], Any]:
            action = submission_of(number)
            client = clients[number % 2]
            return action, client.post(f"/cycles/{cycle}/actions", json=action, headers=headers)

        with ThreadPoolExecutor(THREADS) as pool:
            replies = list(pool.map(submit, range(THREADS * EACH)))

    accepted = {}
    for action, reply in replies:  # the two applications' writers wait for each other
        assert reply.status_code == 200, reply.text
        assert reply.json()["events"] == 1
        accepted[reply.json()["position"]] = action
    assert len(accepted) == len(replies)

    fresh = AssessApp(api.services.app.env)  # nothing cached: what the store holds
    stored = [e for e in fresh.events_of(cycle) if e.originator_version > start]
    fresh.close()
    assert [e.originator_version for e in stored] == sorted(accepted)  # once each, no gaps
    for event in stored:
        sent = accepted[event.originator_version]
        assert verb_of(event) == "submit_score" and event.actor == "as"
        assert (event.data["unit"], event.data["component"]) == (sent["unit"], sent["component"])
        assert event.data["value"] == str(sent["value"])

    assert api.act(cycle, CLOSE).status_code == 200
    sequential = AssessApp()
    sequential.import_season(season)
    replayed = [{**accepted[p], "by": "as"} for p in sorted(accepted)]
    sequential.act(cycle, [*replayed, CLOSE])
    expected = sequential.results(cycle)
    got = api.as_("aud").get(f"/cycles/{cycle}/results").json()
    assert got["digest"] == expected["digest"] and got["results"] == expected["results"]
