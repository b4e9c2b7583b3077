"""SPEC §2.0 over the command line: a batch file's numbers are read exactly; a refused
figure is one line on stderr, exit 2, and nothing stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application
from tests.conftest import store_agnostic
from tests.e2e.test_cli import run, text
from tests.number_cases import ACCEPTED, GROUP, REFUSED, SCORE, Case, seasons
from tests.seasons import APPROVE, CLOSE, PUBLISH

YAML_SCORE = "[{do: submit_score, by: as, unit: P1, component: year_end, value: %s}]"


@pytest.fixture
def cycles(db: str) -> Iterator[str]:
    """The database with both cycles of `seasons()` stored."""
    app = open_application(AssessApp, db)
    try:
        for season in seasons():
            app.import_season(season)
    finally:
        app.close()
    yield db


def events(db: str, cycle: str) -> int:
    app = open_application(AssessApp, db)
    try:
        return next(entry["events"] for entry in app.cycles() if entry["cycle"] == cycle)
    finally:
        app.close()


def assert_refused(db: str, cycle: str, batch: Path, message: str) -> None:
    before = events(db, cycle)
    result = run(db, "act", cycle, str(batch))
    lines = result.stderr.decode("utf-8").splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "action #0" in lines[0] and "invalid_value" in lines[0], lines
    assert message in lines[0] and len(lines[0]) < 300
    assert result.stdout == b""
    assert events(db, cycle) == before


@store_agnostic  # refused in the domain, before the store
@pytest.mark.parametrize("case", REFUSED)
def test_refused_figure(cycles: str, tmp_path: Path, case: Case) -> None:
    batch = tmp_path / "batch.json"
    batch.write_text(f"[{case.action()}]", encoding="utf-8")
    assert_refused(cycles, case.cycle, batch, case.message)


@store_agnostic
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("87.5000000001", "value has more than 2 decimals"),
        ("99.999999999999999999", "value has more than 2 decimals"),
        (".nan", "value must be finite"),
        ("-.inf", "value must be finite"),
        ("1.0e+30", "value must be between 0 and 100"),
        ("1:40.5", "value must be between 0 and 100"),  # YAML 1.1 base 60: 100.5
    ],
)
def test_refused_yaml_figure(cycles: str, tmp_path: Path, number: str, message: str) -> None:
    batch = tmp_path / "batch.yaml"
    batch.write_text(YAML_SCORE % number, encoding="utf-8")
    assert_refused(cycles, GROUP, batch, message)


@store_agnostic
@pytest.mark.parametrize("case", ACCEPTED)
def test_figure_on_its_bound_is_stored(cycles: str, tmp_path: Path, case: Case) -> None:
    batch = tmp_path / "batch.json"
    batch.write_text(f"[{case.action()}]", encoding="utf-8")
    before = events(cycles, case.cycle)
    result = run(cycles, "act", case.cycle, str(batch))
    assert result.returncode == 0, result.stderr
    assert events(cycles, case.cycle) == before + 1


@pytest.mark.parametrize("written", ["-0.00", "-0"])
def test_negative_zero_is_stored_and_published_as_zero(
    cycles: str, tmp_path: Path, written: str
) -> None:
    batch = tmp_path / "batch.json"
    later = ", ".join(json.dumps(action) for action in (CLOSE, APPROVE, PUBLISH))
    batch.write_text(f"[{SCORE % written}, {later}]", encoding="utf-8")
    assert run(cycles, "act", GROUP, str(batch)).returncode == 0

    results = json.loads(text(run(cycles, "results", GROUP)))
    row = next(row for row in results["results"] if row["unit"] == "P1")
    assert row["components"]["year_end"] == "0.00"
    audit = json.loads(text(run(cycles, "audit", GROUP, "--format", "json")))
    stored = [entry["data"] for entry in audit if entry["verb"] == "submit_score"][-1]
    assert stored["value"] == written.removeprefix("-")
    every_output = "".join(
        text(run(cycles, *args))
        for args in (
            ("results", GROUP),
            ("results", GROUP, "--format", "csv"),
            ("results", GROUP, "--format", "table"),
            ("audit", GROUP),
            ("audit", GROUP, "--format", "json"),
            ("audit", GROUP, "--format", "csv"),
        )
    )
    assert "-0.0" not in every_output and "-0," not in every_output
