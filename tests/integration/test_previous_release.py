"""Cycles stored by the release before the `assess` namespace load and verify.

`tests/fixtures/previous-release.db` was written by that release: the three shared
examples imported with `assess import`, and a snapshot of 2025-leadership-team at event
100. Its rows name classes by the old topics (`domain.events:ScoreSubmitted`, and
`domain.cycle:Cycle` inside the snapshot).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.infrastructure.persistence import open_application
from tests.conftest import SCHEMES
from tests.examples.test_examples import expected_versions

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "previous-release.db"


@pytest.fixture
def previous(tmp_path: Path) -> AssessApp:
    copy = tmp_path / "previous.db"
    shutil.copyfile(FIXTURE, copy)
    app = open_application(AssessApp, f"sqlite:///{copy}")
    yield app
    app.close()


def test_the_fixture_holds_old_topics() -> None:
    with sqlite3.connect(f"file:{FIXTURE}?mode=ro&immutable=1", uri=True) as db:
        topics = {row[0] for row in db.execute("SELECT DISTINCT topic FROM assess_events")}
        snapshot = db.execute("SELECT state FROM assess_snapshots").fetchone()[0]
    assert "domain.events:ScoreSubmitted" in topics
    assert not any(topic.startswith("assess.") for topic in topics)
    assert b'"domain.cycle:Cycle"' in snapshot


@pytest.mark.parametrize("scheme", SCHEMES)
def test_old_cycles_verify_and_give_every_version(previous: AssessApp, scheme: str) -> None:
    cycle = f"2025-{scheme}"
    report = verify_cycle(previous, cycle)
    assert report.ok, report.failure
    expected = expected_versions(scheme)
    assert report.digests_matched >= len(expected)
    for version in expected:
        assert previous.results(cycle, version["version"]) == version


def test_an_old_snapshot_loads(previous: AssessApp) -> None:
    assert verify_cycle(previous, "2025-leadership-team").snapshots_checked == 1
    cycle = previous.cycle("2025-leadership-team")
    assert cycle.stage == "closed"
    assert previous.cycle("2025-leadership-team", position=150).version == 150


def test_old_cycles_are_listed(previous: AssessApp) -> None:
    listing = {entry["cycle"]: entry for entry in previous.cycles()}
    assert set(listing) == {f"2025-{scheme}" for scheme in SCHEMES}


def test_the_old_top_level_names_are_not_installed(tmp_path: Path) -> None:
    """Outside the checkout only `assess.*` exists: `import domain` fails."""
    probe = (
        "import importlib.util, sys\n"
        "import assess.domain.cycle, assess.cli.main\n"
        "missing = [n for n in ('domain', 'application', 'infrastructure', 'api', 'cli')\n"
        "           if importlib.util.find_spec(n) is None]\n"
        "print(' '.join(missing))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", probe], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["domain", "application", "infrastructure", "api", "cli"]
    failed = subprocess.run(
        [sys.executable, "-I", "-c", "import domain"], cwd=tmp_path, capture_output=True, text=True
    )
    assert failed.returncode != 0
    assert "No module named 'domain'" in failed.stderr
