"""The account directory as events, hash-chained like a cycle (SPEC §4.1, §7).

Every change to the accounts is an event saying who did it (`by`), when, and why
(`reason`); the stored tables are a projection of these events. A password change
records only that it happened, never the hash. Each event's `chain` is sha256 over
the canonical JSON (domain/chain.py) of its content and the previous `chain`; the
first event links to GENESIS.

Event kinds and their `data`:

* ``DirectoryOpened`` {accounts: [{account, admin, actors: {cycle: actor}}]} — what a
  database of an earlier release held when the directory was first kept
* ``AccountCreated`` {account, admin}
* ``ActorBound`` {account, cycle, actor, replaced} — `replaced`: the actor the
  account held in that cycle before, else null
* ``ActorUnbound`` {account, cycle, actor}
* ``PasswordChanged`` {account} — by the account itself (which gave its current
  password) or an admin's reset; every token issued before it stops working
* ``AccountDisabled`` {account} — the account can no longer sign in and its tokens
  stop working; it stays listed with its history and bindings (accounts are never
  deleted)
* ``AccountEnabled`` {account} — it may sign in again (earlier tokens stay revoked)
* ``AdminGranted`` {account}, ``AdminRevoked`` {account} — revoking also revokes the
  account's tokens

The store records no event for a change that changes nothing (disabling a disabled
account, granting admin to an admin), and refuses to disable or un-admin the last
enabled admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from assess.domain.chain import GENESIS, link
from assess.domain.errors import DomainError

__all__ = [
    "EVENT_KINDS",
    "GENESIS",
    "DirectoryEvent",
    "DirectoryReport",
    "Holder",
    "chain_finding",
    "directory_link",
    "replay",
    "state_differences",
    "verify_directory",
]

EVENT_KINDS = (
    "DirectoryOpened",
    "AccountCreated",
    "ActorBound",
    "ActorUnbound",
    "PasswordChanged",
    "AccountDisabled",
    "AccountEnabled",
    "AdminGranted",
    "AdminRevoked",
)
# kind -> (field of `Holder`, the value it sets)
FLAGS = {
    "AccountDisabled": ("disabled", True),
    "AccountEnabled": ("disabled", False),
    "AdminGranted": ("admin", True),
    "AdminRevoked": ("admin", False),
}


@dataclass(frozen=True)
class DirectoryEvent:
    position: int
    recorded: str  # ISO 8601, exactly as hashed
    event: str
    by: str
    reason: str | None
    data: dict[str, Any]
    chain: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def concerns(self, account: str) -> bool:
        """The event is about `account` or was done by it."""
        if self.by == account or self.data.get("account") == account:
            return True
        return any(entry["account"] == account for entry in self.data.get("accounts", []))


@dataclass
class Holder:
    """One account as the directory knows it: admin or not, its actor per cycle,
    disabled or not."""

    admin: bool = False
    actors: dict[str, str] = field(default_factory=dict)
    disabled: bool = False


def directory_link(
    event: str,
    position: int,
    recorded: str,
    by: str,
    reason: str | None,
    data: dict[str, Any],
    previous: str,
) -> str:
    return link(
        {
            "event": event,
            "position": position,
            "recorded": recorded,
            "by": by,
            "reason": reason,
            "data": data,
            "previous": previous,
        }
    )


def chain_finding(events: Iterable[DirectoryEvent]) -> str | None:
    """The first event whose position or link is wrong, described; None if all hold."""
    previous = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.position != expected:
            return f"event {expected} is missing (found position {event.position})"
        if event.event not in EVENT_KINDS:
            return f"event {event.position}: unknown kind {event.event!r}"
        content = (event.event, event.position, event.recorded, event.by, event.reason)
        if directory_link(*content, event.data, previous) != event.chain:
            return f"event {event.position} ({event.event}): chain link does not match"
        previous = event.chain
    return None


def replay(events: Iterable[DirectoryEvent]) -> dict[str, Holder]:
    """The accounts the events leave, by name; a refusal names the event that does not
    fit what came before."""
    state: dict[str, Holder] = {}
    for event in events:
        try:
            _apply(state, event.event, event.data)
        except (KeyError, TypeError) as error:
            raise DomainError(
                "invalid_value",
                f"event {event.position} ({event.event}) does not fit what came before: {error}",
            ) from None
    return state


def _apply(state: dict[str, Holder], kind: str, data: dict[str, Any]) -> None:
    if kind == "DirectoryOpened":
        for entry in data["accounts"]:
            state[entry["account"]] = Holder(
                bool(entry["admin"]), dict(entry["actors"]), bool(entry.get("disabled", False))
            )
    elif kind == "AccountCreated":
        if data["account"] in state:
            raise KeyError(f"account {data['account']} exists already")
        state[data["account"]] = Holder(bool(data["admin"]))
    elif kind == "ActorBound":
        state[data["account"]].actors[data["cycle"]] = data["actor"]
    elif kind == "ActorUnbound":
        del state[data["account"]].actors[data["cycle"]]
    elif kind == "PasswordChanged":
        if data["account"] not in state:
            raise KeyError(data["account"])
    elif kind in FLAGS:
        flag, value = FLAGS[kind]
        setattr(state[data["account"]], flag, value)
    else:
        raise KeyError(f"unknown kind {kind}")


def state_differences(replayed: dict[str, Holder], stored: dict[str, Holder]) -> list[str]:
    """How the stored accounts differ from what the events say, one line per account."""
    found = []
    for name in sorted(replayed.keys() | stored.keys()):
        said, held = replayed.get(name), stored.get(name)
        if said is None:
            found.append(f"account {name} is stored but no event created it")
        elif held is None:
            found.append(f"account {name} was created by an event but is not stored")
        elif said.admin != held.admin:
            found.append(f"account {name}: stored admin={held.admin}, events say {said.admin}")
        elif said.actors != held.actors:
            found.append(f"account {name}: stored actors {held.actors}, events say {said.actors}")
        elif said.disabled != held.disabled:
            found.append(
                f"account {name}: stored disabled={held.disabled}, events say {said.disabled}"
            )
    return found


@dataclass(frozen=True)
class DirectoryReport:
    """`assess verify --accounts`: the chain, and the stored accounts against it."""

    events: int
    head: str
    findings: list[str]

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "head": self.head, "findings": self.findings}


def verify_directory(events: list[DirectoryEvent], stored: dict[str, Holder]) -> DirectoryReport:
    """The chain re-checked, the events replayed and compared with the `stored` accounts
    (names, admin and disabled flags, actors; passwords are not events)."""
    head = events[-1].chain if events else GENESIS
    broken = chain_finding(events)
    if broken is not None:
        return DirectoryReport(len(events), head, [broken])
    try:
        replayed = replay(events)
    except DomainError as error:
        return DirectoryReport(len(events), head, [error.message])
    return DirectoryReport(len(events), head, state_differences(replayed, stored))
