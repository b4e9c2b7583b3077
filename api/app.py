"""The HTTP API: another entry point onto the application layer, with no rules of its own.

`create_app(url, settings)` builds the FastAPI app; the lifespan opens one
`AssessApp` and the account store per process on the database at `url` (else
`ASSESS_DB`, else the CLI default)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from assess.api import errors
from assess.api.auth import Tokens
from assess.api.demo import load_demo
from assess.api.deps import Services
from assess.api.routers import appeals, audit, auth, cycles, health, results, structure, users
from assess.api.settings import Settings
from assess.application.access import ActorDirectory
from assess.application.service import AssessApp
from assess.infrastructure.accounts import AccountStore, password_hasher
from assess.infrastructure.persistence import open_application, resolve_url

DESCRIPTION = """\
Annual party-building assessment cycles (综合考核), event-sourced. Every rule of the
product specification holds exactly as in the `assess` command line.

Authenticate with `POST /auth/token` (account name and password) and send the token as
`Authorization: Bearer <token>`. A request on a cycle acts as the actor your account
holds in that cycle. Refusals are `{"error", "message", "action_index"}` with status 403
(permission), 409 (stage, conflict, duplicate), 404 (not found), 422 (invalid input,
incomplete).
"""


def open_services(url: str, settings: Settings) -> Services:
    app = open_application(
        AssessApp,
        url,
        AGGREGATE_CACHE_MAXSIZE=str(settings.cache_size),
        READ_STALENESS_MS=str(settings.read_staleness_ms),
    )
    hasher = password_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    accounts = AccountStore(url, hasher)
    secret = settings.secret.get_secret_value() if settings.secret else accounts.token_secret()
    if settings.admin_password and not accounts.all():
        accounts.add("admin", settings.admin_password.get_secret_value(), admin=True)
    if settings.demo:
        load_demo(app, accounts)
    tokens = Tokens(secret, settings.token_hours)
    return Services(app, accounts, tokens, settings, ActorDirectory(app))


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
    )
    errors.install(api)
    for router in (auth, health, cycles, structure, results, audit, appeals, users):
        api.include_router(router.router)
    return api
