"""SPEC §3: a field the verb does not take is `invalid_value`, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.domain.errors import ActionRefused
from tests.seasons import APPROVE, CLOSE, PUBLISH, group_season, performance_season, with_actions

GROUP, PERFORMANCE = "t-group-party-org", "t-performance-evaluation"
GROUP_SCORES = {"P1": ("90", "80", "85")}
PERFORMANCE_SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}
VETO = {"do": "apply_veto", "by": "lg", "unit": "P1", "basis": "other", "reason": "理由"}


@pytest.fixture
def scoring(memory_app: AssessApp) -> AssessApp:
    memory_app.import_season(group_season(GROUP_SCORES))
    return memory_app


def refusal(app: AssessApp, cycle: str, *actions: dict[str, Any]) -> ActionRefused:
    before = app.cycle(cycle).version
    with pytest.raises(ActionRefused) as caught:
        app.act(cycle, list(actions))
    assert app.cycle(cycle).version == before
    return caught.value


def test_a_misspelt_field_is_refused_naming_it(scoring: AssessApp) -> None:
    typo = {key: value for key, value in VETO.items() if key != "reason"} | {"reasn": "理由"}
    error = refusal(scoring, GROUP, typo)
    assert (error.index, error.verb, error.code) == (0, "apply_veto", "invalid_value")
    assert "apply_veto does not take the field 'reasn'" in error.message
    # An extra field beside every required one is refused the same way.
    assert "'note'" in refusal(scoring, GROUP, {**VETO, "note": "x"}).message
    scoring.act(GROUP, [VETO])


def test_a_fieldless_verb_takes_only_do_by_and_at(scoring: AssessApp) -> None:
    close = {"do": "close_scoring", "by": "od", "at": "2025-12-10", "version": 2}
    assert (
        "close_scoring does not take the field 'version'" in refusal(scoring, GROUP, close).message
    )


def test_the_policy_checks_come_first(scoring: AssessApp) -> None:
    """SPEC §3's order: actor and role, then stage, then the fields."""
    typo = {**VETO, "reasn": "x"}
    assert refusal(scoring, GROUP, {**typo, "by": "as"}).code == "permission_denied"
    items = {"do": "publish_items", "by": "od", "reasn": "x"}
    assert refusal(scoring, GROUP, items).code == "wrong_stage"


def test_a_deduction_entry_takes_only_its_fields(scoring: AssessApp) -> None:
    entry = {"area": "conduct", "points": 2, "reason": "台账不全"}
    score = {"do": "submit_score", "by": "as", "unit": "P1", "component": "year_end"}
    for extra in ({"pionts": 3}, {"do": "submit_score"}):
        error = refusal(scoring, GROUP, {**score, "deductions": [{**entry, **extra}]})
        (name,) = extra
        message = f"an entry of deductions in submit_score does not take the field '{name}'"
        assert error.code == "invalid_value" and message in error.message
    scoring.act(GROUP, [{**score, "deductions": [entry]}])


def test_a_correction_entry_takes_only_its_fields(memory_app: AssessApp) -> None:
    season = performance_season(PERFORMANCE_SCORES)
    memory_app.import_season(with_actions(season, CLOSE, APPROVE, PUBLISH))
    appeal = {
        "do": "file_appeal",
        "by": "u-O1",
        "appeal": "ap",
        "reason": "异议",
        "at": "2026-03-10",
    }
    memory_app.act(PERFORMANCE, [appeal])
    correction = {"kind": "score", "item": "G1", "method": "org", "value": 85}
    resolve = {"do": "resolve_appeal", "by": "od", "appeal": "ap", "outcome": "upheld"}
    resolve["answer"] = "更正"
    wrong = {**resolve, "corrections": [{**correction, "vaule": 95}]}
    error = refusal(memory_app, PERFORMANCE, wrong)
    assert "an entry of corrections in resolve_appeal does not take the field 'vaule'" in (
        error.message
    )
    memory_app.act(PERFORMANCE, [{**resolve, "corrections": [correction]}])
