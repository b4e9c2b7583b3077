"""GET /tree/{year} and /units/{unit}/history (SPEC §9) over HTTP: what each account may
read (SPEC §4), and `run_by` and `parent` through the API's season header and add_unit."""

from __future__ import annotations

import copy

import pytest

from assess.api.app import create_app
from tests.api.conftest import ADMIN, Api
from tests.organisation_seasons import (
    T1_HISTORY,
    TREE_2024,
    TREE_2025,
    organisation_seasons,
)
from tests.seasons import performance_season


@pytest.fixture
def loaded(api: Api) -> Api:
    """The seasons imported; an account per actor id, holding it in every season that has
    it (`od` in all five, `u-T1` in the city's two, `u-W1` in t2-2025 only)."""
    for season in organisation_seasons():
        api.load(season)
    return api


def cycles_of(api: Api, account: str, year: int) -> list[str]:
    reply = api.as_(account).get(f"/tree/{year}")
    assert reply.status_code == 200, reply.text
    return [entry["cycle"] for entry in reply.json()["cycles"]]


def history_of(api: Api, account: str, unit: str) -> list[str]:
    reply = api.as_(account).get(f"/units/{unit}/history")
    assert reply.status_code == 200, reply.text
    return [entry["cycle"] for entry in reply.json()["entries"]]


def test_an_admin_reads_the_whole_tree_and_history(loaded: Api) -> None:
    assert loaded.as_(ADMIN).get("/tree/2025").json() == TREE_2025
    assert loaded.as_(ADMIN).get("/tree/2024").json() == TREE_2024
    assert loaded.as_(ADMIN).get("/tree/1999").json() == {"year": 1999, "cycles": []}
    assert loaded.as_(ADMIN).get("/units/T1/history").json() == T1_HISTORY
    assert loaded.as_("od").get("/tree/2025").json() == TREE_2025  # od in every cycle


def test_the_tree_lists_only_the_cycles_the_account_holds_an_actor_in(loaded: Api) -> None:
    assert cycles_of(loaded, "u-W1", 2025) == ["t2-2025"]
    assert cycles_of(loaded, "u-W1", 2024) == []
    town = loaded.as_("u-T1").get("/tree/2025").json()["cycles"]
    assert [(entry["cycle"], entry["below"]) for entry in town] == [("c-2025", [])]
    assert cycles_of(loaded, "u-V1", 2025) == ["t1-2025"]  # not the city's, nor T2's


def test_a_retired_actor_no_longer_reads_its_cycle(loaded: Api) -> None:
    retire = {"do": "retire_actor", "actor": "u-W1", "reason": "撤并"}
    assert loaded.act("t2-2025", {**retire, "by": "od"}).status_code == 200
    assert cycles_of(loaded, "u-W1", 2025) == []


def test_history_lists_the_rows_the_account_may_read(loaded: Api) -> None:
    assert history_of(loaded, "u-T1", "T1") == ["c-2024", "c-2025"]  # its own unit
    assert history_of(loaded, "as", "T1") == ["c-2024", "c-2025"]  # a reader of everything
    # c-2025 is published, c-2024 still in review: another unit, a rater read only the former
    assert history_of(loaded, "u-T2", "T1") == ["c-2025"]
    assert history_of(loaded, "r", "T1") == ["c-2025"]
    assert history_of(loaded, "u-W1", "T1") == []  # no actor in the city's cycles
    assert history_of(loaded, "u-V2", "V1") == ["t1-2024"]  # t1-2025 is in review
    assert loaded.as_("u-W1").get("/units/nobody/history").json() == {
        "unit": "nobody",
        "entries": [],
    }


@pytest.mark.parametrize(
    "path",
    [
        "/tree/10000",
        "/tree/-1",
        "/tree/2025a",
        "/units/T%201/history",
        "/units/T%0A1/history",
        f"/units/{'T' * 65}/history",
    ],
)
def test_a_malformed_year_or_unit_is_422(loaded: Api, path: str) -> None:
    reply = loaded.as_("od").get(path)
    assert reply.status_code == 422, reply.text
    assert reply.json()["error"] == "invalid_value"


def test_both_need_a_signed_in_account(loaded: Api) -> None:
    assert loaded.client.get("/tree/2025").status_code == 401
    assert loaded.client.get("/units/T1/history").status_code == 401


def test_run_by_and_parent_come_through_the_season_header_and_add_unit(api: Api) -> None:
    season = performance_season({"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}})
    season["cycle"]["run_by"] = "T01"
    season["units"][0]["parent"] = "T01"
    cycle = api.create(season)
    added = api.act(cycle, {"do": "add_unit", "by": "od", "id": "O2", "parent": "T01"})
    assert added.status_code == 200, added.text
    document = api.as_("od").get(f"/cycles/{cycle}/structure").json()
    assert document["run_by"] == "T01"
    assert [unit["parent"] for unit in document["units"]] == ["T01", "T01"]
    malformed = copy.deepcopy(season)
    malformed["cycle"].update(id="other", run_by="T 01")
    refused = api.as_(ADMIN).post("/cycles", json=api_header(malformed))
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_value"
    assert "run_by" in refused.json()["message"]
    parent = api.act(cycle, {"do": "add_unit", "by": "od", "id": "O3", "parent": "O3"})
    assert parent.status_code == 422 and "own parent" in parent.json()["message"]


def api_header(season: dict) -> dict:
    return {key: season[key] for key in ("format", "cycle", "rules", "actors", "units")}


def test_the_openapi_documents_both_and_the_new_fields() -> None:
    spec = create_app("sqlite:///:memory:").openapi()
    assert {"/tree/{year}", "/units/{unit}/history"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert "parent" in schemas["AddUnitAction"]["properties"]
    assert "run_by" in schemas["CycleHeaderIn"]["properties"]
    assert "parent" in schemas["UnitIn"]["properties"]
    assert list(schemas["HistoryEntryOut"]["properties"]) == list(T1_HISTORY["entries"][0])
    assert list(schemas["TreeCycleOut"]["properties"]) == list(TREE_2025["cycles"][0])
