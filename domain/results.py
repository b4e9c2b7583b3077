"""Results of a cycle (SPEC §6): ranked, graded rows and their digest."""

from __future__ import annotations

import hashlib
from typing import Any

from assess.domain.chain import canonical_bytes
from assess.domain.figures import Figures
from assess.domain.numbers import fmt
from assess.domain.ranking import competition_ranks
from assess.domain.schemes import SCHEME_MODULES, leadership_team


def compute_rows(state: Any) -> list[Figures]:
    """Every unit's figures, ranked over all units and within its category."""
    scheme = SCHEME_MODULES[state.scheme]
    rows = scheme.compute(state)
    for row, rank in zip(rows, competition_ranks(rows, key=_sort_key), strict=True):
        row.rank = rank
    by_category: dict[str, list[Figures]] = {}
    for row in rows:
        by_category.setdefault(state.units[row.unit]["category"], []).append(row)
    for members in by_category.values():
        for row, rank in zip(members, competition_ranks(members, key=_sort_key), strict=True):
            row.category_rank = rank
    if scheme is leadership_team:
        leadership_team.assign_tiers(rows, state.units, state.rules)
    rows.sort(key=lambda row: (row.rank, row.unit))
    return rows


def _sort_key(row: Figures) -> tuple:
    return row.sort_key


def results_array(state: Any) -> list[dict[str, Any]]:
    labels = SCHEME_MODULES[state.scheme].GRADE_LABELS
    return [
        {
            "unit": row.unit,
            "name": state.units[row.unit]["name"],
            "category": state.units[row.unit]["category"],
            "components": {key: fmt(value) for key, value in row.components.items()},
            "score": fmt(row.score),
            "extra": fmt(row.extra),
            "final": fmt(row.final),
            "rank": row.rank,
            "category_rank": row.category_rank,
            "grade": row.grade,
            "grade_label": labels[row.grade],
            "vetoed": row.vetoed,
            "capped": row.capped,
        }
        for row in compute_rows(state)
    ]


def digest(results: list[dict[str, Any]]) -> str:
    """sha256 of the canonical JSON of the results array (SPEC §6)."""
    return hashlib.sha256(canonical_bytes(results)).hexdigest()
