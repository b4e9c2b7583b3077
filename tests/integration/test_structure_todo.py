"""SPEC §6.1 structure and to-do, on demo seasons cut part-way through scoring: each
actor's to-do list against what `close_scoring` refuses with."""

from __future__ import annotations

from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.application.structure import structure, todo
from assess.demo import generate_season
from assess.domain.errors import DomainError
from assess.domain.schemes import (
    GROUP_PARTY_ORG,
    LEADERSHIP_TEAM,
    PERFORMANCE_EVALUATION,
    SCHEME_IDS,
)

BALLOTS = ("debrief", "democratic_self", "democratic_staff")


def cut_season(app: AssessApp, scheme: str, where: float, stop: str = "close_scoring") -> tuple:
    """The demo season imported up to a point `where` (0..1) between `open_assessment`
    and `stop`; returns the cycle id and the season's actors."""
    season = generate_season(scheme, 16, seed=3, complications=True)
    verbs = [action["do"] for action in season["actions"]]
    start, end = verbs.index("open_assessment"), verbs.index(stop)
    season["actions"] = season["actions"][: start + int((end - start) * where)]
    return app.import_season(season).cycle, season["actors"]


def refusal_entries(app: AssessApp, cycle: str) -> set[tuple[str, str]]:
    """(unit, what) for every entry of close_scoring's refusal message."""
    with pytest.raises(DomainError) as refused:
        app.act(cycle, [{"do": "close_scoring", "by": "od"}])
    assert refused.value.code == "incomplete"
    listing = refused.value.message.split(" — ", 1)[1]
    found = set()
    for part in listing.split("; "):
        unit, lacking = part.split(": ", 1)
        found.update((unit, what) for what in lacking.split(", "))
    return found


def described(entry: dict[str, str]) -> tuple[str, str]:
    """An entry as close_scoring's message names it."""
    if "method" in entry:
        return entry["unit"], f"item {entry['item']} {entry['method']}"
    if "item" in entry:
        return entry["unit"], f"item {entry['item']}"
    component = entry["component"]
    if component == "annual":
        return entry["unit"], "award"
    return entry["unit"], f"{component} ballots" if component in BALLOTS else component


def todos(app: AssessApp, cycle: str, actors: list[dict[str, Any]]) -> dict[str, list[dict]]:
    return {actor["id"]: todo(app, cycle, actor["id"])["missing"] for actor in actors}


@pytest.mark.parametrize("where", [0.3, 0.6, 0.8])
@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_the_actors_todo_lists_cover_exactly_what_close_scoring_misses(
    memory_app: AssessApp, scheme: str, where: float
) -> None:
    cycle, actors = cut_season(memory_app, scheme, where)
    lists = todos(memory_app, cycle, actors)
    union = {described(entry) for entries in lists.values() for entry in entries}
    assert union == refusal_entries(memory_app, cycle)
    vetoed = memory_app.inspect(cycle, lambda c: set(c.vetoes))
    assert (
        vetoed and not {entry["unit"] for entries in lists.values() for entry in entries} & vetoed
    )


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_each_role_sees_only_what_it_may_submit(memory_app: AssessApp, scheme: str) -> None:
    cycle, actors = cut_season(memory_app, scheme, 0.3)
    lists = todos(memory_app, cycle, actors)
    items = {
        entry["item"]: entry for entry in structure(memory_app, cycle, with_actors=False)["items"]
    }
    for actor in actors:
        entries, role = lists[actor["id"]], actor["role"]
        if role in ("org_dept", "leading_group", "auditor"):
            assert entries == []
        elif role == "unit":
            assert {entry["unit"] for entry in entries} <= {actor["unit"]}
            assert all(
                entry.get("component") == "democratic_self" or entry.get("method") == "self"
                for entry in entries
            )
        elif role == "rater":
            assert all(
                entry.get("component") in BALLOTS or entry.get("method") == "social"
                for entry in entries
            )
            assert all(entry.get("component") != "democratic_self" for entry in entries) or (
                scheme == LEADERSHIP_TEAM
            )
        else:
            assert all(
                entry.get("component") not in BALLOTS and entry.get("method") in (None, "org")
                for entry in entries
            )
            if actor.get("body"):
                assert {items[entry["item"]]["body"] for entry in entries if "item" in entry} <= {
                    actor["body"]
                }
        assert entries == sorted(
            entries,
            key=lambda e: (e["unit"], e.get("component", e.get("item")), e.get("method", "")),
        )
    submitters = {actor["role"] for actor in actors if lists[actor["id"]]}
    expected = {
        GROUP_PARTY_ORG: {"assessor"},
        LEADERSHIP_TEAM: {"assessor", "rater", "unit"},
        PERFORMANCE_EVALUATION: {"assessor", "rater", "unit"},
    }
    assert submitters == expected[scheme]


def test_a_body_assessor_sees_its_body_items_and_the_awards(memory_app: AssessApp) -> None:
    cycle, actors = cut_season(memory_app, LEADERSHIP_TEAM, 0.3)
    entries = todo(memory_app, cycle, "as-municipal_work_committee")["missing"]
    bodies = {
        item["item"]: item["body"]
        for item in structure(memory_app, cycle, with_actors=False)["items"]
    }
    assert {bodies[entry["item"]] for entry in entries if "item" in entry} == {
        "municipal_work_committee"
    }
    assert {entry["component"] for entry in entries if "component" in entry} == {"annual"}


def test_research_is_due_while_in_progress_and_nothing_else(memory_app: AssessApp) -> None:
    season = generate_season(GROUP_PARTY_ORG, 16, seed=3)
    verbs = [action["do"] for action in season["actions"]]
    season["actions"] = season["actions"][: verbs.index("publish_items") + 1]
    cycle = memory_app.import_season(season).cycle
    entries = todo(memory_app, cycle, "as0")
    assert entries["stage"] == "in_progress"
    assert {entry["component"] for entry in entries["missing"]} == {"research_h1", "research_h2"}
    assert len(entries["missing"]) == 2 * 16


@pytest.mark.parametrize("stop", ["publish_items", "approve_results"])
def test_nothing_is_due_where_no_one_may_submit(memory_app: AssessApp, stop: str) -> None:
    season = generate_season(PERFORMANCE_EVALUATION, 16, seed=3)
    verbs = [action["do"] for action in season["actions"]]
    season["actions"] = season["actions"][: verbs.index(stop)]
    cycle = memory_app.import_season(season).cycle
    assert memory_app.inspect(cycle, lambda c: any(c.missing_inputs(u) for u in c.units)) == (
        stop == "publish_items"
    )
    assert all(not entries for entries in todos(memory_app, cycle, season["actors"]).values())


def test_todo_of_an_unknown_actor_is_not_found(memory_app: AssessApp) -> None:
    cycle, _ = cut_season(memory_app, GROUP_PARTY_ORG, 0.5)
    with pytest.raises(DomainError) as refused:
        todo(memory_app, cycle, "nobody")
    assert refused.value.code == "not_found"


def test_structure_lists_each_part_by_id_with_nulls(app: AssessApp) -> None:
    cycle, actors = cut_season(app, PERFORMANCE_EVALUATION, 0.3)
    found = structure(app, cycle, with_actors=True)
    assert list(found) == [
        "cycle", "scheme", "year", "title", "run_by", "stage", "units", "items", "actors"
    ]  # fmt: skip
    assert found["run_by"] is None and found["stage"] == "assessment"
    for part, key in (("units", "unit"), ("items", "item"), ("actors", "actor")):
        ids = [entry[key] for entry in found[part]]
        assert ids == sorted(ids) and ids
    assert {unit["parent"] for unit in found["units"]} == {None}
    assert {item["body"] for item in found["items"]} == {None}
    electives = [item for item in found["items"] if item["kind"] == "elective"]
    assert electives and all(item["applies_to"] == [item["declared_by"]] for item in electives)
    assert {item["declared_by"] for item in found["items"] if item["kind"] != "elective"} == {None}
    assert [actor["actor"] for actor in found["actors"]] == sorted(a["id"] for a in actors)
    assert {actor["retired"] for actor in found["actors"]} == {False}
    assert structure(app, cycle, with_actors=False)["actors"] is None


def test_structure_of_leadership_team_items_has_bodies_and_no_weights(
    memory_app: AssessApp,
) -> None:
    cycle, _ = cut_season(memory_app, LEADERSHIP_TEAM, 0.3)
    items = structure(memory_app, cycle, with_actors=False)["items"]
    assert {item["weight"] for item in items} == {None}
    assert all(
        item["body"] and item["applies_to"] in ("town", "municipal", "all") for item in items
    )
