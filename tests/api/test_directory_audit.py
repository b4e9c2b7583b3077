"""`GET /users/audit` (SPEC §4.1): the account directory's events, for admins and
auditors; "an operator bound itself to the leading group, acted, and unbound" is
visible in full."""

from __future__ import annotations

from assess.domain.directory import GENESIS
from tests.api.conftest import ADMIN, PASSWORD, Api
from tests.api.test_accounts_in_events import SEASON, VETO, audit


def directory(api: Api, reader: str = ADMIN, about: str | None = None) -> list[dict]:
    reply = api.as_(reader).get("/users/audit", params={"account": about} if about else {})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_the_operator_bound_itself_acted_and_unbound(api: Api) -> None:
    cycle = api.run(SEASON)
    admin = api.account("admin", admin=True)
    assert api.as_(ADMIN).delete(f"/users/lg/actors/{cycle}").status_code == 200
    assert api.as_(admin).put(f"/users/{admin}/actors/{cycle}", json={"actor": "lg"}).is_success
    assert api.as_(admin).post(f"/cycles/{cycle}/actions", json=VETO).is_success
    assert api.as_(admin).delete(f"/users/{admin}/actors/{cycle}").is_success

    events = directory(api, reader="aud", about=admin)  # read by the auditor
    bindings = [(event["event"], event["by"], event["data"]) for event in events[-2:]]
    assert bindings == [
        (
            "ActorBound",
            "admin",
            {"account": "admin", "cycle": cycle, "actor": "lg", "replaced": None},
        ),
        ("ActorUnbound", "admin", {"account": "admin", "cycle": cycle, "actor": "lg"}),
    ]
    freed = [event for event in directory(api) if event["event"] == "ActorUnbound"][0]
    assert (freed["by"], freed["data"]["account"]) == (ADMIN, "lg")
    (veto,) = audit(api, cycle, verb="apply_veto")
    assert (veto["actor"], veto["account"]) == ("lg", "admin")
    assert api.services.accounts.verify().ok


def test_changes_over_the_api_record_the_signed_in_account(api: Api) -> None:
    reply = api.as_(ADMIN).post("/users", json={"name": "ana", "password": PASSWORD})
    assert reply.status_code == 201, reply.text
    change = {"password": "password-2", "current_password": PASSWORD, "reason": "rotated"}
    changed = api.as_("ana").put("/users/ana/password", json=change)
    assert changed.status_code == 204, changed.text
    root = api.as_(ADMIN)
    assert root.put("/users/ana/admin", json={"admin": True, "reason": "ops"}).is_success
    assert root.put("/users/ana/admin", json={"admin": False}).is_success
    assert root.delete("/users/ana", params={"reason": "left"}).json()["disabled"] is True
    assert root.post("/users/ana/enable", json={"reason": "back"}).json()["disabled"] is False
    events = directory(api, about="ana")
    assert [(event["event"], event["by"], event["reason"]) for event in events] == [
        ("AccountCreated", ADMIN, None),
        ("PasswordChanged", "ana", "rotated"),
        ("AdminGranted", ADMIN, "ops"),
        ("AdminRevoked", ADMIN, None),
        ("AccountDisabled", ADMIN, "left"),
        ("AccountEnabled", ADMIN, "back"),
    ]
    assert all(event["data"] == {"account": "ana"} for event in events[1:])
    assert api.services.accounts.verify().ok
    first = directory(api)[0]
    assert first["position"] == 1 and len(first["chain"]) == len(GENESIS)


def test_only_admins_and_auditors_read_the_directory(api: Api) -> None:
    api.run(SEASON)
    for reader in ("od", "lg", api.account("nobody")):
        reply = api.as_(reader).get("/users/audit")
        assert reply.status_code == 403, (reader, reply.text)
        assert reply.json()["error"] == "permission_denied"
    assert directory(api, reader="aud")  # the season's auditor
    api.account("stray", **{"no-such-cycle": "aud"})  # a binding to a cycle not stored
    assert api.as_("stray").get("/users/audit").status_code == 403
