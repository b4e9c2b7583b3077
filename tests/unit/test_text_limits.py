"""SPEC §5 text limits: ids, names and titles, free text; no control characters."""

from __future__ import annotations

from typing import Any

import pytest

from assess.application.service import AssessApp
from assess.domain.errors import ActionRefused, DomainError
from assess.domain.texts import FREE, ID, NAME, checked_text
from tests.seasons import performance_season

SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}
CYCLE = "t-performance-evaluation"


@pytest.fixture
def scoring(memory_app: AssessApp) -> AssessApp:
    memory_app.import_season(performance_season(SCORES))
    return memory_app


def instant_item(item: str = "I1", title: str = "临时任务") -> dict[str, Any]:
    return {
        "do": "define_item",
        "by": "od",
        "item": item,
        "title": title,
        "kind": "instant",
        "weight": 5,
    }


def veto(reason: str) -> dict[str, Any]:
    return {"do": "apply_veto", "by": "lg", "unit": "O1", "basis": "other", "reason": reason}


def supervision(findings: str) -> dict[str, Any]:
    return {
        "do": "record_supervision",
        "by": "as",
        "unit": "O1",
        "method": "meeting",
        "findings": findings,
    }


@pytest.mark.parametrize(
    ("value", "kind", "message"),
    [
        ("x" * 65, ID, "longer than 64 characters (65)"),
        ("a b", ID, "may not hold whitespace"),
        ("a\u3000b", ID, "may not hold whitespace"),
        ("x" * 201, NAME, "longer than 200 characters"),
        ("line\nbreak", NAME, "control character '\\n'"),
        ("x" * 10_001, FREE, "longer than 10000 characters"),
        ("nul\x00", FREE, "control character '\\x00'"),
        ("bell\x07", FREE, "control character '\\x07'"),
        ("c1\x85", FREE, "control character '\\x85'"),
        ("half\ud800", FREE, "unpaired surrogate"),
        ("nul\x00", None, "control character"),
    ],
)
def test_a_text_beyond_its_limits_is_refused_naming_the_field(
    value: str, kind: str | None, message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        checked_text(value, "field", kind)
    assert caught.value.code == "invalid_value"
    assert caught.value.message.startswith("field ") and message in caught.value.message


def test_texts_at_their_limits_are_kept() -> None:
    assert checked_text("x" * 64, "f", ID) == "x" * 64
    assert checked_text("第" * 200, "f", NAME) == "第" * 200
    free = "行一\n\t行二\r\n" + "x" * 9_992
    assert checked_text(free, "f", FREE) == free
    assert checked_text("😀 emoji", "f", NAME) == "😀 emoji"


def refusal(app: AssessApp, action: dict[str, Any]) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        app.act(CYCLE, [action])
    assert caught.value.code == "invalid_value"
    return caught.value


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (instant_item(item="I 1"), "item is an id"),
        (instant_item(item="I" * 65), "item is longer than 64"),
        (instant_item(title="题" * 201), "title is longer than 200"),
        (instant_item(title="题\n目"), "title holds the control character"),
        (veto("理由\x00"), "reason holds the control character"),
        (veto("理" * 10_001), "reason is longer than 10000"),
        (supervision("台账\ud800"), "findings holds an unpaired surrogate"),
    ],
)
def test_the_fields_a_verb_reads_keep_their_limits(
    scoring: AssessApp, action: dict[str, Any], field: str
) -> None:
    before = scoring.cycle(CYCLE).version
    assert field in refusal(scoring, action).message
    assert scoring.cycle(CYCLE).version == before


def test_free_text_keeps_its_line_breaks(scoring: AssessApp) -> None:
    scoring.act(CYCLE, [supervision("一、台账完整\n\t二、记录齐全"), instant_item("I" * 64)])


@pytest.mark.parametrize(
    ("part", "changes", "message"),
    [
        ("cycle", {"id": "2025 town"}, "cycle.id is an id"),
        ("cycle", {"id": "c" * 65}, "cycle.id is longer than 64"),
        ("cycle", {"title": "标" * 201}, "cycle.title is longer than 200"),
        ("units", {"id": "O\t1"}, "unit id holds the control character"),
        ("units", {"name": "名" * 201}, "unit O1 name is longer than 200"),
        ("units", {"category": "支\x00部"}, "category holds the control character"),
        ("actors", {"id": "o d"}, "actor id is an id"),
        ("actors", {"role": "assessor", "body": "\x1b"}, "actor od body holds"),
    ],
)
def test_the_season_header_keeps_the_limits(
    memory_app: AssessApp, part: str, changes: dict[str, str], message: str
) -> None:
    """Each change to the cycle, or to its first unit or actor, refuses the file."""
    season = performance_season(SCORES)
    entry = season[part] if part == "cycle" else season[part][0]
    entry.update(changes)
    with pytest.raises(DomainError) as caught:
        memory_app.import_season(season)
    assert (caught.value.code, memory_app.cycles()) == ("invalid_value", [])
    assert message in caught.value.message
