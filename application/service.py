"""The assess application: create cycles, apply batches atomically, answer queries."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from assess.application import history
from assess.domain.cycle import Cycle, cycle_uuid, replay
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.events import CycleCreated, stored_topics
from assess.domain.results import digest

T = TypeVar("T")
CONFLICT_RETRIES = 5
SNAPSHOT_AFTER = 1000  # events since the last snapshot before another is taken
RESULTS_CACHE_SIZE = 64


@dataclass(frozen=True)
class Applied:
    """What a batch did: the cycle it changed, events stored, where it stands now."""

    cycle: str
    events: int
    stage: str
    version: int | None
    position: int


class _Stale(Exception):
    """A refusal decided on a cycle not checked against the store."""


class _Ticket:
    """One caller's batch, settled by whichever thread stores it."""

    def __init__(self, actions: list[Any]) -> None:
        self.actions = actions
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


class AssessApp(Application[UUID]):
    name = "assess"
    is_snapshotting_enabled = True
    # No process application follows this one: saves need not fetch notification ids.
    env = {"RETURN_NOTIFICATION_IDS": "n"}

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._results_cache: OrderedDict[tuple[UUID, int], dict[str, Any]] = OrderedDict()
        self._locks: dict[str, threading.Lock] = {}
        self._waiting: dict[str, list[_Ticket]] = {}
        self._snapshot_positions: dict[UUID, int] = {}
        self._fresh_until: dict[UUID, float] = {}
        self._read_staleness = int(self.env.get("READ_STALENESS_MS") or 0) / 1000
        self._locks_lock = threading.Lock()

    # ---- commands -------------------------------------------------------------

    def import_season(self, season: dict[str, Any], actor: str = "system") -> Applied:
        """A cycle from a season file: header and actions, stored in one transaction."""
        try:
            cycle = Cycle.create(season, actor=actor)
        except DomainError as error:
            raise DomainError(error.code, f"season header: {error.message}") from None
        if self._exists(cycle.id):
            raise DomainError("duplicate", f"cycle {cycle.cycle_id!r} exists already")
        self._perform_all(cycle, season.get("actions") or [])
        try:
            return self._store(cycle)
        except IntegrityError:
            raise DomainError("duplicate", f"cycle {cycle.cycle_id!r} exists already") from None

    def act(self, cycle_id: str, actions: list[Any]) -> Applied:
        """A further batch for an existing cycle: every action, or none of them.

        Single actions that arrive for a cycle while another batch is being stored wait,
        and are then decided one after another and stored together in one transaction
        (group commit): each is still accepted or refused on its own, as if alone."""
        ticket = _Ticket(actions)
        if len(actions) == 1:
            with self._locks_lock:
                self._waiting.setdefault(cycle_id, []).append(ticket)
        with self._guard(cycle_id):
            if not ticket.settled:
                self._decide_and_store(cycle_id, self._group_of(cycle_id, ticket))
        return ticket.outcome()

    def _group_of(self, cycle_id: str, ticket: _Ticket) -> list[_Ticket]:
        """The waiting single actions (this one among them), or this batch alone."""
        if len(ticket.actions) != 1:
            return [ticket]
        with self._locks_lock:
            return self._waiting.pop(cycle_id, None) or [ticket]

    def _decide_and_store(self, cycle_id: str, tickets: list[_Ticket]) -> None:
        """Another writer may store events first (optimistic concurrency): the group is
        then decided again on the newer cycle, a few times, before `conflict`. The first
        try may use a cached cycle not checked against the store (see `_current`): what
        it stores is still checked by the store's unique positions, and a refusal is only
        given once the actions were decided on the cycle as stored."""
        aggregate_id = cycle_uuid(cycle_id)
        outcomes: list[Applied | BaseException]
        for attempt in range(CONFLICT_RETRIES):
            unchecked = attempt == 0 and self._is_fresh(aggregate_id)
            try:
                cycle = self._current(cycle_id, reading=unchecked)
                outcomes = [self._decide(cycle, ticket) for ticket in tickets]
                if unchecked and any(isinstance(o, DomainError) for o in outcomes):
                    raise _Stale
                if cycle.pending_events:
                    self.save(cycle)
                    self._snapshot_if_due(cycle)
            except (IntegrityError, _Stale):
                self._forget(aggregate_id)
                continue
            except DomainError as error:  # no such cycle, or a batch refused part-way (alone)
                self._forget(aggregate_id)
                if unchecked:
                    continue
                outcomes = [error] * len(tickets)
            except BaseException as error:
                self._forget(aggregate_id)
                outcomes = [error] * len(tickets)
            for ticket, outcome in zip(tickets, outcomes, strict=True):
                ticket.settle(outcome)
            return
        conflict = DomainError("conflict", f"cycle {cycle_id!r} kept changing; nothing was stored")
        for ticket in tickets:
            ticket.settle(conflict)

    def _decide(self, cycle: Cycle, ticket: _Ticket) -> Applied | DomainError:
        """One batch on the cycle: what it did, or why it is refused. A refused single
        action leaves the cycle as it was (every verb checks before its one event)."""
        before = len(cycle.pending_events)
        try:
            self._perform_all(cycle, ticket.actions)
        except DomainError as error:
            if len(cycle.pending_events) != before:
                raise
            return error
        return self._applied(cycle, len(cycle.pending_events) - before)

    def _guard(self, cycle_id: str) -> threading.Lock:
        """One writer (or reader of the shared cached cycle) per cycle in this process."""
        with self._locks_lock:
            return self._locks.setdefault(cycle_id, threading.Lock())

    def _current(self, cycle_id: str, reading: bool = False) -> Cycle:
        """The cycle as stored now; with the cache on, the cached object itself.

        Readers may take the cached cycle as it is for READ_STALENESS_MS after it
        was last brought up to date (each brings it up to date with a query otherwise):
        they then miss at most that much of what *other processes* wrote. This process's
        own writes are in the cached cycle at once, and writers always catch up first."""
        aggregate_id = cycle_uuid(cycle_id)
        now = time.monotonic()
        if reading and self._is_fresh(aggregate_id):
            with contextlib.suppress(KeyError):
                return cast(Cycle, self.repository.cache.get(aggregate_id))  # type: ignore[union-attr]
        try:
            cycle = self.repository.get(
                aggregate_id, projector_func=replay, deepcopy_from_cache=False
            )
        except AggregateNotFoundError:
            raise DomainError("not_found", f"no cycle {cycle_id!r}") from None
        if self.repository.cache is not None and self._read_staleness:
            self._fresh_until[aggregate_id] = now + self._read_staleness
        return cycle

    def _is_fresh(self, aggregate_id: UUID) -> bool:
        return time.monotonic() < self._fresh_until.get(aggregate_id, 0.0)

    def _forget(self, aggregate_id: UUID) -> None:
        """A cached cycle that took unsaved events is dropped, to be read again."""
        self._fresh_until.pop(aggregate_id, None)
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):
                self.repository.cache.get(aggregate_id, evict=True)

    def _perform_all(self, cycle: Cycle, actions: list[Any]) -> None:
        for index, action in enumerate(actions):
            try:
                cycle.perform(action)
            except DomainError as error:
                verb = action.get("do") if isinstance(action, dict) else None
                raise ActionRefused(index, str(verb), error) from None

    def _store(self, cycle: Cycle) -> Applied:
        applied = self._applied(cycle, len(cycle.pending_events))
        self.save(cycle)
        self._snapshot_if_due(cycle)
        return applied

    @staticmethod
    def _applied(cycle: Cycle, events: int) -> Applied:
        return Applied(
            cycle=cycle.cycle_id,
            events=events,
            stage=cycle.stage,
            version=cycle.versions[-1]["version"] if cycle.versions else None,
            position=cycle.version,
        )

    def _snapshot_if_due(self, cycle: Cycle) -> None:
        """A snapshot once SNAPSHOT_AFTER events have piled up since the last one. Where
        that was is read from the store once per cycle and process, then remembered:
        the snapshot row of a large cycle weighs megabytes."""
        if self.snapshots is None:
            return
        last = self._snapshot_positions.get(cycle.id)
        if last is None:
            latest = self.snapshots.recorder.select_events(cycle.id, desc=True, limit=1)
            last = latest[0].originator_version if latest else 0
        if cycle.version - last >= SNAPSHOT_AFTER:
            self.snapshots.put([Cycle.Snapshot.take(cycle)])
            last = cycle.version
        self._snapshot_positions[cycle.id] = last

    # ---- queries ----------------------------------------------------------------

    def cycle(self, cycle_id: str, position: int | None = None) -> Cycle:
        """A private copy of the cycle, as it stands or as it stood after an event."""
        try:
            if position is not None:
                return self.repository.get(
                    cycle_uuid(cycle_id), version=position, projector_func=replay
                )
            with self._guard(cycle_id):
                return self.repository.get(cycle_uuid(cycle_id), projector_func=replay)
        except AggregateNotFoundError:
            raise DomainError("not_found", f"no cycle {cycle_id!r}") from None

    def inspect(self, cycle_id: str, read: Callable[[Cycle], T]) -> T:
        """`read` applied to the cycle as it stands, without copying it: `read` must not
        change it, nor keep references into it."""
        with self._guard(cycle_id):
            return read(self._current(cycle_id, reading=True))

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def results(self, cycle_id: str, version: int | None = None) -> dict[str, Any]:
        """The results document of a version (SPEC §6); the latest by default."""
        with self._guard(cycle_id):
            return self._results(self._current(cycle_id, reading=True), version)

    def _results(self, cycle: Cycle, version: int | None) -> dict[str, Any]:
        cycle_id = cycle.cycle_id
        if not cycle.versions:
            raise DomainError(
                "not_found", f"cycle {cycle_id!r} has no results yet: scoring is open"
            )
        if version is None:
            version = cycle.versions[-1]["version"]
        if not 1 <= version <= len(cycle.versions):
            raise DomainError(
                "not_found", f"cycle {cycle_id!r} has versions 1 to {len(cycle.versions)}"
            )
        return self._results_of(cycle, cycle.versions[version - 1])

    def _results_of(self, cycle: Cycle, entry: dict[str, Any]) -> dict[str, Any]:
        key = (cycle.id, entry["version"])
        with self._locks_lock:
            cached = self._results_cache.get(key)
            if cached is not None and cached["digest"] == entry["digest"]:
                self._results_cache.move_to_end(key)
                return cached
        state = cycle if entry is cycle.versions[-1] else None
        results = state.results() if state is not None else None
        if results is None or digest(results) != entry["digest"]:
            state = self.cycle(cycle.cycle_id, position=entry["position"])
            results = state.results()
        document = {
            "cycle": cycle.cycle_id,
            "scheme": cycle.scheme,
            "version": entry["version"],
            "digest": digest(results),
            "results": results,
        }
        with self._locks_lock:
            self._results_cache[key] = document
            if len(self._results_cache) > RESULTS_CACHE_SIZE:
                self._results_cache.popitem(last=False)
        return document

    def cycles(self) -> list[dict[str, Any]]:
        """Every cycle with its scheme, year, stage and latest results version."""
        topics = stored_topics(CycleCreated)
        created = self.recorder.select_notifications(start=None, limit=10**9, topics=topics)
        listing = []
        for notification in created:
            created_event = cast(CycleCreated, self.mapper.to_domain_event(notification))
            cycle_id = created_event.data["cycle"]["id"]
            listing.append(self.inspect(cycle_id, summary_of))
        return sorted(listing, key=lambda entry: entry["cycle"])

    def events_of(self, cycle_id: str) -> list[Any]:
        events = list(self.events.get(cycle_uuid(cycle_id)))
        if not events:
            raise DomainError("not_found", f"no cycle {cycle_id!r}")
        return events

    # ---- history ------------------------------------------------------------------

    def version_at(
        self, cycle_id: str, position: int | None = None, as_of: str | None = None
    ) -> int:
        """The results version that stood at an event position or a moment."""
        moment = history.parse_moment(as_of) if as_of else None
        return history.version_at(self.events_of(cycle_id), position=position, moment=moment)

    def diff(self, cycle_id: str, first: int, second: int) -> dict[str, Any]:
        """Per unit, what changed from one results version to another, and why."""
        before, after = self.results(cycle_id, first), self.results(cycle_id, second)
        events = self.events_of(cycle_id)
        created_at = {e.data["version"]: e.originator_version for e in events if "digest" in e.data}
        start, end = created_at[first], created_at[second]
        changed = history.compare_results(before["results"], after["results"])
        return {
            "cycle": cycle_id,
            "from": {"version": first, "digest": before["digest"], "position": start},
            "to": {"version": second, "digest": after["digest"], "position": end},
            "changes": history.explain(changed, events, min(start, end), max(start, end)),
        }


def summary_of(cycle: Cycle) -> dict[str, Any]:
    """A cycle in one line: scheme, year, stage, latest results version, events."""
    return {
        "cycle": cycle.cycle_id,
        "scheme": cycle.scheme,
        "year": cycle.year,
        "title": cycle.title,
        "stage": cycle.stage,
        "version": cycle.versions[-1]["version"] if cycle.versions else None,
        "events": cycle.version,
    }
