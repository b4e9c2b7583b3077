"""Accounts: who you are; admins list, create and bind accounts to actors."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from assess.api.deps import AccountsDep, AdminAccount, AppDep, CurrentAccount, CycleId
from assess.api.models import AccountIn, AccountOut, BindingIn, PasswordIn
from assess.api.routers.cycles import REFUSALS
from assess.application.access import require_bindable
from assess.domain.errors import DomainError
from assess.infrastructure.accounts import Account

router = APIRouter(prefix="/users", tags=["users"])
AccountName = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/me", response_model=AccountOut, responses=REFUSALS)
def me(account: CurrentAccount) -> Account:
    """Your account and the actor it holds in each cycle."""
    return account


@router.get("", response_model=list[AccountOut], responses=REFUSALS)
def list_accounts(admin: AdminAccount, accounts: AccountsDep) -> list[Account]:
    return accounts.all()


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED, responses=REFUSALS)
def add_account(
    body: AccountIn, admin: AdminAccount, accounts: AccountsDep, app: AppDep
) -> Account:
    """A new account, bound to the given actors (cycle → actor id)."""
    for cycle, actor in body.actors.items():
        require_bindable(app, cycle, actor)
    return accounts.add(body.name, body.password, admin=body.admin, actors=body.actors)


@router.put("/{name}/password", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSALS)
def set_password(
    name: AccountName, body: PasswordIn, account: CurrentAccount, accounts: AccountsDep
) -> None:
    """Your own password, or anyone's for an admin."""
    if name != account.name and not account.admin:
        raise DomainError("permission_denied", "only an admin sets another account's password")
    accounts.set_password(name, body.password)


@router.put("/{name}/actors/{cycle_id}", response_model=AccountOut, responses=REFUSALS)
def bind_actor(
    name: AccountName,
    cycle_id: CycleId,
    body: BindingIn,
    admin: AdminAccount,
    accounts: AccountsDep,
    app: AppDep,
) -> Account:
    """The account acts as `actor` in the cycle (replacing its earlier actor there)."""
    require_bindable(app, cycle_id, body.actor)
    return accounts.bind(name, cycle_id, body.actor)


@router.delete("/{name}/actors/{cycle_id}", response_model=AccountOut, responses=REFUSALS)
def unbind_actor(
    name: AccountName, cycle_id: CycleId, admin: AdminAccount, accounts: AccountsDep
) -> Account:
    return accounts.unbind(name, cycle_id)
