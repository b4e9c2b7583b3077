"""Accounts: who you are; admins list, create and bind accounts to actors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from assess.api.deps import AccountsDep, AdminAccount, AppDep, CurrentAccount, CycleId
from assess.api.models import AccountIn, AccountOut, BindingIn, DirectoryEventOut, PasswordIn
from assess.api.routers.cycles import REFUSALS
from assess.application.access import cycle_actors, require_bindable
from assess.application.service import AssessApp
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


@router.get("/audit", response_model=list[DirectoryEventOut], responses=REFUSALS)
def directory_audit(
    account: CurrentAccount,
    accounts: AccountsDep,
    app: AppDep,
    name: Annotated[str | None, Query(alias="account", max_length=64)] = None,
) -> list[dict[str, Any]]:
    """The account directory's events in order (SPEC §4.1), for admins and auditors;
    with `account`, those about that account or done by it."""
    if not (account.admin or _audits(app, account)):
        raise DomainError("permission_denied", "only admins and auditors read the directory")
    return accounts.audit(name)


def _audits(app: AssessApp, account: Account) -> bool:
    """The account holds an auditor actor in some cycle."""
    for cycle, actor in account.actors.items():
        try:
            entry = cycle_actors(app, cycle).get(actor)
        except DomainError:  # a cycle that is not stored
            continue
        if entry is not None and entry.get("role") == "auditor":
            return True
    return False


@router.post("", response_model=AccountOut, status_code=status.HTTP_201_CREATED, responses=REFUSALS)
def add_account(
    body: AccountIn, admin: AdminAccount, accounts: AccountsDep, app: AppDep
) -> Account:
    """A new account, bound to the given actors (cycle → actor id)."""
    for cycle, actor in body.actors.items():
        require_bindable(app, cycle, actor)
    return accounts.add(
        body.name, body.password, admin=body.admin, actors=body.actors, by=admin.name
    )


@router.put("/{name}/password", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSALS)
def set_password(
    name: AccountName, body: PasswordIn, account: CurrentAccount, accounts: AccountsDep
) -> None:
    """Your own password, or anyone's for an admin."""
    if name != account.name and not account.admin:
        raise DomainError("permission_denied", "only an admin sets another account's password")
    accounts.set_password(name, body.password, by=account.name)


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
    return accounts.bind(name, cycle_id, body.actor, by=admin.name)


@router.delete("/{name}/actors/{cycle_id}", response_model=AccountOut, responses=REFUSALS)
def unbind_actor(
    name: AccountName, cycle_id: CycleId, admin: AdminAccount, accounts: AccountsDep
) -> Account:
    return accounts.unbind(name, cycle_id, by=admin.name)
