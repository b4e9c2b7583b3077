"""What `assess` says when the store lets it down (issue 11): a batch whose snapshot
fails is reported stored, results that do not reproduce their digest exit 1 with one
line, a corrupt cycle is one line of `assess cycles`, and `verify --expect-head` takes
the head recorded at publication — on both stores (in-process, see `run`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assess.application import service
from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application
from tests.conftest import store_agnostic
from tests.e2e.test_cli import run, text
from tests.integration.test_truthful_writes import CYCLE, SEASON, finding, refuse_snapshots
from tests.integration.test_untrusted_reads import (
    GROUP,
    LEADERSHIP,
    change_row,
    changed_score,
    deleted,
    imported,
)


def event_count(db: str, cycle: str) -> int:
    return len(json.loads(text(run(db, "audit", cycle, "--format", "json"))))


def test_act_says_stored_when_the_snapshot_after_it_fails(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(service, "SNAPSHOT_AFTER", 5)
    app = open_application(AssessApp, db)
    refuse_snapshots(db)
    app.import_season(SEASON)
    app.close()
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([finding("ledger incomplete")]), encoding="utf-8")

    caplog.clear()
    acted = run(db, "act", CYCLE, str(batch), "--idempotency-key", "k-1")
    assert acted.returncode == 0, acted.stderr
    assert "no snapshot taken" in caplog.text  # one was due (at 5), and failed
    assert f"cycle {CYCLE}: 1 events stored" in text(acted)
    assert event_count(db, CYCLE) == 10

    again = run(db, "act", CYCLE, str(batch), "--idempotency-key", "k-1")
    assert again.returncode == 0, again.stderr
    assert event_count(db, CYCLE) == 10
    assert run(db, "verify", CYCLE).returncode == 0


def test_results_over_changed_events_exit_1_with_one_line(db: str) -> None:
    imported(db)
    change_row(db, GROUP, 3, changed_score)
    refused = run(db, "results", GROUP)
    assert (refused.returncode, refused.stdout) == (1, b"")
    assert refused.stderr.decode().splitlines() == [
        f"error: integrity: cycle {GROUP!r}: stored events do not reproduce version 8's "
        f"digest; run `assess verify {GROUP}`"
    ]
    assert run(db, "results", LEADERSHIP).returncode == 0


def test_a_corrupt_cycle_is_one_line_of_the_listing(db: str) -> None:
    imported(db)
    change_row(db, GROUP, 20, deleted)
    listed = run(db, "cycles")
    assert listed.returncode == 0, listed.stderr
    lines = text(listed).splitlines()
    [group] = [line for line in lines if GROUP in line]
    assert "corrupt" in group and "event 20 is missing" in group
    assert any(LEADERSHIP in line and "closed" in line for line in lines)
    refused = run(db, "results", GROUP)
    assert refused.returncode == 1 and "is corrupt: event 20 is missing" in refused.stderr.decode()


@store_agnostic
def test_verify_takes_the_head_recorded_at_publication(db: str) -> None:
    imported(db)
    records = json.loads(text(run(db, "audit", GROUP, "--format", "json")))
    published = next(r for r in records if r["event"] == "ResultsPublished")
    verified = run(db, "verify", GROUP, "--expect-head", published["data"]["head"])
    assert verified.returncode == 0, verified.stdout
    assert f"the chain of event {published['position'] - 1}" in text(verified)

    failed = run(db, "verify", GROUP, "--expect-head", "ab" * 32, "--format", "json")
    report = json.loads(text(failed))
    assert failed.returncode == 1 and not report["ok"]
    assert report["head"] == records[-1]["chain"] and report["expected_head_at"] is None
