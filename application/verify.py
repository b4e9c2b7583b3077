"""Replay verification (SPEC §7): the stored events, their chain, and every results version.

Reads the stored rows directly (never snapshots or caches), so a change made to the
database behind the application's back shows up as the first position that fails:
a payload or order change breaks that event's hash, a deletion or insertion breaks
the run of positions, a forged event breaks the chain, a tampered snapshot differs
from the replayed state. A removed tail is caught by comparing the head with one
kept elsewhere (`expect_head`): the latest head, or one recorded at any position
(approval, publication) that the chain must pass through there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from eventsourcing.utils import resolve_topic

from assess.application import library
from assess.application.service import AssessApp
from assess.domain.attachments import attachments_of
from assess.domain.chain import GENESIS, event_content, link
from assess.domain.cycle import Cycle, cycle_uuid
from assess.domain.errors import DomainError
from assess.domain.events import CycleEvent, ResultsApproved, ResultsPublished
from assess.domain.results import digest, results_array


class VerificationFailed(Exception):
    def __init__(self, position: int | None, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


@dataclass
class Verification:
    cycle: str
    events: int = 0
    versions: int = 0
    digests_matched: int = 0
    snapshots_checked: int = 0
    files_checked: int = 0  # attached evidence files found and hashing to their digests
    head: str = GENESIS  # the chain of the last event verified
    failure: str | None = None
    position: int | None = None
    expected_head_at: int | None = None  # the event whose chain is the expected head
    # Each digest check, in order: {position, version, what ("version", "approval",
    # "publication"), recorded, recomputed, matched}; the failing one last.
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "ok": self.ok,
            "events": self.events,
            "versions": self.versions,
            "digests_matched": self.digests_matched,
            "snapshots_checked": self.snapshots_checked,
            "files_checked": self.files_checked,
            "head": self.head,
            "failure": self.failure,
            "position": self.position,
            "expected_head_at": self.expected_head_at,
        }


def verify_cycle(app: AssessApp, cycle_id: str, expect_head: str | None = None) -> Verification:
    """The stored events replayed and checked; with `expect_head`, a head kept elsewhere
    must be the chain of one of the events (the last, or the one before an approval or
    publication that recorded it): every event up to it is then as it was when the head
    was taken, since each hash covers the one before. Events after that position are
    only vouched for by a later head."""
    aggregate_id = cycle_uuid(cycle_id)
    stored = app.recorder.select_events(aggregate_id)
    if not stored:
        raise DomainError("not_found", f"no cycle {cycle_id!r}")
    report = Verification(cycle=cycle_id)
    snapshots = library.stored_snapshots(app, aggregate_id)
    try:
        _replay(app, stored, snapshots, report, expect_head)
        if expect_head is not None and report.expected_head_at is None:
            raise VerificationFailed(
                report.events,
                f"the expected head {expect_head} is on no position of the chain "
                f"(its head is {report.head})",
            )
    except VerificationFailed as failed:
        report.failure = failed.message
        report.position = failed.position
    return report


def _replay(
    app: AssessApp,
    stored: Sequence[Any],
    snapshots: dict[int, Any],
    report: Verification,
    expect_head: str | None = None,
) -> None:
    decode = library.event_decoder_with_recorded(app)
    cycle: Cycle | None = None
    previous = GENESIS
    for position, row in enumerate(stored, start=1):
        if row.originator_version != position:
            raise VerificationFailed(
                position, f"event {position} is missing (found position {row.originator_version})"
            )
        event, recorded = _decode(decode, row, position)
        if _link_of(event, position, previous, recorded) != event.chain:
            raise VerificationFailed(
                position,
                f"event {position} ({type(event).__name__}) does not match its hash: "
                "its content, order or link to the previous event was changed",
            )
        _check_files(app, event, position, report)
        try:
            cycle = _applied(cycle, event)
        except Exception as error:  # noqa: BLE001 - any failure to replay is a finding
            raise VerificationFailed(
                position, f"event {position} cannot be replayed: {error}"
            ) from None
        assert cycle is not None
        _check_digests(cycle, event, previous, report)
        if position in snapshots:
            _check_snapshot(app, cycle, snapshots[position], position)
            report.snapshots_checked += 1
        previous = event.chain
        report.events, report.head = position, previous
        if previous == expect_head:
            report.expected_head_at = position
    report.versions = len(cycle.versions) if cycle else 0


def _decode(
    decode: Callable[[Any], tuple[Any, str | None]], row: Any, position: int
) -> tuple[CycleEvent, str | None]:
    """The event in a stored row, and its recording time as stored (see
    `library.event_decoder_with_recorded`); bytes that do not decode, or an event of
    something other than a cycle, are a finding."""
    try:
        if not issubclass(resolve_topic(row.topic), CycleEvent):
            raise VerificationFailed(position, f"event {position} is not an event of a cycle")
        event, recorded = decode(row)
    except VerificationFailed:
        raise
    except Exception as error:  # noqa: BLE001 - undecodable bytes are a finding
        raise VerificationFailed(position, f"event {position} cannot be decoded: {error}") from None
    return event, recorded


def _applied(cycle: Cycle | None, event: CycleEvent) -> Cycle:
    """The event applied. Positions were checked above, so after the first event (which
    creates the cycle) the library's own checks of id and position are skipped."""
    if cycle is None:
        return cast(Cycle, event.mutate(None))
    event.apply(cycle)
    cycle.version = event.originator_version
    cycle.modified_on = event.timestamp
    return cycle


def _link_of(event: CycleEvent, position: int, previous: str, recorded: str | None = None) -> str:
    """The hash of the event's content and the previous chain; `recorded` is the
    recording time as stored, where the decoder kept it (no round trip through a
    datetime)."""
    try:
        fields = {
            "actor": event.actor,
            "role": event.role,
            "at": event.at,
            "data": event.data,
            "account": event.account,
            "request": event.request,
        }
        moment = recorded if recorded is not None else event.timestamp
        return link(event_content(type(event).__name__, position, moment, fields, previous))
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise VerificationFailed(position, f"event {position} is malformed: {error}") from None


def _check_digests(cycle: Cycle, event: CycleEvent, previous: str, report: Verification) -> None:
    position = event.originator_version
    data = event.data
    if "digest" in data:
        recomputed = digest(results_array(cycle))
        report.checks.append(
            {
                "position": position,
                "version": data["version"],
                "what": "version",
                "recorded": data["digest"],
                "recomputed": recomputed,
                "matched": recomputed == data["digest"],
            }
        )
        if recomputed != data["digest"]:
            raise VerificationFailed(
                position,
                f"results version {data['version']} (event {position}): recomputed digest "
                f"{recomputed} differs from the recorded {data['digest']}",
            )
        report.digests_matched += 1
    if isinstance(event, ResultsApproved | ResultsPublished):
        latest = cycle.versions[-1]
        what = "approval" if isinstance(event, ResultsApproved) else "publication"
        report.checks.append(
            {
                "position": position,
                "version": latest["version"],
                "what": what,
                "recorded": data.get("results_digest"),
                "recomputed": latest["digest"],
                "matched": data.get("results_digest") == latest["digest"]
                and data.get("head") == previous,
            }
        )
        if data.get("results_digest") != latest["digest"]:
            raise VerificationFailed(
                position,
                f"the digest recorded at {what} (event {position}) is not that of version "
                f"{latest['version']}",
            )
        if data.get("head") != previous:
            raise VerificationFailed(
                position, f"the chain head recorded at {what} (event {position}) is wrong"
            )
        report.digests_matched += 1


def _check_files(app: AssessApp, event: CycleEvent, position: int, report: Verification) -> None:
    """Every file the event attaches is stored and hashes to the digest its (hashed)
    content records: a changed or missing file names the event and the file."""
    listed = attachments_of(event.data)
    if not listed:
        return
    if app.files is None:
        raise VerificationFailed(position, f"event {position} attaches files; no file store")
    digests = [entry["sha256"] for entry in listed]
    for entry, (sha256, content) in zip(listed, app.files.read_many(digests), strict=True):
        where = f"event {position} ({type(event).__name__}) attaches {entry['name']} ({sha256})"
        if content is None:
            raise VerificationFailed(position, f"{where}: the stored file is missing")
        found = hashlib.sha256(content).hexdigest()
        if found != sha256:
            raise VerificationFailed(
                position, f"{where}: the stored file hashes to {found} instead"
            )
        report.files_checked += 1


def _check_snapshot(app: AssessApp, cycle: Cycle, row: Any, position: int) -> None:
    try:
        stored = library.decode_snapshot_state(app, row)
    except Exception:  # noqa: BLE001 - an undecodable snapshot differs
        stored = None
    if stored != library.snapshot_state(cycle):
        raise VerificationFailed(
            position, f"the snapshot at event {position} differs from the replayed events"
        )
