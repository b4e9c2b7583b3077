"""SPEC §2.0 over HTTP: request bodies are read exactly (a JSON number is a Decimal, never
a float); a refused figure is a 422 with the stable error body and nothing stored."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from tests.api.conftest import ADMIN, Api, as_json
from tests.conftest import store_agnostic
from tests.number_cases import ACCEPTED, GROUP, REFUSED, SCORE, Case, seasons
from tests.seasons import APPROVE, CLOSE, PUBLISH, group_season, leadership_season, with_actions

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def cycles(api: Api) -> Api:
    for season in seasons():
        api.load(season)
    return api


def post_text(api: Api, account: str, url: str, body: str) -> Any:
    """The body sent as written: no client-side JSON encoder touches its numbers."""
    headers = {**api.as_(account).headers, **JSON}
    return api.client.post(url, content=body.encode("utf-8"), headers=headers)


def events(api: Api, cycle: str) -> int:
    return int(api.as_(ADMIN).get(f"/cycles/{cycle}").json()["events"])


def assert_refused(reply: Any, message: str, index: int | None = 0) -> None:
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert set(body) == {"error", "message", "action_index", "request_id"}
    assert body["error"] == "invalid_value" and body["action_index"] == index
    assert message in body["message"] and "\n" not in body["message"]
    assert len(body["message"]) < 300


@store_agnostic  # refused in the domain, before the store
@pytest.mark.parametrize("case", REFUSED)
def test_refused_figure(cycles: Api, case: Case) -> None:
    before = events(cycles, case.cycle)
    reply = post_text(cycles, "as", f"/cycles/{case.cycle}/actions", case.action())
    assert_refused(reply, case.message)
    assert events(cycles, case.cycle) == before


@store_agnostic
@pytest.mark.parametrize("case", REFUSED[:3])
def test_refused_figure_in_a_batch(cycles: Api, case: Case) -> None:
    before = events(cycles, case.cycle)
    body = f'{{"actions": [{SCORE % "80"}, {case.action()}]}}'
    assert_refused(post_text(cycles, "as", f"/cycles/{GROUP}/actions", body), case.message, 1)
    assert events(cycles, case.cycle) == before


@store_agnostic
@pytest.mark.parametrize("case", ACCEPTED)
def test_figure_on_its_bound_is_stored(cycles: Api, case: Case) -> None:
    before = events(cycles, case.cycle)
    reply = post_text(cycles, "as", f"/cycles/{case.cycle}/actions", case.action())
    assert reply.status_code == 200, reply.text
    assert events(cycles, case.cycle) == before + 1


@store_agnostic
def test_malformed_body_keeps_the_stable_error(cycles: Api) -> None:
    reply = post_text(cycles, "as", f"/cycles/{GROUP}/actions", '{"do": "submit_score", ')
    assert_refused(reply, "JSON decode error", None)


@store_agnostic
def test_season_header_figures_are_read_exactly(api: Api) -> None:
    """A rule written with 20 decimals reaches the domain as written (a float made it 2):
    stored exactly, or refused by the rule's own checks, never silently rounded."""
    header = as_json({key: value for key, value in group_season({}).items() if key != "actions"})
    text = json.dumps(header).replace('"rules": {}', '"rules": {"national_points": %s}')
    written = "2.00000000000000000001"
    reply = post_text(api, ADMIN, "/cycles", text % written)
    if reply.status_code == 201:
        assert api.services.app.current(GROUP).rules["national_points"] == Decimal(written)
    else:
        assert_refused(reply, "national_points", None)
    huge_year = json.dumps(header).replace('"year": 2025', '"year": ' + "9" * 5000)
    reply = post_text(api, ADMIN, "/cycles", huge_year.replace(GROUP, "t-huge"))
    assert_refused(reply, "year", None)
    assert [entry["cycle"] for entry in api.as_(ADMIN).get("/cycles").json()] in ([], [GROUP])


@pytest.mark.parametrize("written", ["-0.00", "-0"])
def test_negative_zero_is_stored_and_published_as_zero(cycles: Api, written: str) -> None:
    url = f"/cycles/{GROUP}/actions"
    assert post_text(cycles, "as", url, SCORE % written).status_code == 200
    for action in (CLOSE, APPROVE, PUBLISH):  # undated: over HTTP the server dates them
        undated = {key: value for key, value in action.items() if key != "at"}
        assert cycles.act(GROUP, undated).status_code == 200
    od = cycles.as_("od")
    results = od.get(f"/cycles/{GROUP}/results").json()
    row = next(row for row in results["results"] if row["unit"] == "P1")
    assert row["components"]["year_end"] == "0.00"
    audit = od.get(f"/cycles/{GROUP}/audit").json()
    assert f"value={written.removeprefix('-')}" in audit["rows"][-4]["summary"]
    outputs = [
        od.get(f"/cycles/{GROUP}/results").text,
        od.get(f"/cycles/{GROUP}/results", params={"format": "csv"}).text,
        od.get(f"/cycles/{GROUP}/audit").text,
    ]
    assert all("-0.0" not in output for output in outputs)


@store_agnostic
@pytest.mark.parametrize(
    ("written", "message"),
    [("99.999999999999999999", "more than 2 decimals"), ("1e30", "between 0 and 100")],
)
def test_appeal_preview_corrections_are_read_exactly(api: Api, written: str, message: str) -> None:
    towns = {"T1": (["好"], "first", "95"), "T2": (["好"], "first", "90")}
    quotas = {"town": {"top": 1, "bottom": 1}}
    appeal = {"do": "file_appeal", "by": "u-T2", "appeal": "ap", "reason": "异议"}
    appeal["at"] = "2026-03-05"  # in the window of PUBLISH (an undated appeal is dated today)
    season = with_actions(leadership_season(towns, quotas=quotas), CLOSE, APPROVE, PUBLISH, appeal)
    cycle = api.load(season)
    body = '{"corrections": [{"kind": "score", "item": "K1", "value": ' + written + "}]}"
    reply = post_text(api, "od", f"/cycles/{cycle}/appeals/ap/preview", body)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"] == "invalid_value" and message in reply.json()["message"]
