"""Actors added and retired over HTTP, and who may date an action (SPEC §3)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import ADMIN, Api
from tests.seasons import header, performance_season

SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}
SHEET = {"do": "submit_sheet", "unit": "O3", "method": "self", "scores": {"G1": 85, "G2": 70}}


def mid_season(api: Api) -> str:
    """performance-evaluation in assessment; unit O3 was added in draft, without an actor."""
    season = performance_season(SCORES)
    season["actions"].insert(
        0, {"do": "add_unit", "by": "od", "id": "O3", "name": "新党支部", "category": "支部"}
    )
    return api.load(season)


def post(api: Api, account: str, cycle: str, action: dict[str, Any]) -> Any:
    return api.as_(account).post(f"/cycles/{cycle}/actions", json=action)


def test_an_added_actor_can_be_bound_and_act(api: Api) -> None:
    cycle = mid_season(api)
    add = {"do": "add_actor", "actor": "u-O3", "role": "unit", "unit": "O3"}
    assert post(api, "od", cycle, add).status_code == 200
    api.account("zhang")
    bound = api.as_(ADMIN).put(f"/users/zhang/actors/{cycle}", json={"actor": "u-O3"})
    assert bound.status_code == 200, bound.text

    reply = post(api, "zhang", cycle, SHEET)
    assert reply.status_code == 200, reply.text
    page = api.as_("zhang").get(f"/cycles/{cycle}").json()
    assert page["viewer"]["actor"] == "u-O3"


def test_a_retired_actors_account_can_no_longer_act(api: Api) -> None:
    cycle = mid_season(api)
    post(api, "od", cycle, {"do": "add_actor", "actor": "u-O3", "role": "unit", "unit": "O3"})
    api.account("zhang", **{cycle: "u-O3"})
    assert post(api, "zhang", cycle, SHEET).status_code == 200  # the actor map is read anew
    retire = {"do": "retire_actor", "actor": "u-O3", "reason": "调离"}
    assert post(api, "od", cycle, retire).status_code == 200

    reply = post(api, "zhang", cycle, SHEET)
    assert reply.status_code == 403
    assert reply.json()["error"] == "permission_denied"
    assert "retired" in reply.json()["message"]


def test_at_over_http_is_for_org_dept_only(api: Api) -> None:
    cycle = api.create(header("group-party-org", [{"id": "U1", "name": "一", "category": "c"}]))
    dated = {"do": "add_unit", "id": "U2", "at": "2025-03-01"}
    for account in ("lg", "u-U1", "as"):
        reply = post(api, account, cycle, {"actions": [{"do": "publish_items"}, dated]})
        assert reply.status_code == 422, reply.text
        assert reply.json()["error"] == "invalid_value"
        assert reply.json()["action_index"] == 1
    assert api.as_("od").get(f"/cycles/{cycle}").json()["events"] == 1  # nothing stored

    reply = post(api, "od", cycle, dated)
    assert reply.status_code == 200, reply.text
    assert api.as_("od").get(f"/cycles/{cycle}").json()["counts"]["units"] == 2
