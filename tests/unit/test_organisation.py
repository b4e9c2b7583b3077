"""SPEC §9 in the domain: a header's `run_by` and a unit's `parent` (in the header and in
`add_unit`), optional ids; and the pure shapes of the tree and the history."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from assess.application.organisation import grade_counts, history_entry, history_of, tree_of
from assess.application.service import AssessApp
from assess.application.structure import structure
from assess.domain.cycle import replay
from assess.domain.errors import ActionRefused, DomainError
from tests.seasons import performance_season

CYCLE = "t-performance-evaluation"
SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}


def season(run_by: Any = None, parent: Any = None) -> dict[str, Any]:
    found = performance_season(SCORES)
    if run_by is not None:
        found["cycle"]["run_by"] = run_by
    if parent is not None:
        found["units"][0]["parent"] = parent
    return found


def test_run_by_and_parent_are_kept_and_shown_in_the_structure(memory_app: AssessApp) -> None:
    memory_app.import_season(season(run_by="T01", parent="T01"))
    document = structure(memory_app, CYCLE, with_actors=False)
    assert document["run_by"] == "T01"
    assert document["units"] == [
        {"unit": "O1", "name": "O1党支部", "category": "支部", "parent": "T01"}
    ]
    cycle = memory_app.cycle(CYCLE)
    assert cycle.run_by == "T01" and cycle.units["O1"]["parent"] == "T01"


def test_absent_they_are_null_and_the_state_is_as_before(memory_app: AssessApp) -> None:
    """Older events replay into the same state: no `run_by` attribute, no `parent` key."""
    memory_app.import_season(season())
    document = structure(memory_app, CYCLE, with_actors=False)
    assert document["run_by"] is None and document["units"][0]["parent"] is None
    cycle = memory_app.cycle(CYCLE)
    assert "run_by" not in vars(cycle)
    assert cycle.units["O1"] == {"name": "O1党支部", "category": "支部"}


def test_null_counts_as_absent(memory_app: AssessApp) -> None:
    found = season()
    found["cycle"]["run_by"] = None
    found["units"][0]["parent"] = None
    memory_app.import_season(found)
    assert "run_by" not in vars(memory_app.cycle(CYCLE))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("run_by", "T 01", "cycle.run_by is an id and may not hold whitespace"),
        ("run_by", "T\x0701", "cycle.run_by holds the control character"),
        ("run_by", "T" * 65, "cycle.run_by is longer than 64 characters"),
        ("run_by", "", "cycle.run_by must be a non-empty id"),
        ("run_by", 17, "cycle.run_by must be a non-empty id"),
        ("parent", "T\u300001", "unit O1 parent is an id and may not hold whitespace"),
        ("parent", ["T01"], "unit O1 parent must be a non-empty id"),
        ("parent", "O1", "unit O1 cannot be its own parent"),
    ],
)
def test_a_malformed_id_refuses_the_season(
    memory_app: AssessApp, field: str, value: Any, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        memory_app.import_season(season(**{field: value}))
    assert caught.value.code == "invalid_value" and message in caught.value.message


def draft() -> dict[str, Any]:
    found = season()
    found["actions"] = []
    return found


def test_add_unit_takes_an_optional_parent(memory_app: AssessApp) -> None:
    memory_app.import_season(draft())
    memory_app.act(
        CYCLE,
        [
            {"do": "add_unit", "by": "od", "id": "O2", "parent": "T01"},
            {"do": "add_unit", "by": "od", "id": "O3"},
        ],
    )
    units = structure(memory_app, CYCLE, with_actors=False)["units"]
    assert [(unit["unit"], unit["parent"]) for unit in units] == [
        ("O1", None),
        ("O2", "T01"),
        ("O3", None),
    ]
    events = memory_app.events_of(CYCLE)
    assert events[-2].data["parent"] == "T01" and "parent" not in events[-1].data


@pytest.mark.parametrize(
    ("parent", "message"),
    [
        ("T 01", "parent is an id and may not hold whitespace"),
        ("O2", "unit O2 cannot be its own parent"),
        (3, "parent must be a non-empty text"),
    ],
)
def test_add_unit_refuses_a_malformed_parent(
    memory_app: AssessApp, parent: Any, message: str
) -> None:
    memory_app.import_season(draft())
    with pytest.raises(ActionRefused) as caught:
        memory_app.act(CYCLE, [{"do": "add_unit", "by": "od", "id": "O2", "parent": parent}])
    assert caught.value.code == "invalid_value" and message in str(caught.value)


def test_a_replayed_cycle_equals_the_one_that_recorded_its_events(
    memory_app: AssessApp,
) -> None:
    memory_app.import_season(season(run_by="T01", parent="T01"))
    memory_app.act(CYCLE, [{"do": "close_scoring", "by": "od"}])
    replayed = replay(None, memory_app.events_of(CYCLE))
    assert replayed is not None and vars(replayed) == vars(memory_app.cycle(CYCLE))
    assert replayed.run_by == "T01"


# ---- the pure shapes -----------------------------------------------------------------


def summary(cycle: str, run_by: str | None, version: int | None = 1, **rest: Any) -> dict:
    return {
        "cycle": cycle,
        "scheme": "performance-evaluation",
        "year": 2025,
        "title": "",
        "run_by": run_by,
        "stage": "review" if version else "assessment",
        "version": version,
        "events": 9,
        "error": None,
        **rest,
    }


def test_tree_of_links_cycles_through_their_units() -> None:
    summaries = [
        summary("b", "A1"),
        summary("a", None),
        summary("c", "A2", version=None),
        summary("d", "A1", year=2024),  # another year: neither listed nor below
        summary("e", "a1"),  # ids are case-sensitive
        summary("x", None, stage="corrupt", version=None),
    ]
    units = {"a": ["A1", "A2"], "b": ["B1"], "c": ["C1", "C2"], "d": [], "e": []}
    grades = {"a": {"excellent": 2}, "b": {"good": 1}, "c": {"good": 9}}
    document = tree_of(2025, summaries, units, grades)
    assert [entry["cycle"] for entry in document["cycles"]] == ["a", "b", "c", "e"]
    first, second, third, _ = document["cycles"]
    assert first == {
        "cycle": "a",
        "scheme": "performance-evaluation",
        "title": None,
        "run_by": None,
        "stage": "review",
        "version": 1,
        "units": 2,
        "grades": {"excellent": 2},
        "below": ["b", "c"],
    }
    assert list(first) == ["cycle", "scheme", "title", "run_by", "stage", "version"] + [
        "units",
        "grades",
        "below",
    ]
    assert second["below"] == [] and second["grades"] == {"good": 1}
    assert (third["version"], third["grades"]) == (None, {})  # no results: none counted


def test_a_cycle_run_by_its_own_unit_is_not_below_itself() -> None:
    document = tree_of(2025, [summary("a", "A1")], {"a": ["A1"]}, {})
    assert document["cycles"][0]["below"] == []


def test_grades_are_counted_in_the_scheme_order_best_first() -> None:
    rows = [{"grade": grade} for grade in ("poor", "good", "excellent", "good")]
    counted = grade_counts("performance-evaluation", rows)
    assert list(counted.items()) == [("excellent", 1), ("good", 2), ("poor", 1)]


def test_history_of_orders_by_year_then_cycle() -> None:
    row = {
        "unit": "U",
        "name": "某单位",
        "category": "town",
        "final": "88.00",
        "rank": 2,
        "category_rank": 1,
        "grade": "good",
        "grade_label": "良好",
        "vetoed": False,
        "capped": False,
    }
    entries = [
        history_entry(summary(cycle, None, year=year), copy.deepcopy(row))
        for cycle, year in (("b", 2025), ("a", 2025), ("z", 2024))
    ]
    document = history_of("U", entries)
    assert [(entry["year"], entry["cycle"]) for entry in document["entries"]] == [
        (2024, "z"),
        (2025, "a"),
        (2025, "b"),
    ]
    assert list(document["entries"][0]) == [
        "year",
        "cycle",
        "scheme",
        "name",
        "category",
        "version",
        "stage",
        "final",
        "rank",
        "category_rank",
        "grade",
        "grade_label",
        "vetoed",
    ]
