"""Every shared worked example: every results version, figure for figure, digest for digest."""

from __future__ import annotations

import json

import pytest

from assess.application.season import read_season
from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application
from tests.conftest import EXAMPLES, SCHEMES


def expected_versions(scheme: str) -> list[dict]:
    return json.loads((EXAMPLES / f"{scheme}.versions.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_version_matches(app: AssessApp, scheme: str) -> None:
    season = read_season(EXAMPLES / f"{scheme}.season.json")
    applied = app.import_season(season)
    assert applied.stage == "closed"
    expected = expected_versions(scheme)
    assert applied.version == len(expected)
    for version in expected:
        got = app.results(season["cycle"]["id"], version["version"])
        assert got == version
        canonical = json.dumps(
            got["results"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert canonical == json.dumps(
            version["results"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_latest_equals_results_file(app: AssessApp, scheme: str) -> None:
    season = read_season(EXAMPLES / f"{scheme}.season.json")
    app.import_season(season)
    expected = json.loads((EXAMPLES / f"{scheme}.results.json").read_text(encoding="utf-8"))
    assert app.results(season["cycle"]["id"]) == expected


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_fresh_application_reads_the_same_versions(db: str, scheme: str) -> None:
    """Results are projections: a new process over the same store rebuilds them exactly."""
    season = read_season(EXAMPLES / f"{scheme}.season.json")
    first = open_application(AssessApp, db)
    first.import_season(season)
    first.close()
    second = open_application(AssessApp, db)
    for version in expected_versions(scheme):
        assert (
            second.results(season["cycle"]["id"], version["version"])["digest"] == version["digest"]
        )
    second.close()
