"""The figures behind a cycle's charts (issue 13): grade (tier) distribution per category
against the scheme's quotas, and a histogram of the finals. Plain counts from a results
version's rows; finals are read as exact decimals, never floats."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from assess.domain.schemes import SCHEME_MODULES

BIN_WIDTH = Decimal(10)
# The grade a quota of leadership-team's rules bounds: `top` 优秀, `bottom` 一般.
QUOTA_GRADES = {"top": "excellent", "bottom": "average"}


def distribution(
    scheme: str, rows: list[dict[str, Any]], quotas: dict[str, dict[str, int]] | None
) -> list[dict[str, Any]]:
    """Per category (in the order first met): how many rows hold each grade, best
    first, with the quota that bounds it where the rules set one."""
    labels = SCHEME_MODULES[scheme].GRADE_LABELS
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        grades = counts.setdefault(row["category"], dict.fromkeys(labels, 0))
        grades[row["grade"]] = grades.get(row["grade"], 0) + 1
    found = []
    for category, grades in counts.items():
        bounds = (quotas or {}).get(category, {})
        quota_of = {
            QUOTA_GRADES[key]: value for key, value in bounds.items() if key in QUOTA_GRADES
        }
        found.append(
            {
                "category": category,
                "units": sum(grades.values()),
                "grades": [
                    {
                        "grade": grade,
                        "label": labels.get(grade, grade),
                        "count": count,
                        "quota": quota_of.get(grade),
                    }
                    for grade, count in grades.items()
                ],
            }
        )
    return found


def histogram(rows: list[dict[str, Any]], width: Decimal = BIN_WIDTH) -> list[dict[str, Any]]:
    """The finals in bins [low, low + width), from 0 (or below, for a lower final) up
    to 100 (or above, for a higher final): {low, high, count}; the last bin also holds
    its upper bound (a final of 100 is in 90–100)."""
    finals = [Decimal(row["final"]) for row in rows]
    low = min([Decimal(0), *(_floor(value, width) for value in finals)])
    high = max([Decimal(100), *(_floor(value, width) + width for value in finals if value > 100)])
    bins: list[dict[str, Any]] = []
    start = low
    while start < high:
        bins.append({"low": start, "high": start + width, "count": 0})
        start += width
    for value in finals:
        index = min(int((value - low) // width), len(bins) - 1)
        bins[index]["count"] += 1
    return bins


def _floor(value: Decimal, width: Decimal) -> Decimal:
    return (value / width).to_integral_value(rounding=ROUND_FLOOR) * width
