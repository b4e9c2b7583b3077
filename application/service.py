"""The assess application: create cycles, apply batches atomically, answer queries.

Group commit (`group_commit`) and read staleness (`freshness`) live in their own
modules; what is left loads a cycle, performs actions on it, saves it, and queries."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import OriginatorVersionError
from eventsourcing.persistence import IntegrityError, MapperDeserialisationError

from assess.application import history, library
from assess.application.audit import audit_rows
from assess.application.batches import (
    Applied,
    applied,
    collector_paused,
    perform_batch,
    stored_before,
)
from assess.application.files import Attaching, FileStore, attaching_events, named_digests
from assess.application.freshness import ReadStaleness
from assess.application.group_commit import CycleLocks, GroupCommit, WriterLock
from assess.application.library import first_line
from assess.application.views import NoSuchVersion, ReadViews, note
from assess.domain.attachments import Uploaded
from assess.domain.cycle import Cycle, cycle_uuid
from assess.domain.errors import DomainError
from assess.domain.events import CycleCreated, stored_topics
from assess.domain.requests import Request
from assess.domain.results import digest

__all__ = ["Applied", "AssessApp", "OneVersionOnly", "summary_of"]

log = logging.getLogger("assess.application")
T = TypeVar("T")
SNAPSHOT_AFTER = 1000  # events since the last snapshot before another is taken
# After a failed snapshot, events before the next try: a snapshot is only worth what it
# saves in replay, which grows with the events since the last one, so that is the
# measure; and a store that keeps refusing costs one write in SNAPSHOT_RETRY_AFTER a
# failed attempt, not every write.
SNAPSHOT_RETRY_AFTER = 100
RESULTS_CACHE_SIZE = 64


class OneVersionOnly(DomainError):
    """A results query that names its version in more than one way."""

    def __init__(self) -> None:
        super().__init__("invalid_value", "give only one of version, as_of and position")

    @classmethod
    def check(cls, version: int | None, as_of: str | None, position: int | None) -> None:
        if sum(option is not None for option in (version, as_of, position)) > 1:
            raise cls


class AssessApp(Application[UUID]):
    name = "assess"
    is_snapshotting_enabled = True
    # No process application follows this one: saves need not fetch notification ids,
    # nor lock the events table so that ids commit in order (see infrastructure/recorders.py).
    env = {"RETURN_NOTIFICATION_IDS": "n", "LOCK_EVENTS_TABLE": "n"}

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._results_cache: OrderedDict[tuple[UUID, int], dict[str, Any]] = OrderedDict()
        self._results_lock = threading.Lock()
        self._attaching: OrderedDict[str, tuple[int, list[Attaching]]] = OrderedDict()
        self._snapshot_due: dict[UUID, int] = {}  # the position at which to take the next
        self._staleness = ReadStaleness(int(self.env.get("READ_STALENESS_MS") or 0))
        self._locks = CycleLocks()
        self._group_commit = GroupCommit(self, self._locks)
        self.views: ReadViews | None = None  # the read views (SPEC §8), where the store has them
        self.files: FileStore | None = None  # evidence files, where the store keeps them

    def attach_files(self, files: FileStore) -> None:
        """Evidence files (issue 15) are kept in `files`, beside the events."""
        self.files = files

    def attach_views(self, views: ReadViews) -> None:
        """Reads answer from `views` where they have followed the cycle to its end."""
        self.views = views

    def serialise_writers(self, writers: WriterLock) -> None:
        """Writers of a cycle in other processes on this store wait for each other
        (given where the store is opened: `infrastructure.persistence.open_application`)."""
        self._group_commit.writers = writers

    def close(self) -> None:
        super().close()
        if self._group_commit.writers is not None:
            self._group_commit.writers.close()

    # ---- commands -------------------------------------------------------------

    def import_season(
        self,
        season: dict[str, Any],
        actor: str = "system",
        account: str | None = None,
        request: Request | None = None,
    ) -> Applied:
        """A cycle from a season file: header and actions, stored in one transaction;
        every event records `account`, the account importing it (SPEC §4.1), and
        `request`, its idempotency key: a cycle stored by a request with that key is
        answered as the first time instead of refused as a `duplicate`."""
        try:
            cycle = Cycle.create(season, actor=actor, account=account, request=request)
        except DomainError as error:
            raise DomainError(error.code, f"season header: {error.message}") from None
        if self._exists(cycle.id):
            return self._imported_before(cycle.cycle_id, request)
        actions = season.get("actions") or []
        with collector_paused(len(actions)):
            perform_batch(cycle, actions, account=account, request=request)
            done = applied(cycle, len(cycle.pending_events))
            try:
                self.store_changes(cycle)
            except IntegrityError:
                return self._imported_before(cycle.cycle_id, request)
        return done

    def _imported_before(self, cycle_id: str, request: Request | None) -> Applied:
        """The cycle exists: the first answer if this keyed request created it, else
        `duplicate` (or `conflict`: the key created it for another request)."""
        if request is not None:
            earlier = self.inspect(cycle_id, lambda cycle: stored_before(cycle, request))
            if earlier is not None:
                return earlier
        raise DomainError("duplicate", f"cycle {cycle_id!r} exists already")

    def act(
        self,
        cycle_id: str,
        actions: list[Any],
        account: str | None = None,
        request: Request | None = None,
    ) -> Applied:
        """A further batch for an existing cycle, submitted by `account`: every action, or
        none of them; single actions arriving together are stored together (see
        `group_commit`). A `request` (idempotency key) stored before is answered as the
        first time, and nothing is stored. Actions may name the evidence files the
        account uploaded to the cycle."""
        files = self.uploaded(cycle_id, actions, account)
        with collector_paused(len(actions) if isinstance(actions, list) else 0):
            return self._group_commit.submit(cycle_id, actions, account, request, files)

    def attaching_events(self, cycle_id: str) -> list[Attaching]:
        """The cycle's events that attach evidence files, kept for the position the cycle
        stands at (as fresh as any read): reading rights on a file need them, and a
        cycle's events are many."""
        position = self.inspect(cycle_id, lambda cycle: cycle.version)
        with self._results_lock:
            kept = self._attaching.get(cycle_id)
        if kept is not None and kept[0] == position:
            return kept[1]
        found = attaching_events(self.events_of(cycle_id))
        with self._results_lock:
            self._attaching[cycle_id] = (position, found)
            while len(self._attaching) > RESULTS_CACHE_SIZE:
                self._attaching.popitem(last=False)
        return found

    def uploaded(
        self, cycle_id: str, actions: list[Any], account: str | None
    ) -> dict[str, Uploaded]:
        """The files the actions name that `account` uploaded to the cycle (one query,
        and only when some action names a file)."""
        digests = named_digests(actions) if isinstance(actions, list) else set()
        if not digests or self.files is None or account is None:
            return {}
        return self.files.uploaded(cycle_id, account, digests)

    # ---- loading and saving (what group commit uses) -------------------------------

    def current(
        self, cycle_id: str, reading: bool = False, stored_position: int | None = None
    ) -> Cycle:
        """The cycle as stored now; with the cache on, the cached object itself. Readers
        take the cached cycle unchecked while it is fresh (see `freshness`); a writer
        that knows the last stored position (`stored_position`, read under the writer
        lock) takes it if it stands there."""
        aggregate_id = cycle_uuid(cycle_id)
        started = self._staleness.now()
        if stored_position is not None or (reading and self._staleness.is_fresh(aggregate_id)):
            cached = library.cached(self.repository, aggregate_id)
            if cached is not None and stored_position in (None, cached.version):
                return cast(Cycle, cached)
        try:
            cycle = self._replayed(cycle_id, shared=True)
        except AggregateNotFoundError:
            raise DomainError("not_found", f"no cycle {cycle_id!r}") from None
        if library.is_caching(self.repository):
            self._staleness.caught_up(aggregate_id, started)
        return cycle

    def is_fresh(self, cycle_id: str) -> bool:
        return self._staleness.is_fresh(cycle_uuid(cycle_id))

    def forget(self, cycle_id: str) -> None:
        """A cached cycle that took unsaved events is dropped, to be read again."""
        aggregate_id = cycle_uuid(cycle_id)
        self._staleness.forget(aggregate_id)
        library.evict(self.repository, aggregate_id)

    def store_changes(self, cycle: Cycle) -> None:
        """The cycle's new events, in one transaction, then a snapshot when one is due.
        Once the events are committed nothing here raises: the caller must be able to
        report the batch as stored, or it would be retried and stored twice."""
        library.save_aggregate(self, cycle)
        self._snapshot_if_due(cycle)

    def _snapshot_if_due(self, cycle: Cycle) -> None:
        """A snapshot once SNAPSHOT_AFTER events have piled up since the last one, best
        effort: it is written after the events' commit, so a failure is logged and tried
        again SNAPSHOT_RETRY_AFTER events later. Where the last one was is read from the
        store once per cycle and process, then remembered: the snapshot row of a large
        cycle weighs megabytes."""
        if self.snapshots is None:
            return
        due = self._snapshot_due.get(cycle.id)
        try:
            if due is None:
                due = library.last_snapshot_position(self, cycle.id) + SNAPSHOT_AFTER
            if cycle.version >= due:
                library.snapshot(self, cycle)
                due = cycle.version + SNAPSHOT_AFTER
        except Exception as error:  # noqa: BLE001 - the events are stored whatever happened
            due = cycle.version + SNAPSHOT_RETRY_AFTER
            log.warning(
                "cycle %r: events stored up to %d, but no snapshot taken (%s: %s); "
                "trying again after %d more events",
                cycle.cycle_id,
                cycle.version,
                type(error).__name__,
                first_line(error),
                SNAPSHOT_RETRY_AFTER,
            )
        self._snapshot_due[cycle.id] = due

    # ---- loading (the library's internals are in `library`) ---------------------------

    def _replayed(self, cycle_id: str, position: int | None = None, shared: bool = False) -> Cycle:
        """The cycle from its events (and snapshot); `shared`: the cached object itself.
        A stored event that does not decode or apply is `integrity` (see `Unreadable`)."""
        aggregate_id = cycle_uuid(cycle_id)
        try:
            if shared and position is None:
                return library.get_without_copy(self.repository, aggregate_id, checked_replay)
            return library.get_copy(self.repository, aggregate_id, checked_replay, version=position)
        except Unreadable as unreadable:
            raise unreadable.refusal(cycle_id) from None
        except MapperDeserialisationError as error:
            # Events are decoded inside `checked_replay`: this is the snapshot, which is
            # only a shortcut. The events decide; `verify` names the snapshot.
            log.warning(
                "cycle %s: its snapshot cannot be read (%s); replaying its events",
                cycle_id,
                first_line(error),
            )
            return self._from_events(cycle_id, position)

    def _from_events(self, cycle_id: str, position: int | None) -> Cycle:
        """The cycle replayed from its events alone, without any snapshot."""
        try:
            cycle = checked_replay(None, self.events.get(cycle_uuid(cycle_id), lte=position))
        except Unreadable as unreadable:
            raise unreadable.refusal(cycle_id) from None
        if cycle is None:
            raise AggregateNotFoundError(cycle_id)
        return cycle

    # ---- queries ----------------------------------------------------------------

    def cycle(self, cycle_id: str, position: int | None = None) -> Cycle:
        """A private copy of the cycle, as it stands or as it stood after an event."""
        try:
            if position is not None:
                return self._replayed(cycle_id, position=position)
            with self._locks.of(cycle_id):
                return self._replayed(cycle_id)
        except AggregateNotFoundError:
            raise DomainError("not_found", f"no cycle {cycle_id!r}") from None

    def inspect(self, cycle_id: str, read: Callable[[Cycle], T]) -> T:
        """`read` applied to the cycle as it stands, without copying it: `read` must not
        change it, nor keep references into it."""
        with self._locks.of(cycle_id):
            return read(self.current(cycle_id, reading=True))

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    def results(self, cycle_id: str, version: int | None = None) -> dict[str, Any]:
        """The results document of a version (SPEC §6); the latest by default."""
        return self.results_page(cycle_id, version)[0]

    def results_page(
        self,
        cycle_id: str,
        version: int | None = None,
        category: str | None = None,
        unit: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[dict[str, Any], int]:
        """The results document of a version holding one page of the rows that pass the
        filters (all of them without `limit`), and how many pass: from the `results`
        view when it has followed the cycle to its last event, else from the events."""
        try:
            answer = (
                self.views.results(cycle_id, version, category, unit, offset, limit)
                if self.views
                else None
            )
        except NoSuchVersion as missing:
            note("current")
            raise missing.refusal(cycle_id) from None
        if answer is not None:
            note("current")
            return answer
        note("behind")
        with self._locks.of(cycle_id):
            document = self._results(self.current(cycle_id, reading=True), version)
        rows = document["results"]
        if category is not None or unit is not None:
            rows = [
                row
                for row in rows
                if (category is None or row["category"] == category)
                and (unit is None or row["unit"] == unit)
            ]
        if offset or limit is not None or rows is not document["results"]:
            end = None if limit is None else offset + limit
            document = {**document, "results": rows[offset:end]}
        return document, len(rows)

    def results_at(
        self,
        cycle_id: str,
        version: int | None = None,
        as_of: str | None = None,
        position: int | None = None,
        **page: Any,
    ) -> dict[str, Any]:
        """The results document of a version, of the version that stood as of a moment
        (ISO date or date-time, by the events' `at`) or after an event position; the
        latest if none is given. Naming more than one is refused (`OneVersionOnly`).
        `page`: the filters and page of `results_page`."""
        return self.results_page_at(cycle_id, version, as_of, position, **page)[0]

    def results_page_at(
        self,
        cycle_id: str,
        version: int | None = None,
        as_of: str | None = None,
        position: int | None = None,
        **page: Any,
    ) -> tuple[dict[str, Any], int]:
        OneVersionOnly.check(version, as_of, position)
        if as_of is not None or position is not None:
            version = self.version_at(cycle_id, position=position, as_of=as_of)
        return self.results_page(cycle_id, version, **page)

    def _results(self, cycle: Cycle, version: int | None) -> dict[str, Any]:
        if version is None and cycle.versions:
            version = cycle.versions[-1]["version"]
        if version is None or not 1 <= version <= len(cycle.versions):
            raise NoSuchVersion(len(cycle.versions)).refusal(cycle.cycle_id)
        return self._results_of(cycle, cycle.versions[version - 1])

    def _results_of(self, cycle: Cycle, entry: dict[str, Any]) -> dict[str, Any]:
        """The results of a version, served only when they reproduce the digest recorded
        for it: the cycle as it stands (for the latest version), else replayed up to the
        version's event; neither matching means the stored events were changed, which is
        refused (`integrity`). A document cached by this process was checked so when it
        was computed and is served as it is: a later change to the stored events is
        found by the next process that reads them, and by `verify`."""
        key = (cycle.id, entry["version"])
        with self._results_lock:
            cached = self._results_cache.get(key)
            if cached is not None and cached["digest"] == entry["digest"]:
                self._results_cache.move_to_end(key)
                return cached
        state = cycle if entry is cycle.versions[-1] else None
        results = state.results() if state is not None else None
        if results is None or digest(results) != entry["digest"]:
            state = self.cycle(cycle.cycle_id, position=entry["position"])
            results = state.results()
            if digest(results) != entry["digest"]:
                raise DomainError(
                    "integrity",
                    f"cycle {cycle.cycle_id!r}: stored events do not reproduce version "
                    f"{entry['version']}'s digest; run `assess verify {cycle.cycle_id}`",
                )
        document = {
            "cycle": cycle.cycle_id,
            "scheme": cycle.scheme,
            "version": entry["version"],
            "digest": entry["digest"],
            "results": results,
        }
        with self._results_lock:
            self._results_cache[key] = document
            if len(self._results_cache) > RESULTS_CACHE_SIZE:
                self._results_cache.popitem(last=False)
        return document

    def cycles(self) -> list[dict[str, Any]]:
        """Every cycle with its scheme, year, stage and latest results version. A cycle
        whose stored events cannot be read is listed as `corrupt`, with the reason in
        `error`, and hides no other. From the `cycles` view for the cycles it has
        followed to their end, from the events for the others."""
        listed = self.views.cycles() if self.views is not None else None
        if listed is None:
            note("behind")
            topics = stored_topics(CycleCreated)
            created = self.recorder.select_notifications(start=None, limit=10**9, topics=topics)
            listing = [self._summary(notification) for notification in created]
        else:
            note("behind" if listed.behind else "current")
            listing = list(listed.documents.values())
            listing.extend(self.summaries(listed.behind))
        return sorted(listing, key=lambda entry: entry["cycle"])

    def summaries(self, aggregate_ids: Iterable[UUID]) -> list[dict[str, Any]]:
        """The listing's lines of these cycles, from their events (see `cycles`)."""
        found = []
        for aggregate_id in aggregate_ids:
            first = self.recorder.select_events(aggregate_id, limit=1)
            if first and first[0].topic in stored_topics(CycleCreated):
                found.append(self._summary(first[0]))
        return found

    def _summary(self, created: Any) -> dict[str, Any]:
        """The listing's line of a cycle, given its first stored event (`summary_of`)."""
        try:  # the row is read already: what fails here is decoding it
            created_event = cast(CycleCreated, self.mapper.to_domain_event(created))
            header = created_event.data["cycle"]
            cycle_id = header["id"]
        except Exception as error:  # noqa: BLE001 - whatever the damage, list the others
            header = {"id": str(created.originator_id)}
            why = f"its first event cannot be read ({type(error).__name__})"
            return corrupt_summary(header, why)
        try:
            return self.inspect(cycle_id, summary_of)
        except DomainError as error:
            if error.code != "integrity":
                raise
            return corrupt_summary(header, error.message)

    def events_of(self, cycle_id: str) -> list[Any]:
        """The cycle's stored events, decoded; one that does not decode is `integrity`."""
        stored = self.events.get(cycle_uuid(cycle_id))  # read now, decoded as iterated
        events: list[Any] = []
        try:
            events.extend(stored)
        except Exception as error:  # noqa: BLE001 - any bytes that do not decode
            raise Unreadable(len(events) + 1, error).refusal(cycle_id) from None
        if not events:
            raise DomainError("not_found", f"no cycle {cycle_id!r}")
        return events

    # ---- history ------------------------------------------------------------------

    def version_at(
        self, cycle_id: str, position: int | None = None, as_of: str | None = None
    ) -> int:
        """The results version that stood at an event position or a moment."""
        moment = history.parse_moment(as_of) if as_of else None
        versions = self.views.versions(cycle_id) if self.views else None
        if versions is None:
            note("behind")
            return history.version_at(self.events_of(cycle_id), position=position, moment=moment)
        note("current")
        return history.version_standing(versions, position=position, moment=moment)

    def diff(self, cycle_id: str, first: int, second: int) -> dict[str, Any]:
        """Per unit, what changed from one results version to another, and why."""
        before, after = self.results(cycle_id, first), self.results(cycle_id, second)
        versions = self.views.versions(cycle_id) if self.views else None
        touching = None
        if versions is not None:
            created_at = {entry["version"]: entry["position"] for entry in versions}
            start, end = created_at[first], created_at[second]
            touching = self.views.touching(cycle_id, min(start, end), max(start, end))  # type: ignore[union-attr]
        changed = history.compare_results(before["results"], after["results"])
        if touching is not None:
            note("current")
            changes = history.explained(changed, touching)
        else:
            note("behind")
            events = self.events_of(cycle_id)
            created_at = {
                e.data["version"]: e.originator_version for e in events if "digest" in e.data
            }
            start, end = created_at[first], created_at[second]
            changes = history.explain(changed, events, min(start, end), max(start, end))
        return {
            "cycle": cycle_id,
            "from": {"version": first, "digest": before["digest"], "position": start},
            "to": {"version": second, "digest": after["digest"], "position": end},
            "changes": changes,
        }

    # ---- audit ----------------------------------------------------------------------

    def audit(
        self,
        cycle_id: str,
        unit: str | None = None,
        verb: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        offset: int = 0,
        limit: int | None = None,
        account: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """The audit rows that pass the filters (`since` at or after, `until` before: by
        recording time; `account`: submitted by that account), one page of them, and how
        many pass."""
        since, until = _utc(since), _utc(until)
        if self.views is not None:
            found = self.views.audit(
                cycle_id,
                unit=unit,
                verb=verb,
                actor=actor,
                since_us=microseconds(since) if since else None,
                until_us=microseconds(until) if until else None,
                offset=offset,
                limit=limit,
                account=account,
            )
            if found is not None:
                note("current")
                return found
        note("behind")
        rows = [
            row
            for row in audit_rows(self.events_of(cycle_id), unit)
            if (verb is None or row["verb"] == verb)
            and (actor is None or row["actor"] == actor)
            and (account is None or row["account"] == account)
            and _recorded_within(row, since, until)
        ]
        end = None if limit is None else offset + limit
        return rows[offset:end], len(rows)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def microseconds(moment: datetime) -> int:
    """Microseconds since 1970 (UTC): how the `audit` view keeps recording times."""
    return (moment - EPOCH) // timedelta(microseconds=1)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _recorded_within(row: dict[str, Any], since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    recorded = datetime.fromisoformat(row["recorded"])
    return (since is None or recorded >= since) and (until is None or recorded < until)


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
        "error": None,
    }


def corrupt_summary(header: dict[str, Any], reason: str) -> dict[str, Any]:
    """A cycle that cannot be read, in one line: what its header says, stage `corrupt`."""
    return {
        "cycle": header["id"],
        "scheme": header.get("scheme"),
        "year": header.get("year"),
        "title": header.get("title", ""),
        "stage": "corrupt",
        "version": None,
        "events": None,
        "error": reason,
    }


class Unreadable(Exception):
    """A stored event of a cycle that does not decode, or does not apply where it
    stands: a row changed, moved or deleted behind the application's back."""

    def __init__(self, position: int, error: Exception) -> None:
        super().__init__(position, error)
        self.position = position
        self.error = error

    def refusal(self, cycle_id: str) -> DomainError:
        if isinstance(self.error, OriginatorVersionError):
            what = f"event {self.position} is missing (found event {self.error.args[0]})"
        else:
            what = f"event {self.position} cannot be decoded or applied"
        return DomainError(
            "integrity",
            f"cycle {cycle_id!r} is corrupt: {what}; run `assess verify {cycle_id}`",
        )


def checked_replay(cycle: Cycle | None, events: Iterable[Any]) -> Cycle | None:
    """The domain's `replay` (events applied in order), where an event that fails to
    decode (the library decodes them lazily, as they are iterated) or to apply raises
    `Unreadable` with its position."""
    try:
        for event in events:
            cycle = event.mutate(cycle)
    except Exception as error:
        raise Unreadable(cycle.version + 1 if cycle is not None else 1, error) from error
    return cycle
