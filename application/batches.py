"""A batch of actions performed on a cycle, and what it did."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from assess.domain.attachments import Uploaded
from assess.domain.cycle import Cycle
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.requests import Request

LONGEST_VERB = 64  # as long as an id may be
# A batch this large runs with the cyclic garbage collector paused: its events and their
# data make no reference cycles, yet each collection would walk every one of them again
# (a fifth of a large import's time).
LARGE_BATCH = 1000


@dataclass(frozen=True)
class Applied:
    """What a batch did: the cycle it changed, events stored, where it stands now."""

    cycle: str
    events: int
    stage: str
    version: int | None
    position: int
    # answered from the store: a request with this idempotency key stored it before
    repeated: bool = field(default=False, compare=False)

    def answer(self) -> dict[str, Any]:
        """What a caller is told, the same for the request and its repeats."""
        return {
            "cycle": self.cycle,
            "events": self.events,
            "stage": self.stage,
            "version": self.version,
            "position": self.position,
        }


@contextmanager
def collector_paused(actions: int) -> Iterator[None]:
    """The cyclic garbage collector paused while a large batch is decided and stored
    (reference counting still frees everything as usual); as it was afterwards."""
    if actions < LARGE_BATCH or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def perform_batch(
    cycle: Cycle,
    actions: list[Any],
    account: str | None = None,
    request: Request | None = None,
    files: Mapping[str, Uploaded] | None = None,
) -> None:
    """Every action in order, submitted by `account` as part of `request` (an
    idempotency key, or None), naming any of `files` (what the account uploaded to the
    cycle); a refusal names the action (its index and verb)."""
    for index, action in enumerate(actions):
        try:
            cycle.perform(action, account=account, request=request, files=files)
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


def stored_before(cycle: Cycle, request: Request | None) -> Applied | None:
    """The first answer to a request whose idempotency key was stored before, rebuilt
    from the cycle; None for a new request (or none keyed). Another request with the same
    key is a `conflict`."""
    if request is None:
        return None
    known = cycle.stored_request(request)
    if known is None:
        return None
    return Applied(
        cycle=cycle.cycle_id,
        events=known["position"] - known["first"] + 1,
        stage=known["stage"],
        version=known["version"],
        position=known["position"],
        repeated=True,
    )
