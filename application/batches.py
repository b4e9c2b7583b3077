"""A batch of actions performed on a cycle, and what it did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assess.domain.cycle import Cycle
from assess.domain.errors import ActionRefused, DomainError


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
            raise ActionRefused(index, str(verb), error) from None


def applied(cycle: Cycle, events: int) -> Applied:
    """The cycle as it stands after its last `events` events."""
    return Applied(
        cycle=cycle.cycle_id,
        events=events,
        stage=cycle.stage,
        version=cycle.versions[-1]["version"] if cycle.versions else None,
        position=cycle.version,
    )
