"""The HTTP API: another entry point onto the application layer, with no rules of its own.

`create_app(url, settings)` builds the FastAPI app; the lifespan opens one
`AssessApp` and the account store per process on the database at `url` (else
`ASSESS_DB`, else the CLI default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from assess.api import console, docs, errors
from assess.api.auth import Tokens
from assess.api.demo import load_demo
from assess.api.deps import Services
from assess.api.health_probe import Probe
from assess.api.middleware import BodyLimit, Edge, upload_limits
from assess.api.routers import (
    appeals,
    audit,
    auth,
    cycles,
    files,
    health,
    organisation,
    results,
    sheets,
    stats,
    structure,
    users,
)
from assess.api.settings import Settings
from assess.api.sign_in_gate import SignInGate
from assess.application.access import ActorDirectory
from assess.application.service import AssessApp
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import open_application, resolve_url
from assess.infrastructure.signing_key import SigningKey, signing_key
from assess.infrastructure.view_runner import Follower

DESCRIPTION = """\
Annual party-building assessment cycles (综合考核), event-sourced. Every rule of the
product specification holds exactly as in the `assess` command line.

Authenticate with `POST /auth/token` (account name and password) and send the token as
`Authorization: Bearer <token>`. A request on a cycle acts as the actor your account
holds in that cycle. Refusals are `{"error", "message", "action_index", "request_id"}`
with status 403 (permission), 409 (stage, conflict, duplicate), 404 (not found), 422
(invalid input, incomplete), 401 (no valid token), 413 (a body over the limit, 16 MiB by
default; an evidence file over 20 MiB) and 429 (too many failed sign-ins for a name; see
`Retry-After`).
"""


def open_services(url: str, settings: Settings) -> Services:
    """The services of one process; KeyRefused (nothing opened) without a signing key."""
    key = service_key(url, settings)
    limits = settings.db_limits()
    app = open_application(
        AssessApp,
        url,
        AGGREGATE_CACHE_MAXSIZE=str(settings.cache_size),
        READ_STALENESS_MS=str(settings.read_staleness_ms),
        MAX_FILE_MB=str(settings.max_file_mb),
        **limits.as_env(),
    )
    hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    accounts = AccountStore(url, hasher, hash_concurrency=settings.hash_concurrency, limits=limits)
    admin_password = settings.admin_password.get_secret_value() if settings.admin_password else ""
    if admin_password and not accounts.all():  # the first start of a deployment
        accounts.add("admin", admin_password, admin=True, reason="ASSESS_ADMIN_PASSWORD")
    if settings.demo:
        load_demo(app, accounts)
    tokens = Tokens(key.secret, settings.token_hours)
    gate = SignInGate.open(accounts, settings)

    def ping() -> None:  # both stores: the accounts' engine and the events' recorder
        accounts.ping()
        app.recorder.max_notification_id()

    views = Follower(app).start() if settings.views else None
    return Services(app, accounts, tokens, settings, ActorDirectory(app), gate, Probe(ping), views)


def service_key(url: str, settings: Settings) -> SigningKey:
    secret = settings.secret.get_secret_value() if settings.secret else None
    return signing_key(url, secret, demo=settings.demo)


def create_app(url: str | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    resolved = resolve_url(url or settings.db)

    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        services = open_services(resolved, settings)
        api.state.services = services
        try:
            yield
        finally:
            services.close()

    api = FastAPI(
        title="assess",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served by api/docs.py, from local assets
        redoc_url=None,
    )
    errors.install(api)
    console.install(api)
    routers = (
        auth,
        health,
        cycles,
        structure,
        results,
        sheets,
        files,
        stats,
        audit,
        appeals,
        organisation,
        users,
        docs,
    )
    for router in routers:
        api.include_router(router.router)
    # The last added is the outermost: Edge sees the 413 of BodyLimit too.
    api.add_middleware(
        BodyLimit, max_mib=settings.max_body_mb, larger=upload_limits(settings.max_file_mb)
    )
    api.add_middleware(Edge)
    return api
