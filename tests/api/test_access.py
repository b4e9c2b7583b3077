"""Who reads what (SPEC §4, application/access.py) and who acts: the actor comes from the
token."""

from __future__ import annotations

import pytest

from assess.application.access import ActorDirectory, Viewer
from assess.application.service import AssessApp
from assess.domain.errors import DomainError
from tests.api.conftest import ADMIN, PASSWORD, Api
from tests.seasons import APPROVE, CLOSE, PUBLISH, group_season, with_actions

SCORES = {"P1": ("90", "80", "85"), "P2": ("70", "75", "88"), "P3": ("95", "91", "93")}


@pytest.fixture
def reviewed(api: Api) -> str:
    """Scheme A, scored and closed: results version 1 exists, not yet published."""
    return api.run(with_actions(group_season(SCORES), CLOSE))


def _units(api: Api, name: str, cycle: str) -> list[str]:
    reply = api.as_(name).get(f"/cycles/{cycle}/results")
    assert reply.status_code == 200, reply.text
    return [row["unit"] for row in reply.json()["results"]]


def test_before_publication_a_unit_reads_only_its_own_results(api: Api, reviewed: str) -> None:
    assert _units(api, "u-P2", reviewed) == ["P2"]
    for reader in ("od", "lg", "aud", "as", ADMIN):
        assert sorted(_units(api, reader, reviewed)) == ["P1", "P2", "P3"]
    own = api.as_("u-P2").get(f"/cycles/{reviewed}/results").json()
    full = api.as_("aud").get(f"/cycles/{reviewed}/results").json()
    assert own["total"] == 1 and own["digest"] == full["digest"]
    csv = api.as_("u-P2").get(f"/cycles/{reviewed}/results", params={"format": "csv"})
    assert csv.content.decode("utf-8-sig").count("\r\n") == 2  # header and P2


def test_before_publication_a_rater_reads_no_results(api: Api, reviewed: str) -> None:
    reply = api.as_("r").get(f"/cycles/{reviewed}/results")
    assert (reply.status_code, reply.json()["error"]) == (403, "permission_denied")


def test_after_publication_every_actor_reads_every_unit(api: Api, reviewed: str) -> None:
    for action in (APPROVE, PUBLISH):
        assert api.act(reviewed, action).status_code == 200
    for reader in ("u-P2", "r"):
        assert sorted(_units(api, reader, reviewed)) == ["P1", "P2", "P3"]


def test_a_unit_reads_the_audit_of_its_own_unit_only(api: Api, reviewed: str) -> None:
    rows = api.as_("u-P1").get(f"/cycles/{reviewed}/audit").json()["rows"]
    assert rows and all("unit=P1" in row["summary"] for row in rows)
    other = api.as_("u-P1").get(f"/cycles/{reviewed}/audit", params={"unit": "P2"})
    assert other.status_code == 403
    rater = api.as_("r").get(f"/cycles/{reviewed}/audit").json()
    assert rater["total"] == 0  # the rater recorded nothing in this season
    assert api.as_("r").get(f"/cycles/{reviewed}/appeals").status_code == 403
    assert api.as_("u-P1").get(f"/cycles/{reviewed}/verify").status_code == 403


def test_an_account_without_an_actor_in_the_cycle(api: Api, reviewed: str) -> None:
    api.account("stranger")
    for path in ("", "/results", "/audit", "/appeals", "/verify"):
        reply = api.as_("stranger").get(f"/cycles/{reviewed}{path}")
        assert (reply.status_code, reply.json()["error"]) == (403, "permission_denied"), path
    assert api.as_("stranger").get("/cycles").json() == []
    assert [c["cycle"] for c in api.as_(ADMIN).get("/cycles").json()] == [reviewed]
    acting = api.as_(ADMIN).post(f"/cycles/{reviewed}/actions", json={"do": "approve_results"})
    assert (acting.status_code, acting.json()["error"]) == (403, "permission_denied")
    view = api.as_(ADMIN).get(f"/cycles/{reviewed}").json()["viewer"]
    assert view == {"account": ADMIN, "actor": None, "role": None, "unit": None}


def test_the_actor_is_the_token_s_never_the_body_s(api: Api, reviewed: str) -> None:
    """An assessor naming the leading group in `by` does not approve anything."""
    as_lg = {"do": "approve_results", "by": "lg"}
    reply = api.as_("as").post(f"/cycles/{reviewed}/actions", json=as_lg)
    assert (reply.status_code, reply.json()["error"]) == (422, "invalid_value")
    assert "by" in reply.json()["message"] and reply.json()["action_index"] == 0
    same = api.as_("lg").post(f"/cycles/{reviewed}/actions", json=as_lg)
    assert same.status_code == 200 and same.json()["stage"] == "approved"
    audit = api.as_("aud").get(f"/cycles/{reviewed}/audit", params={"verb": "approve_results"})
    assert [(row["actor"], row["role"]) for row in audit.json()["rows"]] == [
        ("lg", "leading_group")
    ]


def test_only_admins_create_cycles_and_manage_accounts(api: Api, reviewed: str) -> None:
    od = api.as_("od")
    header = {"format": "assess-season/1", "cycle": {"id": "x", "scheme": "group-party-org"}}
    assert od.post("/cycles", json=header).status_code == 403
    assert od.get("/users").status_code == 403
    assert od.post("/users", json={"name": "n", "password": "p"}).status_code == 403
    assert od.put(f"/users/r/actors/{reviewed}", json={"actor": "od"}).status_code == 403
    assert od.put("/users/lg/password", json={"password": "new-password"}).status_code == 403
    assert od.get("/users/me").json()["actors"] == {reviewed: "od"}
    own = {"password": "new-password", "current_password": PASSWORD}
    assert od.put("/users/od/password", json=own).status_code == 204


def test_an_admin_binds_accounts_to_actors(api: Api, reviewed: str) -> None:
    root = api.as_(ADMIN)
    for holder in ("u-P3", "aud"):  # each actor has an account of its own name
        assert root.delete(f"/users/{holder}/actors/{reviewed}").status_code == 200
    made = root.post(
        "/users", json={"name": "p3", "password": PASSWORD, "actors": {reviewed: "u-P3"}}
    )
    assert made.status_code == 201 and made.json()["actors"] == {reviewed: "u-P3"}
    assert _units(api, "p3", reviewed) == ["P3"]
    wrong = root.put(f"/users/p3/actors/{reviewed}", json={"actor": "nobody"})
    assert (wrong.status_code, wrong.json()["error"]) == (422, "invalid_value")
    assert root.put(f"/users/p3/actors/{reviewed}", json={"actor": "aud"}).status_code == 200
    assert len(_units(api, "p3", reviewed)) == 3
    assert root.delete(f"/users/p3/actors/{reviewed}").json()["actors"] == {}
    assert root.post("/users", json={"name": "p3", "password": PASSWORD}).status_code == 409
    assert any(entry["name"] == "p3" for entry in root.get("/users").json())


def test_an_actor_is_held_by_one_account(api: Api, reviewed: str) -> None:
    """Two accounts sharing one actor would make the audit trail name nobody."""
    root = api.as_(ADMIN)
    api.account("other")
    taken = root.put(f"/users/other/actors/{reviewed}", json={"actor": "lg"})
    assert (taken.status_code, taken.json()["error"]) == (409, "conflict")
    assert "account lg holds actor lg" in taken.json()["message"]
    made = root.post(
        "/users", json={"name": "p9", "password": PASSWORD, "actors": {reviewed: "lg"}}
    )
    assert made.status_code == 409
    assert root.get("/users").json() == [
        entry for entry in root.get("/users").json() if entry["name"] != "p9"
    ]


def test_a_retired_actor_cannot_be_bound(api: Api, reviewed: str) -> None:
    retired = api.act(reviewed, {"do": "retire_actor", "by": "od", "actor": "r", "reason": "调离"})
    assert retired.status_code == 200, retired.text
    root = api.as_(ADMIN)
    api.account("successor")
    refused = root.put(f"/users/successor/actors/{reviewed}", json={"actor": "r"})
    assert (refused.status_code, refused.json()["error"]) == (409, "conflict")
    assert api.services.accounts.get("successor").actors == {}


def test_the_rights_are_decided_from_plain_facts(memory_app: AssessApp) -> None:
    """No account store: the name, the admin flag and the actor held are enough."""
    cycle = memory_app.import_season(with_actions(group_season(SCORES), CLOSE)).cycle
    actors = ActorDirectory(memory_app).of(cycle)

    def viewer(admin: bool, holds: str | None) -> Viewer:
        return Viewer(memory_app, cycle, actors, account="someone", admin=admin, holds=holds)

    assert viewer(False, "u-P2").results_unit() == "P2"
    assert viewer(False, "aud").results_unit() is None
    with pytest.raises(DomainError, match="permission_denied: results are not published"):
        viewer(False, "r").results_unit()
    for stranger in (None, "nobody"):
        with pytest.raises(DomainError, match="account someone holds no actor in"):
            viewer(False, stranger)
    admin = viewer(True, "nobody")
    assert (admin.actor, admin.role, admin.results_unit()) == (None, None, None)
    with pytest.raises(DomainError, match="permission_denied"):
        admin.acting_actor()
