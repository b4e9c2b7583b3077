"""Every refusal code, every stage guard, and atomic batches (SPEC §3, §5)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.policy import STAGES, VERB_POLICY
from tests.seasons import (
    APPROVE,
    CLOSE,
    PUBLISH,
    group_season,
    leadership_season,
    performance_season,
    with_actions,
)

D = Decimal
PERFORMANCE_SCORES = {
    "O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)},
    "O2": {"G1": (70, 70, 70), "G2": (40, 40, 40)},
}


def refused(app: AssessApp, cycle: str, *actions: dict[str, Any]) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        app.act(cycle, list(actions))
    return caught.value


@pytest.fixture
def scoring(memory_app: AssessApp) -> AssessApp:
    """Scheme PERFORMANCE, every score in, scoring still open."""
    memory_app.import_season(performance_season(PERFORMANCE_SCORES))
    return memory_app


@pytest.fixture
def published(memory_app: AssessApp) -> AssessApp:
    memory_app.import_season(
        with_actions(performance_season(PERFORMANCE_SCORES), CLOSE, APPROVE, PUBLISH)
    )
    return memory_app


PERFORMANCE = "t-performance-evaluation"


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ({"do": "fly", "by": "od"}, "invalid_value"),
        ({"do": "record_award", "by": "as", "unit": "O1", "award": "first"}, "invalid_value"),
        (
            {
                "do": "submit_score",
                "by": "ghost",
                "unit": "O1",
                "item": "G1",
                "method": "org",
                "value": 85,
            },
            "permission_denied",
        ),
        ({"do": "close_scoring", "by": "as"}, "permission_denied"),
        (
            {
                "do": "submit_score",
                "by": "u-O1",
                "unit": "O1",
                "item": "G1",
                "method": "org",
                "value": 85,
            },
            "permission_denied",
        ),
        (
            {
                "do": "submit_score",
                "by": "u-O1",
                "unit": "O2",
                "item": "G1",
                "method": "self",
                "value": 85,
            },
            "permission_denied",
        ),
        (
            {
                "do": "submit_score",
                "by": "aud",
                "unit": "O1",
                "item": "G1",
                "method": "org",
                "value": 85,
            },
            "permission_denied",
        ),
        (
            {
                "do": "submit_score",
                "by": "as",
                "unit": "O9",
                "item": "G1",
                "method": "org",
                "value": 85,
            },
            "unknown_unit",
        ),
        (
            {
                "do": "submit_score",
                "by": "as",
                "unit": "O1",
                "item": "G9",
                "method": "org",
                "value": 85,
            },
            "unknown_item",
        ),
        (
            {
                "do": "submit_score",
                "by": "as",
                "unit": "O1",
                "item": "G1",
                "method": "org",
                "value": 90,
            },
            "invalid_value",
        ),
        (
            {
                "do": "submit_score",
                "by": "as",
                "unit": "O1",
                "item": "G1",
                "method": "org",
                "value": D("85.001"),
            },
            "invalid_value",
        ),
        (
            {"do": "submit_score", "by": "as", "unit": "O1", "item": "G1", "method": "org"},
            "invalid_value",
        ),
        (
            {
                "do": "submit_score",
                "by": "as",
                "unit": "O1",
                "item": "G1",
                "method": "org",
                "value": "85",
            },
            "invalid_value",
        ),
        ({"do": "apply_veto", "by": "lg", "unit": "O1", "basis": "other"}, "invalid_value"),
        ({"do": "revoke_veto", "by": "lg", "unit": "O1", "reason": "撤销"}, "conflict"),
        (
            {
                "do": "define_item",
                "by": "od",
                "item": "G1",
                "title": "重复",
                "kind": "instant",
                "weight": 1,
            },
            "duplicate",
        ),
    ],
)
def test_refusal_codes_while_scoring(scoring: AssessApp, action: dict, code: str) -> None:
    error = refused(scoring, PERFORMANCE, action)
    assert error.code == code
    assert error.index == 0 and error.verb == action["do"]
    assert str(error).startswith(f"action #0 ({action['do']}): {code}: ")


def test_close_scoring_lists_every_missing_entry(memory_app: AssessApp) -> None:
    season = performance_season(PERFORMANCE_SCORES)
    season["actions"] = [
        a for a in season["actions"] if not (a.get("unit") == "O2" and a.get("method") == "social")
    ]
    season["actions"] = [
        a for a in season["actions"] if not (a.get("unit") == "O1" and a.get("method") == "org")
    ]
    memory_app.import_season(season)
    error = refused(memory_app, PERFORMANCE, CLOSE)
    assert error.code == "incomplete"
    for missing in ("O1: item G1 org, item G2 org", "O2: item G1 social, item G2 social"):
        assert missing in error.message


def test_a_unit_with_no_applicable_item_is_incomplete(memory_app: AssessApp) -> None:
    season = performance_season(PERFORMANCE_SCORES)
    season["actions"][0]["applies_to"] = ["O1"]
    season["actions"][1]["applies_to"] = ["O1"]
    season["actions"] = [a for a in season["actions"] if a.get("unit") != "O2"]
    memory_app.import_season(season)
    assert "O2: no applicable item" in refused(memory_app, PERFORMANCE, CLOSE).message


def test_duplicate_veto_and_decisions_twice(scoring: AssessApp) -> None:
    veto = {"do": "apply_veto", "by": "lg", "unit": "O1", "basis": "other", "reason": "否决"}
    assert refused(scoring, PERFORMANCE, veto, veto).index == 1
    assert refused(scoring, PERFORMANCE, veto, veto).code == "duplicate"
    scoring.act(
        PERFORMANCE,
        [
            CLOSE,
            {
                "do": "propose_adjustment",
                "by": "as",
                "unit": "O1",
                "adjustment": "a",
                "delta": 1,
                "reason": "r",
            },
        ],
    )
    approve = {"do": "approve_adjustment", "by": "lg", "adjustment": "a"}
    assert refused(scoring, PERFORMANCE, approve, approve).code == "conflict"
    assert (
        refused(
            scoring, PERFORMANCE, {"do": "approve_adjustment", "by": "lg", "adjustment": "zz"}
        ).code
        == "not_found"
    )


def test_appeals_window_resolution_and_closing(published: AssessApp) -> None:
    late = {"do": "file_appeal", "by": "u-O1", "appeal": "ap", "reason": "异议", "at": "2026-04-01"}
    assert refused(published, PERFORMANCE, late).code == "wrong_stage"  # day 31
    on_time = {**late, "at": "2026-03-31"}  # day 30
    other = {"do": "file_appeal", "by": "u-O1", "unit": "O2", "appeal": "x", "reason": "异议"}
    assert refused(published, PERFORMANCE, other).code == "permission_denied"
    close = {"do": "close_cycle", "by": "od"}
    assert refused(published, PERFORMANCE, on_time, close).code == "conflict"  # appeal pending
    resolve = {
        "do": "resolve_appeal",
        "by": "od",
        "appeal": "ap",
        "outcome": "upheld",
        "answer": "更正",
    }
    foreign = {
        **resolve,
        "corrections": [
            {"kind": "score", "unit": "O2", "item": "G1", "method": "org", "value": 85}
        ],
    }
    assert refused(published, PERFORMANCE, on_time, foreign).code == "invalid_value"
    assert refused(published, PERFORMANCE, {**resolve, "appeal": "none"}).code == "not_found"
    assert refused(published, PERFORMANCE, on_time, resolve, resolve).code == "conflict"
    published.act(PERFORMANCE, [on_time, resolve, close])
    assert published.cycle(PERFORMANCE).stage == "closed"


def test_revoking_a_veto_of_an_incomplete_unit_after_closing(memory_app: AssessApp) -> None:
    season = performance_season(PERFORMANCE_SCORES)
    season["actions"] = [
        a for a in season["actions"] if not (a.get("unit") == "O2" and a.get("method") == "social")
    ]
    veto = {"do": "apply_veto", "by": "lg", "unit": "O2", "basis": "other", "reason": "否决"}
    memory_app.import_season(with_actions(season, veto, CLOSE))
    revoke = {"do": "revoke_veto", "by": "lg", "unit": "O2", "reason": "撤销"}
    assert refused(memory_app, PERFORMANCE, revoke).code == "incomplete"


def test_publish_items_needs_an_item(memory_app: AssessApp) -> None:
    season = performance_season({})
    season["actions"] = []
    memory_app.import_season(season)
    assert (
        refused(memory_app, PERFORMANCE, {"do": "publish_items", "by": "od"}).code == "incomplete"
    )


def test_define_item_is_not_a_verb_of_group_party_org(memory_app: AssessApp) -> None:
    memory_app.import_season(group_season({"U1": ("80", "80", "80")}))
    action = {"do": "define_item", "by": "od", "item": "X", "title": "x", "kind": "key"}
    assert refused(memory_app, "t-group-party-org", action).code == "invalid_value"


# ---- stage guards: every verb refused in every stage its row does not name ----------

ACTOR_OF_ROLE = {"org_dept": "od", "leading_group": "lg", "assessor": "as", "rater": "r"}
SCORED = {
    "group-party-org": lambda: group_season({"U1": ("80", "80", "80"), "U2": ("70", "70", "70")}),
    "leadership-team": lambda: leadership_season(
        {"U1": (["好"], "first", "90"), "U2": (["差"], "other", "60")}
    ),
    "performance-evaluation": lambda: performance_season(PERFORMANCE_SCORES),
}


def staged_season(scheme: str, stage: str) -> dict[str, Any]:
    """A small season of `scheme` brought to `stage`."""
    season = SCORED[scheme]()
    verbs = [action["do"] for action in season["actions"]]
    if stage in ("draft", "in_progress", "assessment"):
        last = {"draft": "publish_items", "in_progress": "open_assessment"}.get(stage)
        cut = verbs.index(last) if last else verbs.index("open_assessment") + 1
        season["actions"] = [
            action
            for action in season["actions"][:cut]
            if action["do"] in ("define_item", "publish_items", "open_assessment")
        ]
        return season
    tail = {"review": [CLOSE], "approved": [CLOSE, APPROVE], "published": [CLOSE, APPROVE, PUBLISH]}
    tail["closed"] = [*tail["published"], {"do": "close_cycle", "by": "od"}]
    return with_actions(season, *tail[stage])


@pytest.mark.parametrize("scheme", list(SCORED))
def test_every_stage_guard(scheme: str) -> None:
    """Each verb of the scheme, in each stage its row of SPEC §3 does not name."""
    checked = 0
    for stage in STAGES:
        season = staged_season(scheme, stage)
        for verb, rule in VERB_POLICY.items():
            if stage in rule.stages or scheme not in rule.schemes:
                continue
            if verb == "define_item" and stage in ("in_progress", "assessment"):
                continue  # instant items are allowed there; the kind decides
            app = AssessApp()
            app.import_season(copy.deepcopy(season))
            role = rule.roles[0]
            unit = "O1" if scheme == "performance-evaluation" else "U1"
            actor = f"u-{unit}" if role == "unit" else ACTOR_OF_ROLE[role]
            action = {"do": verb, "by": actor, "unit": unit, "method": "org"}
            with pytest.raises(DomainError) as caught:
                app.act(season["cycle"]["id"], [action])
            assert caught.value.code == "wrong_stage", (verb, stage, caught.value)
            checked += 1
    assert checked > 60


def test_instant_items_until_scoring_closes(scoring: AssessApp) -> None:
    instant = {
        "do": "define_item",
        "by": "od",
        "item": "I1",
        "title": "即时",
        "kind": "instant",
        "weight": 1,
    }
    mandatory = {**instant, "item": "M9", "kind": "mandatory"}
    assert refused(scoring, PERFORMANCE, mandatory).code == "wrong_stage"
    scoring.act(PERFORMANCE, [instant])
    assert "I1" in scoring.cycle(PERFORMANCE).items


def test_group_research_scores_open_mid_year(memory_app: AssessApp) -> None:
    season = group_season({"U1": ("80", "80", "80")})
    season["actions"] = season["actions"][:1]  # items published: in_progress
    memory_app.import_season(season)
    year_end = {
        "do": "submit_score",
        "by": "as",
        "unit": "U1",
        "component": "year_end",
        "value": 80,
    }
    assert refused(memory_app, "t-group-party-org", year_end).code == "wrong_stage"
    memory_app.act("t-group-party-org", [{**year_end, "component": "research_h1"}])


# ---- atomic batches ------------------------------------------------------------------


def test_a_refused_batch_stores_nothing(scoring: AssessApp) -> None:
    before = [(e.originator_version, e.chain, e.data) for e in scoring.events_of(PERFORMANCE)]
    good = {
        "do": "submit_score",
        "by": "as",
        "unit": "O1",
        "item": "G1",
        "method": "org",
        "value": 40,
    }
    bad = {**good, "value": 41}
    error = refused(scoring, PERFORMANCE, good, good, bad)
    assert (error.index, error.verb, error.code) == (2, "submit_score", "invalid_value")
    after = [(e.originator_version, e.chain, e.data) for e in scoring.events_of(PERFORMANCE)]
    assert after == before
    scoring.act(PERFORMANCE, [CLOSE])
    assert scoring.results(PERFORMANCE)["results"][0]["unit"] == "O1"


def test_a_refused_season_creates_no_cycle(memory_app: AssessApp) -> None:
    season = with_actions(performance_season(PERFORMANCE_SCORES), {"do": "close_cycle", "by": "od"})
    with pytest.raises(ActionRefused) as caught:
        memory_app.import_season(season)
    assert caught.value.code == "wrong_stage"
    assert caught.value.index == len(season["actions"]) - 1
    assert memory_app.cycles() == []
    with pytest.raises(DomainError) as missing:
        memory_app.results(PERFORMANCE)
    assert missing.value.code == "not_found"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["cycle"].update(scheme="nope"), "cycle.scheme"),
        (lambda s: s["units"].append(dict(s["units"][0])), "duplicate unit"),
        (lambda s: s["actors"].append({"id": "x", "role": "unit", "unit": "ZZ"}), "unknown unit"),
        (lambda s: s["actors"].append({"id": "y", "role": "boss"}), "unknown role"),
        (lambda s: s["cycle"].update(year=10**20), "cycle.year must lie in 0–9999"),
        (lambda s: s["cycle"].update(year=-1), "cycle.year must lie in 0–9999"),
        (lambda s: s["cycle"].update(year="2025"), "cycle.year must be a whole number"),
    ],
)
def test_an_invalid_header_refuses_the_file(
    memory_app: AssessApp, change: Any, message: str
) -> None:
    season = performance_season(PERFORMANCE_SCORES)
    change(season)
    with pytest.raises(DomainError) as caught:
        memory_app.import_season(season)
    assert caught.value.code == "invalid_value" and message in caught.value.message


def test_a_year_beyond_any_store_is_one_line_and_the_bounds_are_kept(
    memory_app: AssessApp,
) -> None:
    """An integer too large for the stores' JSON is refused before anything is encoded."""
    season = performance_season(PERFORMANCE_SCORES)
    season["cycle"]["year"] = 10**20
    with pytest.raises(DomainError) as caught:
        memory_app.import_season(season)
    assert "\n" not in str(caught.value) and str(10**20) not in str(caught.value)
    for year in (0, 9999):
        season = performance_season(PERFORMANCE_SCORES)
        season["cycle"].update(id=f"y{year}", year=year)
        memory_app.import_season(season)
        assert memory_app.cycle(f"y{year}").year == year


def test_a_cycle_is_imported_once(memory_app: AssessApp) -> None:
    memory_app.import_season(performance_season(PERFORMANCE_SCORES))
    with pytest.raises(DomainError) as caught:
        memory_app.import_season(performance_season(PERFORMANCE_SCORES))
    assert caught.value.code == "duplicate"
