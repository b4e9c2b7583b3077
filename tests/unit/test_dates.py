"""Dates (SPEC §3): no `at` in the future, and the appeal window counted from the dates of
publication and appeal, each its `at` or else the day it is recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.cycle import cycle_uuid
from assess.domain.errors import ActionRefused
from assess.infrastructure.persistence import open_application
from tests.seasons import APPROVE, CLOSE, performance_season, with_actions

PERFORMANCE = "t-performance-evaluation"
SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}


def today() -> date:
    return datetime.now(UTC).date()


def days_ago(days: int) -> str:
    return (today() - timedelta(days)).isoformat()


def published(app: AssessApp, at: str | None) -> None:
    """performance-evaluation, published by org_dept dated `at` (None: undated)."""
    publish: dict[str, Any] = {"do": "publish_results", "by": "od"}
    if at is not None:
        publish["at"] = at
    app.import_season(with_actions(performance_season(SCORES), CLOSE, APPROVE, publish))


def appeal(at: str | None = None, appeal_id: str = "AP-1") -> dict[str, Any]:
    action = {"do": "file_appeal", "by": "u-O1", "appeal": appeal_id, "reason": "复核"}
    return action if at is None else {**action, "at": at}


def refused(app: AssessApp, *actions: dict[str, Any]) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        app.act(PERFORMANCE, list(actions))
    return caught.value


def test_an_undated_appeal_60_days_after_publication_is_refused(app: AssessApp) -> None:
    published(app, days_ago(60))
    error = refused(app, appeal())
    assert error.code == "wrong_stage"
    assert "60 days" in error.message
    assert app.cycle(PERFORMANCE).appeals == {}


def test_an_appeal_dated_before_publication_is_refused(app: AssessApp) -> None:
    published(app, days_ago(10))
    assert refused(app, appeal(days_ago(11))).code == "wrong_stage"
    app.act(PERFORMANCE, [appeal(days_ago(10))])  # the day of publication is day 0


def test_day_30_is_accepted_and_day_31_refused_dated_or_not(memory_app: AssessApp) -> None:
    published(memory_app, days_ago(40))
    assert refused(memory_app, appeal(days_ago(9))).code == "wrong_stage"  # day 31
    memory_app.act(PERFORMANCE, [appeal(days_ago(10))])  # day 30
    other = AssessApp()
    published(other, days_ago(30))
    other.act(PERFORMANCE, [appeal()])  # undated, today: day 30


def test_an_undated_publication_is_dated_by_its_recording(app: AssessApp) -> None:
    published(app, None)
    assert app.cycle(PERFORMANCE).published_on == today().isoformat()
    assert refused(app, appeal(days_ago(1))).code == "wrong_stage"
    app.act(PERFORMANCE, [appeal()])


def test_the_publication_day_survives_replay_and_snapshots(db: str) -> None:
    first = open_application(AssessApp, db)
    published(first, None)
    first.take_snapshot(cycle_uuid(PERFORMANCE))
    first.close()
    second = open_application(AssessApp, db)
    try:
        assert second.cycle(PERFORMANCE).published_on == today().isoformat()
        assert refused(second, appeal(days_ago(1))).code == "wrong_stage"
        report = verify_cycle(second, PERFORMANCE)  # the snapshot equals the replayed events
        assert (report.ok, report.snapshots_checked) == (True, 1), report.failure
    finally:
        second.close()


def test_a_dated_publication_counts_from_the_date_written(memory_app: AssessApp) -> None:
    published(memory_app, "2026-03-01T23:30:00+08:00")
    assert refused(memory_app, appeal("2026-04-01")).code == "wrong_stage"  # day 31
    memory_app.act(PERFORMANCE, [appeal("2026-03-31")])


# Moments relative to now, made in the test (collection must not depend on the clock:
# each pytest-xdist worker collects the same ids).
AHEAD: dict[str, Callable[[], str]] = {
    "30 hours, UTC": lambda: (datetime.now(UTC) + timedelta(hours=30)).isoformat(),
    "30 hours, no offset": lambda: (
        (datetime.now(UTC) + timedelta(hours=30)).replace(tzinfo=None).isoformat()
    ),
    "two days": lambda: (today() + timedelta(days=2)).isoformat(),
    "2999": lambda: "2999-01-01",
}
WITHIN_A_DAY: dict[str, Callable[[], str]] = {
    "a day ahead: another time zone": lambda: (today() + timedelta(days=1)).isoformat(),
    "20 hours, UTC": lambda: (datetime.now(UTC) + timedelta(hours=20)).isoformat(),
    "20 hours, local offset": lambda: (
        (datetime.now(UTC) + timedelta(hours=20)).astimezone().isoformat()
    ),
    "the past": lambda: "2025-12-10",
}


@pytest.mark.parametrize("moment", list(AHEAD))
def test_an_at_in_the_future_is_refused(memory_app: AssessApp, moment: str) -> None:
    at = AHEAD[moment]()
    memory_app.import_season(performance_season(SCORES))
    error = refused(memory_app, {**CLOSE, "at": at})
    assert error.code == "invalid_value"
    assert "future" in error.message
    assert memory_app.cycle(PERFORMANCE).stage == "assessment"


@pytest.mark.parametrize("moment", list(WITHIN_A_DAY))
def test_an_at_within_a_day_of_now_is_kept_as_given(memory_app: AssessApp, moment: str) -> None:
    at = WITHIN_A_DAY[moment]()
    memory_app.import_season(performance_season(SCORES))
    memory_app.act(PERFORMANCE, [{**CLOSE, "at": at}])
    assert memory_app.events_of(PERFORMANCE)[-1].at == at
