"""Idempotency keys kept with the events (issue 11): the first answer is rebuilt from the
cycle, in a group as across snapshots; keyed events verify, by the application and by
the outside script; snapshots of cycles without keys stay as they were."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assess.application import library
from assess.application.audit import export_records
from assess.application.batches import Applied
from assess.application.group_commit import decide
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.errors import DomainError
from assess.domain.requests import request_of
from assess.infrastructure.persistence import open_application
from tests.conftest import store_agnostic
from tests.integration.test_previous_release import FIXTURE
from tests.seasons import group_season

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"
SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})
CYCLE = SEASON["cycle"]["id"]
CLOSE = {"do": "close_scoring", "by": "od"}
VETO = {"do": "apply_veto", "by": "lg", "unit": "P2", "basis": "other", "reason": "理由"}


def keyed(key: str, actions: list[dict]) -> dict[str, str]:
    request = request_of(key, {"account": "ops", "actions": actions})
    assert request is not None
    return request


def test_a_keyed_import_and_batch_repeat_without_storing(app: AssessApp, tmp_path: Path) -> None:
    season_request = request_of("import", {"season": SEASON})
    first = app.import_season(SEASON, account="ops", request=season_request)
    assert app.import_season(SEASON, account="ops", request=season_request) == first
    with pytest.raises(DomainError, match="exists already"):
        app.import_season(SEASON, account="ops")

    request = keyed("close", [CLOSE])
    closed = app.act(CYCLE, [CLOSE], account="ops", request=request)
    assert not closed.repeated
    repeat = app.act(CYCLE, [CLOSE], account="ops", request=request)
    assert repeat == closed and repeat.repeated
    with pytest.raises(DomainError, match="was used for another request"):
        app.act(CYCLE, [VETO], account="ops", request=keyed("close", [VETO]))
    assert len(app.events_of(CYCLE)) == closed.position

    assert verify_cycle(app, CYCLE).ok
    records = export_records(app.events_of(CYCLE))
    assert records[-1]["request"] == request
    exported = tmp_path / "audit.json"
    exported.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    script = subprocess.run([sys.executable, str(SCRIPT), str(exported)], capture_output=True)
    assert script.returncode == 0, script.stdout + script.stderr


@store_agnostic
def test_two_tickets_with_one_key_in_a_group_store_once(app: AssessApp) -> None:
    """Group commit decides its tickets one after another on one cycle: the second sees
    the first's events before they are stored."""
    app.import_season(SEASON)
    request = keyed("veto", [VETO])
    cycle = app.cycle(CYCLE)
    first, second = (decide(cycle, [VETO], "ops", request) for _ in range(2))
    assert first == second and first.events == 1 and isinstance(second, Applied)
    assert second.repeated and len(cycle.pending_events) == 1
    app.store_changes(cycle)
    assert [event.request for event in app.events_of(CYCLE)[-2:]] == [None, request]


@store_agnostic
def test_the_answer_survives_a_snapshot(db: str, app: AssessApp) -> None:
    app.import_season(SEASON)
    request = keyed("close", [CLOSE])
    closed = app.act(CYCLE, [CLOSE], account="ops", request=request)
    library.snapshot(app, app.cycle(CYCLE))
    app.close()
    reopened = open_application(AssessApp, db)
    try:
        assert reopened.act(CYCLE, [CLOSE], account="ops", request=request) == closed
        assert verify_cycle(reopened, CYCLE).snapshots_checked == 1
    finally:
        reopened.close()


def test_a_snapshot_from_before_keys_loads_and_takes_keys(tmp_path: Path) -> None:
    copy = tmp_path / "previous.db"
    shutil.copyfile(FIXTURE, copy)
    app = open_application(AssessApp, f"sqlite:///{copy}")
    try:
        old = app.cycle("2025-leadership-team", position=100)  # from the old snapshot
        assert "requests" not in vars(old)
        assert old.stored_request(keyed("new", [CLOSE])) is None
        assert verify_cycle(app, "2025-leadership-team").ok  # its snapshot still matches
    finally:
        app.close()
