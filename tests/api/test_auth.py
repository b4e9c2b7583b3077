"""Accounts and tokens: nothing but token, health and docs works without a valid token."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt

from assess.api.auth import Tokens
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
        url = path.format(cycle_id="c", appeal_id="a", name="n")
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
    old, _ = tokens.issue(ADMIN, now=datetime.now(UTC) - timedelta(hours=2))
    reply = api.client.get("/users/me", headers=_bearer(old))
    assert reply.status_code == 401 and "expired" in reply.json()["message"]
    fresh, _ = tokens.issue(ADMIN)
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
        assert reply.json() == {
            "error": "unauthorized",
            "message": "the token is not valid",
            "action_index": None,
        }
    assert api.client.get("/users/me", headers=_bearer(token)).json()["name"] == "od"


def test_a_password_change_takes_effect(api: Api) -> None:
    api.account("od")
    assert api.as_("od").put("/users/od/password", json={"password": "s3cret"}).status_code == 204
    old = api.client.post("/auth/token", data={"username": "od", "password": PASSWORD})
    new = api.client.post("/auth/token", data={"username": "od", "password": "s3cret"})
    assert (old.status_code, new.status_code) == (401, 200)


def test_the_secret_is_kept_in_the_database_when_not_configured(db: str) -> None:
    from assess.infrastructure.accounts import AccountStore

    first, second = AccountStore(db), AccountStore(db)
    try:
        assert first.token_secret() == second.token_secret()
        assert len(first.token_secret()) >= 32
    finally:
        first.close()
        second.close()
