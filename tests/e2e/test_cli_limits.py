"""SPEC §3 and §5 refusals through `assess import`: unknown fields, rule bounds, text limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import store_agnostic
from tests.e2e.test_cli import _action, _season_with, run, text

REFUSED = [
    (
        lambda s: _action(s, 7).update(reasn="笔误"),
        "action #7 (declare_innovation): invalid_value: declare_innovation does not take"
        " the field 'reasn'",
    ),
    (
        lambda s: s["rules"].update(weights={"town": {"debrief": "0.10"}}),
        "rules.weights.town: weights must sum to 1, got 0.90",
    ),
    (lambda s: s["rules"].update(innovation_cap="NaN"), "rules.innovation_cap must be a finite"),
    (lambda s: s["units"][0].update(name="名" * 201), "name is longer than 200 characters"),
    (lambda s: _action(s, 7).update(title="a\x00b"), "title holds the control character"),
]


@store_agnostic  # refused in the domain, before the store
@pytest.mark.parametrize(("change", "message"), REFUSED)
def test_a_refused_field_or_rule_names_it_and_stores_nothing(
    db: str, tmp_path: Path, change, message: str
) -> None:
    result = run(db, "import", str(_season_with(tmp_path, change)))
    assert result.returncode == 2
    assert message in result.stderr.decode("utf-8")
    assert "2025-leadership-team" not in text(run(db, "cycles"))
