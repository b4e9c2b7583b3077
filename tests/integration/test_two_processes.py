"""Two applications on one store, each caching cycles and trusting them for reads for a
while: nothing one writes is lost by the other, and no batch is refused on a stale cycle."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application
from tests.seasons import group_season

CYCLE = "t-group-party-org"
CACHED = {"AGGREGATE_CACHE_MAXSIZE": "4", "READ_STALENESS_MS": "60000"}


@pytest.fixture
def pair(db: str) -> Iterator[tuple[AssessApp, AssessApp]]:
    first = open_application(AssessApp, db, **CACHED)
    second = open_application(AssessApp, db, **CACHED)
    yield first, second
    first.close()
    second.close()


def test_a_stale_cycle_is_caught_up_before_a_refusal(pair) -> None:
    first, second = pair
    season = group_season({"U1": ("80", "80", "80")})
    season["actions"] = season["actions"][:2]  # items published, research_h1 in
    first.import_season(season)
    assert second.inspect(CYCLE, lambda cycle: cycle.stage) == "in_progress"  # trusted 60 s
    first.act(CYCLE, [{"do": "open_assessment", "by": "od"}])
    year_end = {
        "do": "submit_score",
        "by": "as",
        "unit": "U1",
        "component": "year_end",
        "value": 80,
    }
    applied = second.act(CYCLE, [year_end])  # its cached cycle still says in_progress
    assert applied.position == 5 and applied.stage == "assessment"


def test_a_stale_cycle_never_overwrites(pair) -> None:
    first, second = pair
    season = group_season({"U1": ("80", "80", "80")})
    first.import_season(season)
    second.inspect(CYCLE, lambda cycle: cycle.version)
    score = {"do": "submit_score", "by": "as", "unit": "U1", "component": "year_end"}
    first.act(CYCLE, [{**score, "value": 70}])
    second.act(CYCLE, [{**score, "value": 90}])  # decided again on the newer cycle
    events = first.events_of(CYCLE)
    assert [e.data.get("value") for e in events[-2:]] == ["70", "90"]
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    refused = {**score, "value": 101}
    with pytest.raises(Exception, match="invalid_value"):
        second.act(CYCLE, [refused])


def test_concurrent_single_actions_are_stored_together_each_on_its_own(db: str) -> None:
    """Group commit: actions that wait while another is stored go in one transaction,
    yet each is accepted or refused as if it were alone."""
    import threading

    from assess.domain.errors import ActionRefused

    app = open_application(AssessApp, db, **CACHED)
    season = group_season({f"U{n}": ("80", "80", "80") for n in range(6)})
    season["actions"] = season["actions"][:-12]  # year_end and research_h2 still to come
    app.import_season(season)
    start = app.cycle(CYCLE).version
    barrier = threading.Barrier(12)
    outcomes: dict[int, object] = {}

    def submit(number: int) -> None:
        value = 101 if number % 3 == 0 else 60 + number
        action = {"do": "submit_score", "by": "as", "unit": f"U{number % 6}"}
        action.update(component="year_end" if number < 6 else "research_h2", value=value)
        barrier.wait()
        try:
            outcomes[number] = app.act(CYCLE, [action])
        except ActionRefused as refusal:
            outcomes[number] = refusal

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = {n for n, o in outcomes.items() if isinstance(o, ActionRefused)}
    assert refused == {0, 3, 6, 9}
    assert all(outcomes[n].code == "invalid_value" for n in refused)  # type: ignore[attr-defined]
    positions = {outcomes[n].position: n for n in outcomes if n not in refused}  # type: ignore[attr-defined]
    assert sorted(positions) == list(range(start + 1, start + 9))
    stored = {e.originator_version: e for e in app.events_of(CYCLE) if e.originator_version > start}
    for position, number in positions.items():
        assert stored[position].data["value"] == str(60 + number)
    app.close()
