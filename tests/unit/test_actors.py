"""`add_actor` and `retire_actor` (SPEC §3): actors join and leave a cycle until it closes."""

from __future__ import annotations

from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.cycle import cycle_uuid
from assess.domain.errors import ActionRefused
from assess.infrastructure.persistence import open_application
from tests.seasons import (
    APPROVE,
    CLOSE,
    PUBLISH,
    group_season,
    header,
    leadership_season,
    performance_season,
    with_actions,
)

PERFORMANCE = "t-performance-evaluation"
GROUP = "t-group-party-org"
SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}
NEW_UNIT = {"do": "add_unit", "by": "od", "id": "O3", "name": "新党支部", "category": "支部"}
NEW_ACTOR = {"do": "add_actor", "by": "od", "actor": "u-O3", "role": "unit", "unit": "O3"}


def refused(app: AssessApp, cycle: str, *actions: dict[str, Any]) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        app.act(cycle, list(actions))
    return caught.value


def sheets_of_o3(self_by: str = "u-O3") -> list[dict[str, Any]]:
    scores = {"G1": 85, "G2": 70}
    return [
        {"do": "submit_sheet", "by": by, "unit": "O3", "method": method, "scores": scores}
        for method, by in (("self", self_by), ("org", "as"), ("social", "r"))
    ]


def mid_season(app: AssessApp) -> None:
    """performance-evaluation in assessment, with unit O3 added in draft and not scored."""
    season = performance_season(SCORES)
    season["actions"].insert(0, NEW_UNIT)
    app.import_season(season)


def test_a_unit_added_mid_season_gets_an_actor_self_scores_and_closes_scoring(
    app: AssessApp,
) -> None:
    mid_season(app)
    without = refused(app, PERFORMANCE, *sheets_of_o3(self_by="u-O1"))
    assert without.code == "permission_denied"  # u-O1 acts for O1 only
    assert refused(app, PERFORMANCE, CLOSE).code == "incomplete"

    app.act(PERFORMANCE, [NEW_ACTOR])
    app.act(PERFORMANCE, sheets_of_o3())
    app.act(PERFORMANCE, [CLOSE])

    cycle = app.cycle(PERFORMANCE)
    assert cycle.stage == "review"
    assert cycle.actors["u-O3"] == {"role": "unit", "unit": "O3"}
    assert {row["unit"] for row in app.results(PERFORMANCE)["results"]} == {"O1", "O3"}


def test_a_retired_actor_is_refused_and_its_earlier_events_stand(app: AssessApp) -> None:
    mid_season(app)
    app.act(PERFORMANCE, [NEW_ACTOR, *sheets_of_o3()])
    app.act(PERFORMANCE, [{"do": "retire_actor", "by": "od", "actor": "u-O3", "reason": "调离"}])

    again = refused(app, PERFORMANCE, sheets_of_o3()[0])
    assert again.code == "permission_denied"
    assert "retired" in again.message
    app.act(PERFORMANCE, [CLOSE])  # its self-scores still count
    cycle = app.cycle(PERFORMANCE)
    assert cycle.actors["u-O3"] == {"role": "unit", "unit": "O3", "retired": True}
    assert cycle.scores["O3"]["self"] == {"G1": "85", "G2": "70"}


def test_actor_changes_survive_a_snapshot_and_a_fresh_process(db: str) -> None:
    first = open_application(AssessApp, db)
    mid_season(first)
    first.act(PERFORMANCE, [NEW_ACTOR])
    first.act(PERFORMANCE, [{"do": "retire_actor", "by": "od", "actor": "r", "reason": "换届"}])
    first.take_snapshot(cycle_uuid(PERFORMANCE))
    first.close()

    second = open_application(AssessApp, db)
    try:
        actors = second.cycle(PERFORMANCE).actors
        assert actors["u-O3"] == {"role": "unit", "unit": "O3"}
        assert actors["r"] == {"role": "rater", "retired": True}
        assert refused(second, PERFORMANCE, sheets_of_o3()[2]).code == "permission_denied"
        report = verify_cycle(second, PERFORMANCE)  # the snapshot equals the replayed events
        assert (report.ok, report.snapshots_checked) == (True, 1), report.failure
    finally:
        second.close()


def test_actor_verbs_create_no_results_version(memory_app: AssessApp) -> None:
    memory_app.import_season(with_actions(group_season({"P1": ("80", "80", "80")}), CLOSE))
    memory_app.act(GROUP, [{"do": "add_actor", "by": "od", "actor": "as2", "role": "assessor"}])
    memory_app.act(GROUP, [{"do": "retire_actor", "by": "od", "actor": "as2", "reason": "x"}])
    assert len(memory_app.cycle(GROUP).versions) == 1


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"actor": "od", "role": "org_dept"}, "duplicate"),
        ({"actor": "u-P1", "role": "unit", "unit": "P1"}, "duplicate"),
        ({"actor": "u-P9", "role": "unit", "unit": "P9"}, "unknown_unit"),
        ({"actor": "u-P9", "role": "unit"}, "invalid_value"),
        ({"actor": "x", "role": "king"}, "invalid_value"),
        ({"actor": "x"}, "invalid_value"),
        ({"role": "rater"}, "invalid_value"),
        ({"actor": "x", "role": "rater", "unit": "P1"}, "invalid_value"),
        ({"actor": "x", "role": "rater", "body": "org_dept"}, "invalid_value"),
    ],
)
def test_add_actor_refusals(memory_app: AssessApp, action: dict[str, Any], code: str) -> None:
    memory_app.import_season(group_season({"P1": ("80", "80", "80")}))
    before = len(memory_app.events_of(GROUP))
    error = refused(memory_app, GROUP, {"do": "add_actor", "by": "od", **action})
    assert error.code == code
    assert len(memory_app.events_of(GROUP)) == before


def test_a_leadership_assessor_needs_a_known_body(memory_app: AssessApp) -> None:
    memory_app.import_season(leadership_season({"T1": (["好"], "first", "90")}))
    cycle = "t-leadership-team"
    add = {"do": "add_actor", "by": "od", "actor": "as2", "role": "assessor"}
    assert refused(memory_app, cycle, {**add, "body": "choir"}).code == "invalid_value"
    memory_app.act(cycle, [{**add, "body": "org_dept"}])
    assert memory_app.cycle(cycle).actors["as2"] == {"role": "assessor", "body": "org_dept"}


def test_retire_actor_refusals(app: AssessApp) -> None:
    app.import_season(group_season({"P1": ("80", "80", "80")}))
    retire = {"do": "retire_actor", "by": "od", "reason": "调离"}
    assert refused(app, GROUP, {**retire, "actor": "nobody"}).code == "not_found"
    assert refused(app, GROUP, {**retire, "actor": "as"}, {**retire, "actor": "as"}).code == (
        "conflict"
    )
    app.act(GROUP, [{**retire, "actor": "as"}])
    assert refused(app, GROUP, {**retire, "actor": "as"}).code == "conflict"
    assert refused(app, GROUP, {**retire, "actor": "od"}).code == "conflict"  # not itself
    assert refused(app, GROUP, {"do": "retire_actor", "by": "od", "actor": "r"}).code == (
        "invalid_value"
    )


# Each verb with the fields for a first use (after publication) and a second (once closed).
FIELDS_OF = {
    "add_actor": ({"actor": "r2", "role": "rater"}, {"actor": "r3", "role": "rater"}),
    "retire_actor": ({"actor": "r", "reason": "x"}, {"actor": "as", "reason": "x"}),
}


@pytest.mark.parametrize("verb", list(FIELDS_OF))
def test_only_org_dept_until_publication(memory_app: AssessApp, verb: str) -> None:
    published, closed = FIELDS_OF[verb]
    memory_app.import_season(
        with_actions(group_season({"P1": ("80", "80", "80")}), CLOSE, APPROVE, PUBLISH)
    )
    action = {"do": verb, "by": "lg", **published}
    assert refused(memory_app, GROUP, action).code == "permission_denied"
    memory_app.act(GROUP, [{**action, "by": "od"}])  # published: still allowed
    memory_app.act(GROUP, [{"do": "close_cycle", "by": "od"}])
    late = refused(memory_app, GROUP, {"do": verb, "by": "od", **closed})
    assert late.code == "wrong_stage"


def test_a_header_actor_and_an_added_one_read_the_same(memory_app: AssessApp) -> None:
    season = header("group-party-org", [{"id": "P1", "name": "一", "category": "c"}])
    memory_app.import_season(season)
    memory_app.act(
        GROUP, [{"do": "add_actor", "by": "od", "actor": "u2", "role": "unit", "unit": "P1"}]
    )
    cycle = memory_app.cycle(GROUP)
    assert cycle.actors["u2"] == cycle.actors["u-P1"]
