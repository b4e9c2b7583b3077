"""A batch of actions performed on a cycle, and what it did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assess.domain.cycle import Cycle
from assess.domain.errors import ActionRefused, DomainError

LONGEST_VERB = 64  # as long as an id may be


@dataclass(frozen=True)
class Applied:
    """What a batch did: the cycle it changed, events stored, where it stands now."""

    cycle: str
    events: int
    stage: str
    version: int | None
    position: int


def perform_batch(cycle: Cycle, actions: list[Any], account: str | None = None) -> None:
    """Every action in order, submitted by `account`; a refusal names the action (its
    index and verb)."""
    for index, action in enumerate(actions):
        try:
            cycle.perform(action, account=account)
        except DomainError as error:
            verb = action.get("do") if isinstance(action, dict) else None
            raise ActionRefused(index, shown_verb(verb), error) from None


def shown_verb(verb: object) -> str:
    """The verb as a refusal names it: quoted when it is no plain short text (it may hold
    anything, even a character no message can be encoded with)."""
    if isinstance(verb, str) and verb.isprintable() and len(verb) <= LONGEST_VERB:
        return verb
    return ascii(verb)[:LONGEST_VERB]


def applied(cycle: Cycle, events: int) -> Applied:
    """The cycle as it stands after its last `events` events."""
    return Applied(
        cycle=cycle.cycle_id,
        events=events,
        stage=cycle.stage,
        version=cycle.versions[-1]["version"] if cycle.versions else None,
        position=cycle.version,
    )
