"""What endpoints are given: the services of this process, the caller, the cycle's viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import OAuth2PasswordBearer

from assess.api.access import viewer_of
from assess.api.auth import Tokens
from assess.api.errors import Unauthorized
from assess.api.health_probe import Probe
from assess.api.models import CYCLE_ID
from assess.api.settings import Settings
from assess.api.sign_in_gate import SignInGate
from assess.application.access import ActorDirectory, Viewer
from assess.application.service import AssessApp
from assess.domain.errors import DomainError
from assess.infrastructure.accounts import Account, AccountStore
from assess.infrastructure.view_runner import Follower

bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


@dataclass
class Services:
    """One per process, built in the lifespan."""

    app: AssessApp
    accounts: AccountStore
    tokens: Tokens
    settings: Settings
    actors: ActorDirectory
    sign_in: SignInGate
    health: Probe
    views: Follower | None = None

    def close(self) -> None:
        if self.views is not None:
            self.views.close()
        self.accounts.close()
        self.app.close()


# Dependencies without I/O are `async def`: they run on the event loop, not in a thread.
# Those that read the store, take a lock or may replay a cycle are plain `def`: FastAPI
# runs them in its thread pool, so that they never hold up the event loop.
async def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


# Each level of dependencies costs FastAPI time on every request: these read the
# services straight from the request rather than through `ServicesDep`.
async def get_app(request: Request) -> AssessApp:
    return request.app.state.services.app


async def get_accounts(request: Request) -> AccountStore:
    return request.app.state.services.accounts


AppDep = Annotated[AssessApp, Depends(get_app)]
AccountsDep = Annotated[AccountStore, Depends(get_accounts)]


def current_account(request: Request, token: Annotated[str | None, Depends(bearer)]) -> Account:
    """The bearer's account (read from the store once its cached copy is too old): an
    enabled account whose tokens were not revoked since this one was issued. This
    process sees a revocation at once; other workers within `account_cache_seconds`."""
    if not token:
        raise Unauthorized("a bearer token is required: POST /auth/token")
    return account_of_token(request.app.state.services, token)


def account_of_token(services: Services, token: str) -> Account:
    """The account a token was issued to, if it is still good (`current_account`); the
    web console's session cookie carries the same token."""
    name, generation = services.tokens.bearer(token)
    account = services.accounts.cached(name, services.settings.account_cache_seconds)
    if account is None:
        raise Unauthorized(f"account {name!r} no longer exists")
    if account.disabled:
        raise Unauthorized(f"account {name} is disabled")
    if account.sessions != generation:
        raise Unauthorized("the token was revoked; sign in again")
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


async def admin_account(account: CurrentAccount) -> Account:
    if not account.admin:
        raise DomainError("permission_denied", f"account {account.name} is not an admin")
    return account


AdminAccount = Annotated[Account, Depends(admin_account)]
CycleId = Annotated[str, Path(pattern=CYCLE_ID, examples=["2025-group-party-org"])]


def get_viewer(account: CurrentAccount, cycle_id: CycleId, request: Request) -> Viewer:
    """The account looking at the cycle: reads the cycle's actors, the first time from
    the store (a cold cycle is replayed from its snapshot)."""
    services: Services = request.app.state.services
    return viewer_of(services.app, cycle_id, services.actors.of(cycle_id), account)


ViewerDep = Annotated[Viewer, Depends(get_viewer)]
