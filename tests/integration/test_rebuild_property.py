"""Property: results rebuilt from the stored events in a fresh application are identical."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assess.application.service import AssessApp
from assess.infrastructure.persistence import open_application
from tests.seasons import CLOSE, performance_season, with_actions

POINTS = st.sampled_from([100, 85, 70, 40])
UNIT_SCORES = st.fixed_dictionaries(
    {"G1": st.tuples(POINTS, POINTS, POINTS), "G2": st.tuples(POINTS, POINTS, POINTS)}
)


@st.composite
def seasons(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(min_value=2, max_value=6))
    scores = {f"O{i}": draw(UNIT_SCORES) for i in range(count)}
    season = with_actions(performance_season(scores), CLOSE)
    for unit in draw(st.lists(st.sampled_from(sorted(scores)), unique=True, max_size=2)):
        season["actions"].append(
            {"do": "apply_veto", "by": "lg", "unit": unit, "basis": "other", "reason": "否决"}
        )
    deltas = draw(st.lists(st.integers(min_value=-3000, max_value=3000), max_size=3))
    for number, cents in enumerate(deltas):
        adjustment = f"a{number}"
        season["actions"] += [
            {
                "do": "propose_adjustment",
                "by": "as",
                "unit": draw(st.sampled_from(sorted(scores))),
                "adjustment": adjustment,
                "delta": Decimal(cents).scaleb(-2),
                "reason": "实绩分析",
            },
            {"do": "approve_adjustment", "by": "lg", "adjustment": adjustment},
        ]
    return season


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(season=seasons())
def test_rebuilt_results_have_the_same_digests(db: str, season: dict[str, Any]) -> None:
    season["cycle"]["id"] = f"p-{uuid.uuid4().hex[:12]}"  # one store serves every example
    writer = open_application(AssessApp, db)
    applied = writer.import_season(season)
    versions = range(1, (applied.version or 0) + 1)
    recorded = [entry["digest"] for entry in writer.cycle(applied.cycle).versions]
    written = [writer.results(applied.cycle, v)["digest"] for v in versions]
    writer.close()
    reader = open_application(AssessApp, db)
    rebuilt = [reader.results(applied.cycle, v)["digest"] for v in versions]
    reader.close()
    assert rebuilt == written == recorded
