"""Results as CSV for spreadsheets: UTF-8 with a BOM, one row per unit.

The columns are those of `assess results --format csv` (cli/render.py)."""

from __future__ import annotations

import csv
import io
from typing import Any

COMPONENT_ORDER = (
    "research_h1",
    "research_h2",
    "daily",
    "year_end",
    "debrief",
    "democratic_self",
    "democratic_staff",
    "democratic",
    "annual",
    "performance",
    "self",
    "org",
    "social",
)
LEAD = ["unit", "name", "category"]
TAIL = ["score", "extra", "final", "rank", "category_rank", "grade", "grade_label"]
FLAGS = ["vetoed", "capped"]


def results_csv(rows: list[dict[str, Any]]) -> bytes:
    present = {key for row in rows for key in row["components"]}
    components = [key for key in COMPONENT_ORDER if key in present]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(LEAD + components + TAIL + FLAGS)
    for row in rows:
        writer.writerow(
            [row[key] for key in LEAD]
            + [row["components"].get(key, "") for key in components]
            + [row[key] for key in TAIL + FLAGS]
        )
    return out.getvalue().encode("utf-8-sig")
