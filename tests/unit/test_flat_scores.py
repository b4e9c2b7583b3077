"""The flat reading of `submit_score` (domain/flat.py) stores only what the declared path
stores: whenever it takes an action, the declared path takes the same action with the
same event data; whatever it leaves, the declared path decides (and so refuses with its
own words). Checked on generated seasons of every scheme and on mutations of their scores:
other values, units, items, methods, components, actors, stages and extra fields."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from assess.demo import generate_season
from assess.domain.cycle import Cycle, plain
from assess.domain.errors import DomainError
from assess.domain.flat import flat_score

SCHEMES = ("group-party-org", "leadership-team", "performance-evaluation")
VALUES = [
    85, "85", "85.0", Decimal("85.00"), Decimal("87.5"), "87.50", 87.5, 100, 0, "0", "-0",
    -1, 101, "100.001", "abc", "", " 85", "８５", None, True, "优", "良", "中", "差", 40, 70,
    Decimal("-0.00"), [85], {"v": 85},
]  # fmt: skip


def mutations(cycle: Cycle, action: dict[str, Any]) -> Iterator[dict[str, Any]]:
    units = list(cycle.units)
    actors = list(cycle.actors)
    items = list(cycle.items) or [None]
    for value in VALUES:
        yield {**action, "value": value}
    for unit in (*units[:3], "NOPE", None, "", " " + units[0], units[0] + " x", 7):
        yield {**action, "unit": unit}
    yield {key: value for key, value in action.items() if key != "unit"}
    for by in (*actors, "nobody", None, 3):
        yield {**action, "by": by}
    yield {key: value for key, value in action.items() if key != "by"}
    for item in (*items[:4], "NOPE", None):
        yield {**action, "item": item}
    for method in ("self", "org", "social", "bogus", None):
        yield {**action, "method": method}
    for component in ("research_h1", "research_h2", "year_end", "daily", "bogus", None):
        yield {**action, "component": component}
    yield {**action, "at": "2025-12-01"}
    yield {**action, "at": None}
    yield {**action, "extra": 1}
    yield {**action, "deductions": [{"area": "conduct", "points": 2, "reason": "台账不全"}]}
    yield {**action, "unit": "\x00"}


def agrees(cycle: Cycle, action: dict[str, Any]) -> bool:
    """Whether the flat reading took the action (then checked against the declared)."""
    flat = flat_score(cycle, action)
    if flat is None:
        return False
    trial = cycle.trial()
    before = len(trial.pending_events)
    try:
        trial.perform_declared(copy.deepcopy(action), account="a")
    except DomainError as error:
        raise AssertionError(f"flat took {action!r}, declared refused: {error}") from None
    assert len(trial.pending_events) == before + 1
    event = trial.pending_events[-1]
    actor, role, data = flat
    assert (event.actor, event.role, event.at, event.data) == (actor, role, None, plain(data))
    return True


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_flat_reading_takes_only_what_the_declared_path_stores(scheme: str) -> None:
    season = generate_season(scheme, units=16, seed=11, complications=True, sheets=False)
    cycle = Cycle.create(season)
    scores = taken = mutated = 0
    for index, action in enumerate(season["actions"]):
        if action["do"] == "submit_score":
            scores += 1
            taken += agrees(cycle, action)
            if index % 5 == 0:
                for variant in mutations(cycle, action):
                    mutated += agrees(cycle, variant)
        cycle.perform_declared(action)
    plain_scores = sum(
        1 for a in season["actions"] if a["do"] == "submit_score" and "deductions" not in a
    )
    assert scores and taken == plain_scores, (taken, plain_scores)  # each plain one flat
    assert mutated > 0


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_season_stores_the_same_events_either_way(scheme: str) -> None:
    season = generate_season(scheme, units=16, seed=4, complications=True, sheets=False)
    flat, declared = Cycle.create(season), Cycle.create(season)
    for action in season["actions"]:
        flat.perform(copy.deepcopy(action), account="a")
        declared.perform_declared(copy.deepcopy(action), account="a")
    shown = [  # the chain differs (other recording times), and with it a recorded head
        [
            (
                type(e).__name__,
                e.actor,
                e.role,
                e.at,
                {k: v for k, v in e.data.items() if k != "head"},
            )
            for e in cycle.pending_events[1:]
        ]
        for cycle in (flat, declared)
    ]
    assert shown[0] == shown[1]
    assert flat.results() == declared.results()


def test_refusals_are_the_declared_paths() -> None:
    season = generate_season("performance-evaluation", units=16, seed=4, sheets=False)
    cycle = Cycle.create(season)
    first = next(i for i, a in enumerate(season["actions"]) if a["do"] == "submit_score")
    for action in season["actions"][:first]:
        cycle.perform(action)
    score = season["actions"][first]
    for variant in mutations(cycle, score):
        outcomes = []
        for perform in (cycle.trial().perform, cycle.trial().perform_declared):
            try:
                perform(copy.deepcopy(variant))
                outcomes.append("stored")
            except DomainError as error:
                outcomes.append(f"{error.code}: {error.message}")
        assert outcomes[0] == outcomes[1], variant


def test_a_retired_actor_is_refused_either_way() -> None:
    season = generate_season("performance-evaluation", units=16, seed=4, sheets=False)
    cycle = Cycle.create(season)
    first = next(i for i, a in enumerate(season["actions"]) if a["do"] == "submit_score")
    for action in season["actions"][:first]:
        cycle.perform(action)
    score = season["actions"][first]
    org_dept = next(a for a, e in cycle.actors.items() if e["role"] == "org_dept")
    cycle.perform({"do": "retire_actor", "by": org_dept, "actor": score["by"], "reason": "调离"})
    assert flat_score(cycle, score) is None
    with pytest.raises(DomainError, match="retired"):
        cycle.trial().perform(copy.deepcopy(score))
