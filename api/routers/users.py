"""Accounts: who you are; admins list, create, bind, disable and grant admin (SPEC §4.1).

Every change takes an optional `reason` (body field; query parameter for DELETE),
recorded with the signed-in account in the directory's event."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status

from assess.api.deps import AccountsDep, AdminAccount, AppDep, CurrentAccount, CycleId
from assess.api.idempotency import IdempotencyKey
from assess.api.models import (
    ACCOUNT_NAME,
    AccountIn,
    AccountOut,
    AdminIn,
    BindingIn,
    DirectoryEventOut,
    PasswordIn,
    ReasonIn,
)
from assess.api.routers.cycles import REFUSALS
from assess.application.access import cycle_actors, require_bindable
from assess.application.service import AssessApp
from assess.domain.errors import DomainError
from assess.domain.requests import request_of
from assess.domain.texts import FREE, LONGEST
from assess.infrastructure.accounts import Account

router = APIRouter(prefix="/users", tags=["users"])
AccountName = Annotated[str, Path(pattern=ACCOUNT_NAME, examples=["od"])]
ReasonQuery = Annotated[
    str | None,
    Query(max_length=LONGEST[FREE], description="Why: recorded in the account directory."),
]


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
    name: Annotated[str | None, Query(alias="account", pattern=ACCOUNT_NAME)] = None,
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
    body: AccountIn,
    admin: AdminAccount,
    accounts: AccountsDep,
    app: AppDep,
    key: IdempotencyKey = None,
) -> Account:
    """A new account, bound to the given actors (cycle → actor id). The password: at
    least 10 characters, not the account name. Sent again with the same
    `Idempotency-Key` and body, it changes nothing and answers the account as it is now
    (the password is left out of what the key is compared with: the directory never
    keeps anything derived from it)."""
    asked = {"by": admin.name, "post": "/users", "body": body.model_dump(exclude={"password"})}
    request = request_of(key, asked)
    for cycle, actor in body.actors.items():
        require_bindable(app, cycle, actor)
    return accounts.add(
        body.name,
        body.password,
        admin=body.admin,
        actors=body.actors,
        by=admin.name,
        reason=body.reason,
        request=request,
    )


@router.put("/{name}/password", status_code=status.HTTP_204_NO_CONTENT, responses=REFUSALS)
def set_password(
    name: AccountName, body: PasswordIn, account: CurrentAccount, accounts: AccountsDep
) -> None:
    """Your own password, given `current_password` (an admin too); an admin resets another
    account's without it. Every token of the account issued before stops working, the
    caller's own included: sign in again."""
    if name == account.name:
        if body.current_password is None:
            raise DomainError(
                "invalid_value", "current_password is required to change your own password"
            )
        current: str | None = body.current_password
    elif account.admin:
        current = None  # an admin's reset
    else:
        raise DomainError("permission_denied", "only an admin sets another account's password")
    accounts.set_password(name, body.password, by=account.name, reason=body.reason, current=current)


@router.delete("/{name}", response_model=AccountOut, responses=REFUSALS)
def disable_account(
    name: AccountName, admin: AdminAccount, accounts: AccountsDep, reason: ReasonQuery = None
) -> Account:
    """Disables the account: it cannot sign in, its tokens are refused. Accounts are
    never deleted: it stays listed (`disabled: true`) with its history and bindings.
    Refused (409) for the last enabled admin."""
    return accounts.disable(name, by=admin.name, reason=reason)


@router.post("/{name}/enable", response_model=AccountOut, responses=REFUSALS)
def enable_account(
    name: AccountName,
    admin: AdminAccount,
    accounts: AccountsDep,
    body: ReasonIn | None = None,
    key: IdempotencyKey = None,
) -> Account:
    """A disabled account may sign in again (its earlier tokens stay revoked). Sent
    again with the same `Idempotency-Key` and body, it changes nothing."""
    reason = body.reason if body else None
    asked = {"by": admin.name, "post": f"/users/{name}/enable", "reason": reason}
    request = request_of(key, asked)
    return accounts.enable(name, by=admin.name, reason=reason, request=request)


@router.put("/{name}/admin", response_model=AccountOut, responses=REFUSALS)
def set_admin(
    name: AccountName, body: AdminIn, admin: AdminAccount, accounts: AccountsDep
) -> Account:
    """Grants or revokes admin. Revoking revokes the account's tokens, and is refused
    (409) for the last enabled admin."""
    return accounts.set_admin(name, body.admin, by=admin.name, reason=body.reason)


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
    return accounts.bind(name, cycle_id, body.actor, by=admin.name, reason=body.reason)


@router.delete("/{name}/actors/{cycle_id}", response_model=AccountOut, responses=REFUSALS)
def unbind_actor(
    name: AccountName,
    cycle_id: CycleId,
    admin: AdminAccount,
    accounts: AccountsDep,
    reason: ReasonQuery = None,
) -> Account:
    return accounts.unbind(name, cycle_id, by=admin.name, reason=reason)
