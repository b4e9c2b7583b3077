"""One way to load the demo, for `assess demo`, `assess serve --demo` and the API: each
scheme's season is imported once, and what was there already is said so."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner

from assess.application.service import AssessApp
from assess.cli.main import cli
from assess.cli.serve import _prepare_demo
from assess.demo import demo_cycle, demo_cycles, load_demo_seasons
from assess.domain.schemes import SCHEME_IDS
from assess.infrastructure.persistence import open_application
from tests.conftest import store_agnostic

# One per scheme, then the two-level demo of the organisation tree (SPEC §9).
DEMO_CYCLES = [demo_cycle(scheme) for scheme in SCHEME_IDS] + [
    "2024-city",
    "2024-T01",
    "2024-T02",
    "2025-city",
    "2025-T01",
    "2025-T02",
]


def test_the_demo_is_imported_once(app: AssessApp) -> None:
    first = load_demo_seasons(app)
    assert (first.imported, first.present) == (DEMO_CYCLES, []) and demo_cycles() == DEMO_CYCLES
    assert [entry["cycle"] for entry in app.cycles()] == sorted(DEMO_CYCLES)
    stages = {entry["cycle"]: entry["stage"] for entry in app.cycles()}
    assert {stages.pop(cycle) for cycle in ("2025-city", "2025-T01")} == {"published"}
    assert stages.pop("2025-T02") == "assessment"  # still scored: no results yet
    assert set(stages.values()) == {"closed"}
    again = load_demo_seasons(app)
    assert (again.imported, again.present) == ([], DEMO_CYCLES)
    assert (
        again.summary() == f"demo cycles imported: none; already present: {', '.join(DEMO_CYCLES)}"
    )


class _StaleListing:
    """The application as seen by a process that listed the cycles before another
    process imported the demo."""

    def __init__(self, app: AssessApp) -> None:
        self.app = app

    def cycles(self) -> list[dict[str, Any]]:
        return []

    def import_season(self, season: dict[str, Any], *, account: str | None = None) -> Any:
        return self.app.import_season(season, account=account)


@store_agnostic
def test_a_season_imported_meanwhile_by_another_process_counts_as_present(
    app: AssessApp,
) -> None:
    load_demo_seasons(app)
    late = load_demo_seasons(_StaleListing(app))
    assert (late.imported, late.present) == ([], DEMO_CYCLES)


@store_agnostic
def test_assess_demo_says_what_it_loaded_and_shows_the_results(db: str) -> None:
    first = CliRunner().invoke(cli, ["--db", db, "demo"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert f"demo cycles imported: {', '.join(DEMO_CYCLES)}; already present: none" in first.output
    assert first.output.count("digest ") == len(SCHEME_IDS)  # each scheme's demo results
    again = CliRunner().invoke(cli, ["--db", db, "demo"], catch_exceptions=False)
    assert f"imported: none; already present: {', '.join(DEMO_CYCLES)}" in again.output


@store_agnostic
def test_serve_demo_prints_the_cycles_it_loaded(db: str, capsys) -> None:
    _prepare_demo(db, "office")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"demo cycles imported: {', '.join(DEMO_CYCLES)}; already present: none"
    assert "  unit / demo: u-O0000, u-P0000, u-T0000, u-T02-01" in printed
    app = open_application(AssessApp, db)
    try:  # the events record the account that loaded them (SPEC §4.1)
        assert {event.account for event in app.events_of(DEMO_CYCLES[0])} == {"office"}
    finally:
        app.close()
