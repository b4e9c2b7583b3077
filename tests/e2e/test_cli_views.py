"""`assess views status|run|rebuild` as a user runs them, and the reads that follow."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy
from sqlalchemy.pool import NullPool

from assess.infrastructure.persistence import normalise_url
from tests.conftest import EXAMPLES, store_agnostic
from tests.e2e.test_cli import ASSESS, run

SEASONS = [EXAMPLES / f"{scheme}.season.json" for scheme in ("group-party-org", "leadership-team")]


def imported(db: str) -> int:
    for season in SEASONS:
        assert run(db, "import", str(season)).returncode == 0
    return sum(len(json.loads(season.read_text())["actions"]) for season in SEASONS)


def status(db: str) -> list[dict]:
    done = run(db, "views", "status", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_status_run_and_rebuild(db: str) -> None:
    imported(db)
    before = status(db)
    last = before[0]["last"]
    assert [row["view"] for row in before] == ["cycles", "results", "audit", "history"]
    assert all(
        row == {"view": row["view"], "processed": 0, "last": last, "lag": last} for row in before
    )
    audit_before = run(db, "audit", "2025-group-party-org").stdout

    done = run(db, "views", "run")
    assert done.returncode == 0, done.stderr
    assert f"at notification {last}" in done.stdout.decode()
    assert all(row["processed"] == last and row["lag"] == 0 for row in status(db))
    assert run(db, "audit", "2025-group-party-org").stdout == audit_before

    again = run(db, "views", "run").stdout.decode()
    assert again.startswith("views up to date: 0 events applied")

    rebuilt = run(db, "views", "rebuild", "results")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.decode().startswith("rebuilt results: ")
    table = run(db, "views", "status").stdout.decode()
    assert "results" in table and "lag" in table


@store_agnostic
def test_an_unknown_view_is_refused_in_one_line(db: str) -> None:
    done = run(db, "views", "rebuild", "scores")
    assert done.returncode == 2
    assert "'scores' is not one of 'cycles', 'results', 'audit', 'history'" in done.stderr.decode()


@store_agnostic
def test_views_that_lost_their_place_say_to_rebuild(db: str, tmp_path: Path) -> None:
    season = tmp_path / "season.json"
    done = run(db, "demo-season", "--scheme", "group-party-org", "--units", "3", "-o", str(season))
    assert done.returncode == 0, done.stderr
    assert run(db, "import", str(season)).returncode == 0
    assert run(db, "views", "run").returncode == 0
    engine = sqlalchemy.create_engine(normalise_url(db), poolclass=NullPool)
    with engine.begin() as connection:  # cursors changed behind the runner's back
        connection.execute(sqlalchemy.text("UPDATE view_cursor SET position = 3"))
    engine.dispose()
    batch = tmp_path / "batch.json"
    batch.write_text(
        json.dumps([{"do": "add_actor", "by": "od", "actor": "a2", "role": "auditor"}])
    )
    cycle = json.loads(season.read_text())["cycle"]["id"]
    done = run(db, "act", cycle, str(batch))
    assert done.returncode == 0, done.stderr
    lost = run(db, "views", "run")
    assert lost.returncode == 1
    assert "lost their place" in lost.stderr.decode()
    assert "assess views rebuild" in lost.stderr.decode()
    assert run(db, "views", "rebuild").returncode == 0
    assert all(row["lag"] == 0 for row in status(db))


@store_agnostic
def test_run_follow_keeps_the_views_current_until_stopped(db: str) -> None:
    """The installed command, as the compose file's `views` service runs it."""
    imported(db)
    process = subprocess.Popen(
        [str(ASSESS), "--db", db, "views", "run", "--follow", "--interval", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(row["lag"] for row in status(db)):
            time.sleep(0.1)
        assert all(row["lag"] == 0 for row in status(db))
        assert (
            run(db, "import", str(EXAMPLES / "performance-evaluation.season.json")).returncode == 0
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(row["lag"] for row in status(db)):
            time.sleep(0.1)
        assert all(row["lag"] == 0 for row in status(db))
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert b"Traceback" not in stderr


@pytest.mark.parametrize("command", [("views", "status"), ("views", "run")])
@store_agnostic
def test_views_on_an_empty_store(db: str, command: tuple[str, ...]) -> None:
    done = run(db, *command)
    assert done.returncode == 0, done.stderr


def test_a_rebuild_killed_midway_resumes_to_the_same_views(tmp_path: Path) -> None:
    """SIGKILL, as a crash or an OOM killer would: no clean-up runs. `views run` then
    goes on from the last committed batch, and the views equal an undisturbed rebuild."""
    from assess.application.service import AssessApp
    from assess.infrastructure.persistence import open_application
    from tests.integration.test_views import dump

    db = f"sqlite:///{tmp_path / 'assess.db'}"
    season = tmp_path / "season.json"
    made = run(db, "demo-season", "--scheme", "performance-evaluation", "--units", "300",
               "--per-score", "--complications", "-o", str(season))  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert run(db, "import", str(season)).returncode == 0
    assert run(db, "views", "rebuild").returncode == 0
    app = open_application(AssessApp, db)
    try:
        clean = dump(app)
    finally:
        app.close()
    last = status(db)[0]["last"]
    process = subprocess.Popen(
        [str(ASSESS), "--db", db, "views", "rebuild", "--batch", "50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not 0 < status(db)[0]["processed"] < last:
        time.sleep(0.01)
    process.kill()
    process.wait(timeout=30)
    stopped = status(db)[0]["processed"]
    assert 0 < stopped < last, "killed before its first batch or after its last"
    assert run(db, "views", "run").returncode == 0
    app = open_application(AssessApp, db)
    try:
        assert dump(app) == clean
    finally:
        app.close()
