"""Group commit: one batch at a time per cycle, and single actions stored together.

Single actions that arrive for a cycle while another batch is being stored wait, and
are then decided one after another and stored together in one transaction: each is
still accepted or refused on its own, as if alone."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol

from eventsourcing.persistence import IntegrityError

from assess.application.batches import Applied, applied, perform_batch, stored_before
from assess.domain.attachments import Uploaded
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.requests import Request

CONFLICT_RETRIES = 5
BACKOFF_SECONDS = (0.005, 0.2)  # the first retry's pause, and the longest; full jitter


class CycleStore(Protocol):
    """What group commit needs of the application."""

    def is_fresh(self, cycle_id: str) -> bool:
        """The cached cycle may be used unchecked (see `freshness`)."""

    def current(
        self, cycle_id: str, reading: bool = False, stored_position: int | None = None
    ) -> Cycle:
        """The cycle as stored now (`reading`: the cached one while it is fresh;
        `stored_position`: the cached one if it stands there)."""

    def store_changes(self, cycle: Cycle) -> None:
        """Save the cycle's new events."""

    def forget(self, cycle_id: str) -> None:
        """Drop the cached cycle, to be read again."""


class WriterLock(Protocol):
    """Writers to one cycle one at a time across processes sharing the store (given by
    the infrastructure, see `infrastructure/cycle_locks.py`)."""

    def hold(self, cycle_id: str) -> AbstractContextManager[int | None]:
        """Held while a group is decided on the cycle as stored and stored; gives the
        cycle's last stored position if the lock learnt it (else None)."""

    def close(self) -> None:
        """Let go of what the locks hold (connections)."""


class CycleLocks:
    """One writer (or reader of the shared cached cycle) per cycle in this process."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def of(self, cycle_id: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(cycle_id, threading.Lock())


class Ticket:
    """One caller's batch, settled by whichever thread stores it."""

    def __init__(
        self,
        actions: list[Any],
        account: str | None = None,
        request: Request | None = None,
        files: Mapping[str, Uploaded] | None = None,
    ) -> None:
        self.actions = actions
        self.account = account
        self.request = request  # its idempotency key (domain/requests.py), if it named one
        self.files = files  # the evidence files its actions name, as the account uploaded them
        self.settled = False
        self._outcome: Applied | BaseException | None = None

    def settle(self, outcome: Applied | BaseException) -> None:
        self._outcome = outcome
        self.settled = True

    def outcome(self) -> Applied:
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        assert self._outcome is not None
        return self._outcome


class _Stale(Exception):
    """A refusal decided on a cycle not checked against the store."""


class GroupCommit:
    """The batches of each cycle, decided and stored one group at a time."""

    def __init__(self, store: CycleStore, locks: CycleLocks) -> None:
        self._store = store
        self._locks = locks
        #: Other processes' writers of the cycle wait for this one (None: a store that
        #: one process uses, where `CycleLocks` suffice).
        self.writers: WriterLock | None = None
        self._waiting: dict[str, list[Ticket]] = {}
        self._waiting_lock = threading.Lock()

    def submit(
        self,
        cycle_id: str,
        actions: list[Any],
        account: str | None = None,
        request: Request | None = None,
        files: Mapping[str, Uploaded] | None = None,
    ) -> Applied:
        """The batch stored (every action, or none of them), possibly with others; or,
        if `request` was stored before, its first answer."""
        ticket = Ticket(actions, account, request, files)
        if len(actions) == 1:
            with self._waiting_lock:
                self._waiting.setdefault(cycle_id, []).append(ticket)
        with self._locks.of(cycle_id):
            if not ticket.settled:
                self._settle(cycle_id, self._group_of(cycle_id, ticket))
        return ticket.outcome()

    def _settle(self, cycle_id: str, tickets: list[Ticket]) -> None:
        """Every ticket of the group settled, even if the writer lock cannot be taken
        (a ticket left waiting would be stored later, its caller told it failed)."""
        writers = self.writers
        outcomes: list[Applied | BaseException] | None = None
        try:
            with writers.hold(cycle_id) if writers is not None else nullcontext() as stored:
                outcomes = self._decide_and_store(
                    cycle_id, tickets, serialised=writers is not None, stored=stored
                )
        except BaseException as error:
            if outcomes is None:  # the lock could not be taken: nothing was stored
                outcomes = [error] * len(tickets)
        for ticket, outcome in zip(tickets, outcomes, strict=True):
            ticket.settle(outcome)

    def _group_of(self, cycle_id: str, ticket: Ticket) -> list[Ticket]:
        """The waiting single actions (this one among them), or this batch alone."""
        if len(ticket.actions) != 1:
            return [ticket]
        with self._waiting_lock:
            return self._waiting.pop(cycle_id, None) or [ticket]

    def _decide_and_store(
        self,
        cycle_id: str,
        tickets: list[Ticket],
        serialised: bool = False,
        stored: int | None = None,
    ) -> list[Applied | BaseException]:
        """The group's outcomes. `serialised`: other processes' writers wait (see
        `WriterLock`), so the cycle is always brought up to date first, and no other
        writer can store in between. Otherwise another writer may store events first
        (optimistic concurrency): the group is then decided again on the newer cycle,
        after a random pause that grows with each try, a few times before `conflict`.
        Without the lock the first try may use a cached cycle not checked against the
        store (see `freshness`): what it stores is still checked by the store's unique
        positions, and a refusal is only given once the actions were decided on the
        cycle as stored."""
        store = self._store
        outcomes: list[Applied | BaseException]
        for attempt in range(CONFLICT_RETRIES):
            unchecked = attempt == 0 and not serialised and store.is_fresh(cycle_id)
            try:
                if attempt == 0 and serialised and stored is not None:
                    # the lock read the last stored position: a cached cycle there is current
                    cycle = store.current(cycle_id, stored_position=stored)
                else:
                    cycle = store.current(cycle_id, reading=unchecked)
                outcomes = [
                    decide(cycle, ticket.actions, ticket.account, ticket.request, ticket.files)
                    for ticket in tickets
                ]
                if unchecked and any(isinstance(o, DomainError) for o in outcomes):
                    raise _Stale
                if cycle.pending_events:
                    store.store_changes(cycle)
            except IntegrityError:  # a writer that does not take the lock stored first
                store.forget(cycle_id)
                _pause(attempt)
                continue
            except _Stale:
                store.forget(cycle_id)
                continue
            except DomainError as error:  # no such cycle, or a batch refused part-way (alone)
                store.forget(cycle_id)
                if unchecked:
                    continue
                outcomes = [error] * len(tickets)
            except BaseException as error:
                store.forget(cycle_id)
                outcomes = [error] * len(tickets)
            return outcomes
        conflict = DomainError("conflict", f"cycle {cycle_id!r} kept changing; nothing was stored")
        return [conflict] * len(tickets)


def _pause(attempt: int) -> None:
    """Exponential backoff with full jitter: writers that collided retry apart."""
    first, longest = BACKOFF_SECONDS
    if attempt + 1 < CONFLICT_RETRIES:
        time.sleep(random.uniform(0, min(longest, first * 2**attempt)))


def decide(
    cycle: Cycle,
    actions: list[Any],
    account: str | None = None,
    request: Request | None = None,
    files: Mapping[str, Uploaded] | None = None,
) -> Applied | DomainError:
    """One batch on the cycle, submitted by `account`: what it did, or why it is refused.
    A refused single action leaves the cycle as it was (every verb checks before its one
    event). A `request` whose key was stored before (by an earlier group, or by a ticket
    before this one in the group: its events are applied already) is answered as the
    first time, and nothing is performed."""
    try:
        earlier = stored_before(cycle, request)
    except DomainError as error:  # the key was used for another request
        return error
    if earlier is not None:
        return earlier
    before = len(cycle.pending_events)
    try:
        perform_batch(cycle, actions, account, request, files)
    except DomainError as error:
        if len(cycle.pending_events) != before:
            raise
        return error
    return applied(cycle, len(cycle.pending_events) - before)
