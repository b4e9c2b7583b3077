"""Over the API every event records the signed-in account (SPEC §4.1), shown in the audit."""

from __future__ import annotations

from assess.application.verify import verify_cycle
from tests.api.conftest import ADMIN, Api
from tests.seasons import group_season

SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})
VETO = {"do": "apply_veto", "unit": "P1", "basis": "other", "reason": "理由"}


def audit(api: Api, cycle: str, account: str = ADMIN, **query: str) -> list[dict]:
    reply = api.as_(account).get(f"/cycles/{cycle}/audit", params=query)
    assert reply.status_code == 200, reply.text
    return reply.json()["rows"]


def test_every_event_records_the_signed_in_account(api: Api) -> None:
    cycle = api.run(SEASON)  # created by ADMIN, each action by the account named like its actor
    rows = audit(api, cycle, limit="1000")
    assert rows[0]["verb"] == "create_cycle" and rows[0]["account"] == ADMIN
    assert all(row["account"] == row["actor"] for row in rows[1:])
    assert len(rows) == len(SEASON["actions"]) + 1
    assert verify_cycle(api.services.app, cycle).ok


def test_an_admin_bound_to_the_leading_group_vetoes_and_is_unbound(api: Api) -> None:
    cycle = api.run(SEASON)
    admin = api.account("admin", admin=True)
    freed = api.as_(ADMIN).delete(f"/users/lg/actors/{cycle}")  # an actor has one account
    assert freed.status_code == 200, freed.text
    bound = api.as_(admin).put(f"/users/{admin}/actors/{cycle}", json={"actor": "lg"})
    assert bound.status_code == 200, bound.text
    vetoed = api.as_(admin).post(f"/cycles/{cycle}/actions", json=VETO)
    assert vetoed.status_code == 200, vetoed.text
    unbound = api.as_(admin).delete(f"/users/{admin}/actors/{cycle}")
    assert unbound.status_code == 200, unbound.text

    rows = audit(api, cycle, verb="apply_veto")
    assert [(row["actor"], row["role"], row["account"]) for row in rows] == [
        ("lg", "leading_group", "admin")
    ]
    assert audit(api, cycle, account="aud", verb="apply_veto")[0]["account"] == "admin"
    refused = api.as_(admin).post(f"/cycles/{cycle}/actions", json=VETO)
    assert refused.status_code == 403, refused.text  # unbound: no actor here any more
    assert verify_cycle(api.services.app, cycle).ok
