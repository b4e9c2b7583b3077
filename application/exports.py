"""CSV for spreadsheets and auditors: UTF-8 with a BOM so that Excel reads it as such."""

from __future__ import annotations

import csv
import io
import json
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
    """One row per unit; components as columns, in SPEC §6 order."""
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


AUDIT_COLUMNS = ["position", "event", "verb", "recorded", "actor", "role", "account", "at"]


def audit_csv(records: list[dict[str, Any]]) -> bytes:
    """The audit export (application.audit.export_records): data as canonical JSON."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*AUDIT_COLUMNS, "data", "previous", "chain"])
    for record in records:
        data = json.dumps(record["data"], ensure_ascii=False, sort_keys=True)
        writer.writerow(
            [record[column] or "" for column in AUDIT_COLUMNS]
            + [data, record["previous"], record["chain"]]
        )
    return out.getvalue().encode("utf-8-sig")
