"""Sessions and passwords (SPEC §4.1): the password rules, one's own change with the
current password, an admin's reset, disabling (never deleting), admin grants, and the
revocation of every earlier token by a password change, disabling or admin revocation."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import jwt
import pytest
import sqlalchemy

from assess.api.demo import ADMIN as DEMO_ADMIN
from assess.api.demo import _demo_accounts
from assess.domain.errors import DomainError
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import normalise_url
from tests.api.conftest import ADMIN, PASSWORD, SECRET, Api
from tests.conftest import store_agnostic

NEW = "a-new-password"


def sign_in(api: Api, name: str, password: str = PASSWORD) -> tuple[int, dict[str, str]]:
    """The status of the sign-in and, if it worked, the bearer header."""
    reply = api.client.post("/auth/token", data={"username": name, "password": password})
    if reply.status_code != 200:
        return reply.status_code, {}
    return 200, {"Authorization": f"Bearer {reply.json()['access_token']}"}


def refusal(reply) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return reply.status_code, reply.json()["error"]


@store_agnostic
@pytest.mark.parametrize(
    ("name", "password", "says"),
    [
        ("ana", "x", "at least 10 characters"),
        ("ana", "123456789", "at least 10 characters"),
        ("operator-1", "OPERATOR-1", "not be the account name"),
        ("ana", "password\x00-1", "control characters"),
        ("ana", "tab\tin-the-password", "control characters"),
    ],
)
def test_passwords_that_break_the_rules_are_refused(
    api: Api, name: str, password: str, says: str
) -> None:
    reply = api.as_(ADMIN).post("/users", json={"name": name, "password": password})
    assert refusal(reply) == (422, "invalid_value") and says in reply.json()["message"]
    assert api.services.accounts.get(name) is None
    api.account(name)
    reset = api.as_(ADMIN).put(f"/users/{name}/password", json={"password": password})
    assert refusal(reset) == (422, "invalid_value")
    assert [event["event"] for event in api.services.accounts.audit()] == ["AccountCreated"] * 2


@store_agnostic
def test_passwords_too_long_or_unencodable_are_refused_not_failed(api: Api) -> None:
    root = api.as_(ADMIN)
    too_long = root.post("/users", json={"name": "ana", "password": "p" * 1025})
    assert refusal(too_long) == (422, "invalid_value")
    assert root.post("/users", json={"name": "ana", "password": "p" * 1024}).status_code == 201
    surrogate = '{"password": "\\ud800-abcdefghijk", "current_password": "\\ud800"}'
    for body in (surrogate, surrogate.replace("ud800", "u0000")):
        reply = api.client.put(
            "/users/root/password",
            content=body,
            headers={**root.headers, "Content-Type": "application/json"},
        )
        assert refusal(reply) == (422, "invalid_value"), reply.text


def test_ones_own_password_needs_the_current_one(api: Api) -> None:
    api.account("ana")
    ana = api.as_("ana")
    missing = ana.put("/users/ana/password", json={"password": NEW})
    assert refusal(missing) == (422, "invalid_value")
    assert "current_password" in missing.json()["message"]
    wrong = ana.put("/users/ana/password", json={"password": NEW, "current_password": "guess-1234"})
    assert refusal(wrong) == (403, "permission_denied")
    assert ana.get("/users/me").status_code == 200  # refusals revoke nothing
    own = {"password": NEW, "current_password": PASSWORD}
    assert ana.put("/users/ana/password", json=own).status_code == 204

    revoked = ana.get("/users/me")  # the token issued before the change
    assert revoked.status_code == 401
    assert revoked.json()["message"] == "the token was revoked; sign in again"
    assert sign_in(api, "ana")[0] == 401
    status, fresh = sign_in(api, "ana", NEW)
    assert status == 200 and api.client.get("/users/me", headers=fresh).json()["name"] == "ana"
    # an admin changing its own password gives the current one too
    root = api.as_(ADMIN).put("/users/root/password", json={"password": NEW})
    assert refusal(root) == (422, "invalid_value")


def test_an_admin_resets_another_accounts_password(api: Api) -> None:
    api.account("ana")
    ana = api.as_("ana")
    assert ana.get("/users/me").status_code == 200
    reset = api.as_(ADMIN).put("/users/ana/password", json={"password": NEW, "reason": "lost"})
    assert reset.status_code == 204, reset.text
    assert ana.get("/users/me").status_code == 401
    assert (sign_in(api, "ana")[0], sign_in(api, "ana", NEW)[0]) == (401, 200)
    (event,) = api.services.accounts.audit("ana")[-1:]
    assert (event["event"], event["by"], event["reason"]) == ("PasswordChanged", ADMIN, "lost")
    others = api.as_("ana").put("/users/root/password", json={"password": NEW})
    assert refusal(others) == (401, "unauthorized")  # its token was revoked
    status, fresh = sign_in(api, "ana", NEW)
    denied = api.client.put("/users/root/password", json={"password": NEW}, headers=fresh)
    assert refusal(denied) == (403, "permission_denied")


def test_a_disabled_account_stays_but_cannot_sign_in(api: Api) -> None:
    api.account("ana", **{"c1": "lg"})
    ana = api.as_("ana")
    root = api.as_(ADMIN)
    assert refusal(ana.delete("/users/root")) == (403, "permission_denied")
    disabled = root.delete("/users/ana", params={"reason": "left the office"})
    assert disabled.status_code == 200, disabled.text
    assert disabled.json() == {
        "name": "ana",
        "admin": False,
        "actors": {"c1": "lg"},
        "disabled": True,
    }

    assert refusal(ana.get("/users/me")) == (401, "unauthorized")
    wrong = api.client.post("/auth/token", data={"username": "ana", "password": "wrong-pass"})
    right = api.client.post("/auth/token", data={"username": "ana", "password": PASSWORD})
    assert right.status_code == 401 and right.json()["message"] == wrong.json()["message"]
    listed = {entry["name"]: entry for entry in root.get("/users").json()}
    assert listed["ana"]["disabled"] and listed["ana"]["actors"] == {"c1": "lg"}
    assert root.delete("/users/ana").json()["disabled"]  # again: nothing changes
    history = root.get("/users/audit", params={"account": "ana"}).json()
    assert [(e["event"], e["by"], e["reason"]) for e in history][-1] == (
        "AccountDisabled",
        ADMIN,
        "left the office",
    )
    assert api.services.accounts.verify().ok

    assert root.post("/users/ana/enable").json()["disabled"] is False
    assert refusal(ana.get("/users/me")) == (401, "unauthorized")  # still revoked
    assert sign_in(api, "ana")[0] == 200
    assert [e["event"] for e in api.services.accounts.audit("ana")][-2:] == [
        "AccountDisabled",
        "AccountEnabled",
    ]


def test_the_last_enabled_admin_is_kept(api: Api) -> None:
    root = api.as_(ADMIN)
    for refused in (
        root.delete("/users/root"),
        root.put("/users/root/admin", json={"admin": False}),
    ):
        assert refusal(refused) == (409, "conflict")
        assert "last enabled admin" in refused.json()["message"]
    api.account("ana")
    assert root.put("/users/ana/admin", json={"admin": True}).json()["admin"] is True
    assert api.as_("ana").get("/users").status_code == 200  # admin now, same token
    revoked = api.as_("ana").put("/users/root/admin", json={"admin": False, "reason": "handover"})
    assert revoked.json() == {"name": "root", "admin": False, "actors": {}, "disabled": False}
    assert refusal(root.get("/users/me")) == (401, "unauthorized")  # revoking revokes tokens
    ana = api.as_("ana")
    assert refusal(ana.delete("/users/ana")) == (409, "conflict")
    assert refusal(ana.put("/users/ana/admin", json={"admin": False})) == (409, "conflict")
    assert ana.put("/users/root/admin", json={"admin": True}).is_success
    assert ana.delete("/users/ana").json()["disabled"]  # root is an admin again
    kinds = [event["event"] for event in api.services.accounts.audit()]
    assert kinds[-4:] == ["AdminGranted", "AdminRevoked", "AdminGranted", "AccountDisabled"]
    assert api.services.accounts.verify().ok


@store_agnostic
def test_tokens_of_another_generation_or_without_one_are_refused(api: Api) -> None:
    api.account("ana")
    ana = api.as_("ana")
    claims = jwt.decode(ana.headers["Authorization"][7:], SECRET, algorithms=["HS256"])
    assert claims["gen"] == 0
    for changed in ({"gen": 1}, {"gen": "0"}, {"gen": None}, {"gen": True}):
        token = jwt.encode(claims | changed, SECRET, algorithm="HS256")
        reply = api.client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
        assert refusal(reply) == (401, "unauthorized"), changed
    without = {key: value for key, value in claims.items() if key != "gen"}
    token = jwt.encode(without, SECRET, algorithm="HS256")
    reply = api.client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    assert reply.json()["message"] == "the token is not valid"


def test_names_no_account_can_have_fail_cleanly(api: Api) -> None:
    """A NUL byte in a name reached PostgreSQL and failed with a 500."""
    for name in ("a\x00b", "ana\n", "x" * 65):
        reply = api.client.post("/auth/token", data={"username": name, "password": PASSWORD})
        assert refusal(reply) == (401, "unauthorized"), name
    root = api.as_(ADMIN)
    for path in ("/users/a%00b/password", "/users/a%00b", "/users/a%0A", "/users/%ED%A0%80"):
        for reply in (
            root.put(path, json={"password": NEW}),
            root.delete(path),
            root.put(path + "/admin", json={"admin": True}),
        ):
            assert reply.status_code in (404, 405, 422), (path, reply.text)
    audit = root.get("/users/audit", params={"account": "a\x00b"})
    assert refusal(audit) == (422, "invalid_value")
    bad = api.as_(ADMIN).post("/users", json={"name": "ana\n", "password": PASSWORD})
    assert refusal(bad) == (422, "invalid_value")
    assert refusal(root.delete("/users/nobody")) == (404, "not_found")


@store_agnostic
def test_reasons_are_recorded_and_bounded(api: Api) -> None:
    root = api.as_(ADMIN)
    made = root.post("/users", json={"name": "ana", "password": PASSWORD, "reason": "hired"})
    assert made.status_code == 201
    assert root.delete("/users/ana", params={"reason": "x" * 10_001}).status_code == 422
    bad = root.put("/users/ana/admin", json={"admin": True, "reason": "bell\x07"})
    assert refusal(bad) == (422, "invalid_value")
    assert [event["reason"] for event in api.services.accounts.audit("ana")] == ["hired"]


# ---- the store ------------------------------------------------------------------------


@pytest.fixture
def store(db: str) -> Iterator[AccountStore]:
    opened = AccountStore(db, password_hasher(1, 1024))
    yield opened
    opened.close()


@store_agnostic
def test_demo_accounts_are_exempt_and_say_so(store: AccountStore) -> None:
    _demo_accounts(store, "server:demo")
    assert store.authenticate(*DEMO_ADMIN) is not None
    assert store.authenticate("od", "demo") is not None
    created = [event for event in store.audit() if event["event"] == "AccountCreated"]
    assert {event["reason"] for event in created} == {
        "demo account: exempt from the password rules"
    }
    with pytest.raises(DomainError) as refused:
        store.add("ana", "demo")
    assert refused.value.code == "invalid_value"


@store_agnostic
def test_hashing_is_bounded(db: str) -> None:
    bounded = AccountStore(db, password_hasher(1, 1024), hash_concurrency=2)
    try:
        bounded.add("ana", PASSWORD)
        assert bounded._hashing._value == 2  # released after use
        with bounded._hashing, bounded._hashing:  # every slot taken: a third waits
            assert not bounded._hashing.acquire(blocking=False)
    finally:
        bounded.close()


def test_accounts_of_the_previous_release_get_the_new_columns(db: str) -> None:
    """The release before kept `accounts(name, password_hash, admin, created)` and its
    token key in `settings`; two workers open it at once."""
    hasher = password_hasher(1, 1024)
    engine = sqlalchemy.create_engine(normalise_url(db))
    old = sqlalchemy.MetaData()
    table = sqlalchemy.Table(
        "accounts",
        old,
        sqlalchemy.Column("name", sqlalchemy.String(64), primary_key=True),
        sqlalchemy.Column("password_hash", sqlalchemy.String(255), nullable=False),
        sqlalchemy.Column("admin", sqlalchemy.Boolean, nullable=False),
        sqlalchemy.Column("created", sqlalchemy.DateTime(timezone=True), nullable=False),
    )
    old.create_all(engine)
    with engine.begin() as connection:
        row = {"password_hash": hasher.hash("old-pw"), "created": datetime.now(UTC)}
        connection.execute(sqlalchemy.insert(table).values(name="old", admin=True, **row))
    engine.dispose()

    workers = 2 if db.startswith("sqlite") else 4
    with ThreadPoolExecutor(max_workers=workers) as pool:
        stores = list(pool.map(lambda _: AccountStore(db, hasher), range(workers)))
    try:
        store = stores[0]
        columns = {
            column["name"] for column in sqlalchemy.inspect(store.engine).get_columns("accounts")
        }
        assert {"disabled", "sessions"} <= columns
        account = store.authenticate("old", "old-pw")  # its password predates the rules
        assert account is not None and (account.disabled, account.sessions) == (False, 0)
        store.add("new", PASSWORD, by="old")
        with pytest.raises(DomainError) as last:
            store.disable("old", by="old")
        assert last.value.code == "conflict"
        store.set_admin("new", True, by="old")
        assert store.disable("old", by="new").disabled
        assert store.authenticate("old", "old-pw") is None
        assert [event["event"] for event in store.audit()] == [
            "DirectoryOpened",
            "AccountCreated",
            "AdminGranted",
            "AccountDisabled",
        ]
        assert store.verify().ok
    finally:
        for each in stores:
            each.close()
