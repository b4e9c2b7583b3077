"""SPEC §2.0 number cases, written as raw JSON text so that nothing reads them through a
float before the code under test: shared by the CLI and the HTTP tests."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.seasons import CLOSE, group_season, performance_season, with_actions

GROUP = "t-group-party-org"
PERFORMANCE = "t-performance-evaluation"
SCORE = '{"do": "submit_score", "by": "as", "unit": "P1", "component": "year_end", "value": %s}'
DEDUCTION = (
    '{"do": "submit_score", "by": "as", "unit": "P1", "component": "year_end",'
    ' "deductions": [{"area": "conduct", "points": %s, "reason": "台账不全"}]}'
)
DELTA = (
    '{"do": "propose_adjustment", "by": "as", "unit": "O1", "adjustment": "a",'
    ' "delta": %s, "reason": "实绩"}'
)
HUGE = "9" * 5000  # beyond Python's int conversion limit (4300 digits)


class Case(NamedTuple):
    cycle: str
    template: str
    number: str
    message: str

    def action(self) -> str:
        return self.template % self.number


def _case(name: str, cycle: str, template: str, number: str, message: str) -> Any:
    return pytest.param(Case(cycle, template, number, message), id=name)


REFUSED = [
    _case("score-10-decimals", GROUP, SCORE, "87.5000000001", "value has more than 2 decimals"),
    _case("score-18-decimals", GROUP, SCORE, "99.999999999999999999", "more than 2 decimals"),
    _case("score-NaN", GROUP, SCORE, "NaN", "value must be finite"),
    _case("score-Infinity", GROUP, SCORE, "Infinity", "value must be finite"),
    _case("score-minus-Infinity", GROUP, SCORE, "-Infinity", "value must be finite"),
    _case("score-text-NaN", GROUP, SCORE, '"NaN"', "value must be a number"),
    _case("score-text-Infinity", GROUP, SCORE, '"Infinity"', "value must be a number"),
    _case("score-1e999", GROUP, SCORE, "1e999", "value must be between 0 and 100"),
    _case("score-1e30", GROUP, SCORE, "1e30", "value must be between 0 and 100"),
    _case("score-huge-integer", GROUP, SCORE, HUGE, "value must be between 0 and 100"),
    _case("score-above-100", GROUP, SCORE, "100.01", "value must be between 0 and 100"),
    _case("score-below-0", GROUP, SCORE, "-0.01", "value must be between 0 and 100"),
    _case("points-zero", GROUP, DEDUCTION, "0", "points must be more than 0 and at most 100"),
    _case("points-negative", GROUP, DEDUCTION, "-1", "points must be more than 0"),
    _case("points-above-100", GROUP, DEDUCTION, "100.01", "points must be more than 0"),
    _case("points-1e30", GROUP, DEDUCTION, "1e30", "points must be more than 0"),
    _case("points-3-decimals", GROUP, DEDUCTION, "2.505", "points has more than 2 decimals"),
    _case("points-NaN", GROUP, DEDUCTION, "NaN", "points must be finite"),
    _case("delta-above-100", PERFORMANCE, DELTA, "100.01", "delta must be between -100 and 100"),
    _case("delta-below-100", PERFORMANCE, DELTA, "-100.01", "delta must be between -100"),
    _case("delta-1e30", PERFORMANCE, DELTA, "-1e30", "delta must be between -100 and 100"),
    _case("delta-3-decimals", PERFORMANCE, DELTA, "1.001", "delta has more than 2 decimals"),
    _case("delta-Infinity", PERFORMANCE, DELTA, "Infinity", "delta must be finite"),
]
ACCEPTED = [  # the bounds themselves are inside
    _case("points-100", GROUP, DEDUCTION, "100", ""),
    _case("points-0.01", GROUP, DEDUCTION, "0.01", ""),
    _case("delta-100", PERFORMANCE, DELTA, "100", ""),
    _case("delta-minus-100", PERFORMANCE, DELTA, "-100.00", ""),
    _case("score-87.500", GROUP, SCORE, "87.500", ""),
]
PERFORMANCE_SCORES = {"O1": {"G1": (100, 85, 70), "G2": (85, 85, 85)}}
GROUP_SCORES = {"P1": ("90", "80", "85"), "P2": ("70", "75", "88")}


def seasons() -> list[dict[str, Any]]:
    """A group-party-org cycle in assessment and a performance-evaluation one in review."""
    return [
        group_season(GROUP_SCORES),
        with_actions(performance_season(PERFORMANCE_SCORES), CLOSE),
    ]
