"""A write is reported as it is stored (issue 11): a snapshot that cannot be written after
the events' commit fails nothing, is logged, and is tried again later — on both stores,
with a real failure (a trigger on the snapshots table) and an injected one."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy
from eventsourcing.persistence import OperationalError

from assess.application import library, service
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.cycle import cycle_uuid
from assess.infrastructure.persistence import normalise_url, open_application
from tests.conftest import store_agnostic
from tests.seasons import group_season

SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})  # 9 events
CYCLE = SEASON["cycle"]["id"]
FINDING = {"do": "record_supervision", "by": "as", "unit": "P1", "method": "site_visit"}


def finding(text: str) -> dict[str, Any]:
    return {**FINDING, "findings": text}


def refuse_snapshots(db: str) -> None:
    """A trigger that fails every insert into the snapshots table, as a full disk would."""
    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                sqlalchemy.text(
                    "CREATE TRIGGER no_snapshots BEFORE INSERT ON assess_snapshots "
                    "BEGIN SELECT RAISE(ABORT, 'no space left on device'); END"
                )
            )
        else:
            connection.execute(
                sqlalchemy.text(
                    "CREATE FUNCTION no_snapshots() RETURNS trigger AS $$ BEGIN "
                    "RAISE EXCEPTION 'no space left on device' USING ERRCODE = 'disk_full'; "
                    "END $$ LANGUAGE plpgsql"
                )
            )
            connection.execute(
                sqlalchemy.text(
                    "CREATE TRIGGER no_snapshots BEFORE INSERT ON assess_snapshots "
                    "FOR EACH ROW EXECUTE FUNCTION no_snapshots()"
                )
            )
    engine.dispose()


def allow_snapshots(db: str) -> None:
    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as connection:
        on_table = "" if engine.dialect.name == "sqlite" else " ON assess_snapshots"
        connection.execute(sqlalchemy.text(f"DROP TRIGGER no_snapshots{on_table}"))
    engine.dispose()


@pytest.fixture
def snapshot_every_5(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots after 5 events, tried again 3 events after a failure."""
    monkeypatch.setattr(service, "SNAPSHOT_AFTER", 5)
    monkeypatch.setattr(service, "SNAPSHOT_RETRY_AFTER", 3)


@pytest.fixture
def app(db: str, snapshot_every_5: None) -> Iterator[AssessApp]:
    application = open_application(AssessApp, db)
    yield application
    application.close()


def snapshot_positions(app: AssessApp) -> list[int]:
    return sorted(library.stored_snapshots(app, cycle_uuid(CYCLE)))


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "assess.application"]


def test_a_refused_snapshot_fails_no_write_and_is_taken_later(
    db: str, app: AssessApp, caplog: pytest.LogCaptureFixture
) -> None:
    refuse_snapshots(db)
    caplog.set_level(logging.WARNING, logger="assess.application")
    assert app.import_season(SEASON).events == 9  # a snapshot was due at 5: it failed
    assert len(warnings_of(caplog)) == 1
    assert repr(CYCLE) in warnings_of(caplog)[0] and "no snapshot taken" in warnings_of(caplog)[0]

    for n in (10, 11, 12):  # tried again once, at 12 (3 events later), failing again
        assert app.act(CYCLE, [finding(f"#{n}")]).position == n
    assert len(warnings_of(caplog)) == 2
    assert snapshot_positions(app) == []

    allow_snapshots(db)
    for n in (13, 14, 15):  # the next try, at 15, succeeds
        assert app.act(CYCLE, [finding(f"#{n}")]).position == n
    assert snapshot_positions(app) == [15] and len(warnings_of(caplog)) == 2

    events = app.events_of(CYCLE)
    assert [e.data.get("findings") for e in events[9:]] == [f"#{n}" for n in range(10, 16)]
    report = verify_cycle(app, CYCLE)
    assert report.ok and report.snapshots_checked == 1, report.failure


@store_agnostic
def test_an_injected_snapshot_failure_after_each_batch(
    app: AssessApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An error of the kind a lost connection raises, on every snapshot insert: batches
    are answered as stored, once each."""
    assert app.snapshots is not None

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(app.snapshots.recorder, "insert_events", fail)
    caplog.set_level(logging.WARNING, logger="assess.application")
    app.import_season(SEASON)
    batch = [finding("a"), finding("b"), finding("c")]
    assert app.act(CYCLE, batch).position == 12
    assert app.act(CYCLE, [finding("d")]).position == 13
    assert len(warnings_of(caplog)) == 2  # at 9 (due at 5), then at 12 (3 later)
    assert len(app.events_of(CYCLE)) == 13 and snapshot_positions(app) == []
