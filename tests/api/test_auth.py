"""Accounts and tokens: nothing but token, health and docs works without a valid token."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import sqlalchemy

from assess.api.auth import Tokens
from assess.infrastructure.accounts import Account, AccountStore, password_hasher
from assess.infrastructure.persistence import normalise_url
from tests.api.conftest import ADMIN, PASSWORD, SECRET, Api

OPEN = {"/auth/token", "/healthz", "/docs", "/openapi.json", "/redoc"}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_endpoint_but_token_health_and_docs_needs_a_token(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    assert api.client.get("/docs").status_code == 200
    assert api.client.get("/healthz").json() == {"status": "ok", "database": "ok"}
    checked = 0
    for path, operations in schema["paths"].items():
        if path in OPEN:
            continue
        url = path.format(
            cycle_id="c", appeal_id="a", name="n", year="2025", unit="u", sha256="0" * 64
        )
        for method in operations:
            reply = api.client.request(method.upper(), url)
            assert reply.status_code == 401, (method, path, reply.text)
            assert reply.json()["error"] == "unauthorized"
            assert reply.headers["WWW-Authenticate"] == "Bearer"
            checked += 1
    assert checked >= 12


def test_a_token_for_the_right_password_only(api: Api) -> None:
    good = api.client.post("/auth/token", data={"username": ADMIN, "password": PASSWORD})
    assert good.status_code == 200
    body = good.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == ADMIN and claims["exp"] - claims["iat"] == 8 * 3600
    for name, password in ((ADMIN, "wrong"), ("nobody", PASSWORD), ("", "")):
        bad = api.client.post("/auth/token", data={"username": name, "password": password})
        assert bad.status_code in (401, 422), bad.text
        assert bad.json()["error"] in ("unauthorized", "invalid_value")
    missing = api.client.post("/auth/token", data={"username": ADMIN})
    assert (missing.status_code, missing.json()["error"]) == (422, "invalid_value")
    assert "password" in missing.json()["message"]


def test_an_expired_token_is_rejected(api: Api) -> None:
    tokens = Tokens(SECRET, hours=1)
    root = Account(ADMIN, admin=True)
    old, _ = tokens.issue(root, now=datetime.now(UTC) - timedelta(hours=2))
    reply = api.client.get("/users/me", headers=_bearer(old))
    assert reply.status_code == 401 and "expired" in reply.json()["message"]
    fresh, _ = tokens.issue(root)
    assert api.client.get("/users/me", headers=_bearer(fresh)).status_code == 200


def test_a_tampered_or_foreign_token_is_rejected(api: Api) -> None:
    token = api.token(api.account("od"))
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = ADMIN  # try to become the admin
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    foreign = jwt.encode({"sub": ADMIN, "exp": datetime.now(UTC) + timedelta(hours=1)}, "o" * 40)
    unsigned = jwt.encode(
        {"sub": ADMIN, "exp": datetime.now(UTC) + timedelta(hours=1)}, None, "none"
    )
    no_exp = jwt.encode({"sub": ADMIN}, SECRET, algorithm="HS256")
    for bad in (f"{head}.{forged}.{signature}", foreign, unsigned, no_exp, "garbage", token[:-2]):
        reply = api.client.get("/users/me", headers=_bearer(bad))
        assert reply.status_code == 401, bad
        assert reply.json() | {"request_id": None} == {
            "error": "unauthorized",
            "message": "the token is not valid",
            "action_index": None,
            "request_id": None,
        }
    assert api.client.get("/users/me", headers=_bearer(token)).json()["name"] == "od"


def test_a_password_change_takes_effect(api: Api) -> None:
    api.account("od")
    change = {"password": "s3cret-pass", "current_password": PASSWORD}
    assert api.as_("od").put("/users/od/password", json=change).status_code == 204
    old = api.client.post("/auth/token", data={"username": "od", "password": PASSWORD})
    new = api.client.post("/auth/token", data={"username": "od", "password": "s3cret-pass"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_a_key_an_earlier_release_kept_in_the_database_is_deleted(db: str) -> None:
    """Anyone who could read the database could copy it and mint admin tokens."""
    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("CREATE TABLE settings (key TEXT, value TEXT)"))
        connection.execute(sqlalchemy.text("INSERT INTO settings VALUES ('token_secret', 'k')"))
    store = AccountStore(db, password_hasher(1, 1024))
    store.close()
    with engine.connect() as connection:
        rows = connection.execute(sqlalchemy.text("SELECT key FROM settings")).all()
    engine.dispose()
    assert rows == []
    assert not hasattr(store, "token_secret")
