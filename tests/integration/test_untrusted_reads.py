"""Reads over stored events changed behind the application's back (issue 11): results that
do not reproduce their recorded digest are refused (`integrity`), a cycle that cannot be
replayed is listed as `corrupt` without hiding the others, and `verify --expect-head`
takes a head recorded at any position — on both stores."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
import sqlalchemy
from sqlalchemy import text

from assess.application import library
from assess.application.season import read_season
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.cycle import cycle_uuid
from assess.domain.errors import DomainError
from assess.infrastructure.persistence import normalise_url, open_application
from tests.conftest import EXAMPLES, store_agnostic

GROUP = "2025-group-party-org"  # 54 events, 8 results versions, published at 52
LEADERSHIP = "2025-leadership-team"
SCORE_AT_3 = (b'"value":"87.79"', b'"value":"87.78"')  # group-party-org, event 3


def imported(db: str) -> None:
    """Both example cycles, stored by a process of their own."""
    app = open_application(AssessApp, db)
    for scheme in ("group-party-org", "leadership-team"):
        app.import_season(read_season(EXAMPLES / f"{scheme}.season.json"))
    app.close()


def change_row(db: str, cycle: str, position: int, change: Callable[[bytes], bytes | None]) -> None:
    """The stored row of `cycle` at `position` rewritten by `change` (None: deleted),
    as someone with access to the database could."""
    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as connection:
        rows = connection.execute(
            text("SELECT originator_id, state FROM assess_events WHERE originator_version = :v"),
            {"v": position},
        ).all()
        [(oid, state)] = [row for row in rows if _uuid(row.originator_id) == cycle_uuid(cycle)]
        where = "WHERE originator_id = :i AND originator_version = :v"
        new = change(bytes(state))
        if new is None:
            connection.execute(
                text(f"DELETE FROM assess_events {where}"), {"i": oid, "v": position}
            )
        else:
            connection.execute(
                text(f"UPDATE assess_events SET state = :s {where}"),
                {"s": new, "i": oid, "v": position},
            )
    engine.dispose()


def _uuid(value: object) -> uuid.UUID:
    return uuid.UUID(bytes=value) if isinstance(value, bytes) else uuid.UUID(str(value))


def changed_score(state: bytes) -> bytes:
    assert SCORE_AT_3[0] in state
    return state.replace(*SCORE_AT_3)


@pytest.fixture
def stored(db: str) -> Iterator[str]:
    imported(db)
    yield db


@pytest.fixture
def fresh(stored: str) -> Iterator[Callable[[], AssessApp]]:
    """A new process's application over the store, as changed by then."""
    opened: list[AssessApp] = []

    def open_() -> AssessApp:
        opened.append(open_application(AssessApp, stored))
        return opened[-1]

    yield open_
    for app in opened:
        app.close()


def test_results_that_do_not_reproduce_their_digest_are_refused(stored: str, fresh) -> None:
    change_row(stored, GROUP, 3, changed_score)
    app = fresh()
    for version in (None, 1, 8):
        with pytest.raises(DomainError) as refused:
            app.results(GROUP, version)
        assert refused.value.code == "integrity"
    assert refused.value.message == (
        f"cycle {GROUP!r}: stored events do not reproduce version 8's digest; "
        f"run `assess verify {GROUP}`"
    )
    assert app.results(LEADERSHIP)["version"] >= 1  # an untouched cycle still serves
    assert not verify_cycle(app, GROUP).ok


@store_agnostic
def test_a_document_computed_before_the_change_is_served_by_that_process(
    stored: str, fresh
) -> None:
    """It reproduced the recorded digest when computed: the figures are the stored ones as
    they were; the change is found by the next process that reads, and by `verify`."""
    reader = fresh()
    before = reader.results(GROUP)
    change_row(stored, GROUP, 3, changed_score)
    assert reader.results(GROUP) == before
    with pytest.raises(DomainError, match="integrity"):
        fresh().results(GROUP)


def deleted(state: bytes) -> None:
    return None


def undecodable(state: bytes) -> bytes:
    return b"\x00not an event"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (deleted, "event 20 is missing (found event 21)"),
        (undecodable, "event 20 cannot be decoded or applied"),
    ],
)
def test_a_corrupt_cycle_is_listed_as_such_and_hides_no_other(
    stored: str, fresh, change: Callable[[bytes], bytes | None], reason: str
) -> None:
    change_row(stored, GROUP, 20, change)
    app = fresh()
    listing = {entry["cycle"]: entry for entry in app.cycles()}
    assert listing[LEADERSHIP]["stage"] == "closed" and listing[LEADERSHIP]["error"] is None
    corrupt = listing[GROUP]
    assert (corrupt["stage"], corrupt["scheme"], corrupt["year"]) == (
        "corrupt",
        "group-party-org",
        2025,
    )
    assert corrupt["error"] == (
        f"cycle {GROUP!r} is corrupt: {reason}; run `assess verify {GROUP}`"
    )
    with pytest.raises(DomainError, match="integrity"):
        app.results(GROUP)
    if change is undecodable:
        with pytest.raises(DomainError, match=reason):
            app.events_of(GROUP)  # the audit


@store_agnostic
def test_a_cycle_whose_first_event_cannot_be_read_is_listed_by_its_id(stored: str, fresh) -> None:
    change_row(stored, GROUP, 1, undecodable)
    listing = {entry["cycle"]: entry for entry in fresh().cycles()}
    corrupt = listing[str(cycle_uuid(GROUP))]
    assert corrupt["stage"] == "corrupt" and "first event" in corrupt["error"]
    assert listing[LEADERSHIP]["stage"] == "closed"


@store_agnostic
def test_the_expected_head_may_be_one_recorded_at_publication(stored: str, fresh) -> None:
    app = fresh()
    events = app.events_of(GROUP)
    published = next(e for e in events if type(e).__name__ == "ResultsPublished")
    assert published.originator_version < len(events)  # later events follow it
    at_publication = published.data["head"]

    report = verify_cycle(app, GROUP, expect_head=at_publication)
    assert report.ok, report.failure
    assert report.expected_head_at == published.originator_version - 1
    latest = verify_cycle(app, GROUP, expect_head=report.head)
    assert latest.ok and latest.expected_head_at == len(events)

    elsewhere = verify_cycle(app, GROUP, expect_head="ab" * 32)
    assert not elsewhere.ok and elsewhere.expected_head_at is None
    assert elsewhere.head == report.head  # the real head, for the operator to compare
    assert "on no position of the chain" in elsewhere.failure
    leadership_head = verify_cycle(app, LEADERSHIP).head
    assert not verify_cycle(app, GROUP, expect_head=leadership_head).ok


@store_agnostic
def test_a_changed_event_before_the_expected_head_still_fails(stored: str, fresh) -> None:
    app = fresh()
    published = next(e for e in app.events_of(GROUP) if type(e).__name__ == "ResultsPublished")
    change_row(stored, GROUP, 3, changed_score)
    report = verify_cycle(fresh(), GROUP, expect_head=published.data["head"])
    assert not report.ok and report.position == 3


def test_a_snapshot_that_cannot_be_read_gives_way_to_the_events(stored: str, fresh) -> None:
    """A snapshot is a shortcut: one that does not decode is passed by, the cycle is
    replayed from its events, and the results are those of its recorded digest."""
    app = fresh()
    expected = app.results(GROUP)
    library.snapshot(app, app.cycle(GROUP))
    engine = sqlalchemy.create_engine(normalise_url(stored))
    with engine.begin() as connection:
        connection.execute(text("UPDATE assess_snapshots SET state = :s"), {"s": b"garbage"})
    engine.dispose()
    again = fresh()
    assert again.results(GROUP) == expected
    assert again.cycle(GROUP).version == app.cycle(GROUP).version
    report = verify_cycle(again, GROUP)
    assert not report.ok and "snapshot" in report.failure
