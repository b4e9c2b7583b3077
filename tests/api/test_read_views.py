"""Over HTTP, the read endpoints answer the same bytes from current read views as from the
events, and say which in `X-Assess-View` (SPEC §8)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from assess.api.app import create_app
from assess.demo.organisation import organisation_seasons
from tests.api.conftest import ADMIN, Api, settings_for_tests
from tests.conftest import EXAMPLES, SCHEMES

PUBLISHED = "2025-group-party-org"  # closed: every unit reads every row


@pytest.fixture
def both(db: str) -> Iterator[tuple[Api, Api]]:
    """The API with the views kept current in the background, and one reading the
    events only."""
    with (
        TestClient(create_app(db, settings_for_tests())) as following,
        TestClient(create_app(db, settings_for_tests(views=False))) as events_only,
    ):
        with_views, without = Api(following), Api(events_only)
        without.services.app.views = None  # reads from the events only: what views must equal
        for scheme in SCHEMES:
            with_views.load(orjson.loads((EXAMPLES / f"{scheme}.season.json").read_bytes()))
        for season in organisation_seasons():
            with_views.load(season)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if with_views.as_(ADMIN).get("/cycles").headers.get("x-assess-view") == "current":
                break
            time.sleep(0.05)
        yield with_views, without


def reads() -> list[str]:
    paths = ["/cycles", "/tree/2025", "/tree/2024", "/units/T01/history", "/units/P0001/history"]
    for cycle, versions in ((PUBLISHED, 7), ("2025-performance-evaluation", 10), ("2025-city", 1)):
        base = f"/cycles/{cycle}"
        paths += [
            f"{base}/results",
            f"{base}/results?offset=2&limit=3",
            f"{base}/results?version=1",
            f"{base}/results?version={versions}&format=csv",
            f"{base}/results?position=40",
            f"{base}/results?as_of=2025-12-31",
            f"{base}/results?version={versions + 1}",
            f"{base}/audit",
            f"{base}/audit?offset=5&limit=7",
            f"{base}/audit?verb=submit_score&limit=5",
            f"{base}/audit?since=2020-01-01T00:00:00&until=2100-01-01",
            f"{base}/appeals",
            f"{base}/diff?first=1&second={versions}",
        ]
    return paths


def test_read_endpoints_answer_the_same_from_views_and_from_events(
    both: tuple[Api, Api],
) -> None:
    with_views, without = both
    for account in (ADMIN, "u-P0001"):
        for path in reads() + [f"/cycles/{PUBLISHED}/audit?unit=P0002"]:
            current = with_views.as_(account).get(path)
            behind = without.as_(account).get(path)
            assert current.status_code == behind.status_code, (account, path, current.text)
            if current.status_code != 200:  # the refusals alike, but for the request id
                assert {**current.json(), "request_id": None} == {
                    **behind.json(),
                    "request_id": None,
                }
                continue
            assert current.content == behind.content, (account, path)
            if current.status_code == 200:
                assert current.headers["x-assess-view"] == "current", (account, path)
                assert behind.headers["x-assess-view"] == "behind", (account, path)


def test_a_write_is_read_back_at_once_whether_the_views_have_it_or_not(
    both: tuple[Api, Api],
) -> None:
    with_views, _ = both
    cycle = "2025-T02"  # still being scored
    before = with_views.as_("od").get(f"/cycles/{cycle}/audit").json()["total"]
    reply = with_views.as_("od").post(
        f"/cycles/{cycle}/actions",
        json={"do": "add_actor", "actor": "aud9", "role": "auditor"},
    )
    assert reply.status_code == 200, reply.text
    after = with_views.as_("od").get(f"/cycles/{cycle}/audit")
    assert after.json()["total"] == before + 1  # from the events if the views lag behind
    assert after.headers["x-assess-view"] in ("current", "behind")


def test_endpoints_that_do_not_read_views_say_nothing(both: tuple[Api, Api]) -> None:
    with_views, _ = both
    assert "x-assess-view" not in with_views.as_(ADMIN).get(f"/cycles/{PUBLISHED}").headers
    assert "x-assess-view" not in with_views.client.get("/healthz").headers
