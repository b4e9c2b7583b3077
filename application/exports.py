"""CSV for spreadsheets and auditors: UTF-8 with a BOM so that Excel reads it as such.

A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`,
a tab or a carriage return: a unit named `=HYPERLINK(...)`) is written with a leading `'`,
which Excel shows as text (OWASP's CSV injection advice). A figure is no formula and
stays as it is: `-5.00` remains a number in the sheet.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIGURE = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")  # as results documents write figures

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


def safe_cell(value: Any) -> Any:
    """`value` as a cell no spreadsheet runs: text that starts like a formula, and is no
    figure, is quoted with `'`. Decided by the value, not by its column: a unit's name
    and a component's figure sit side by side."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not FIGURE.fullmatch(value):
        return "'" + value
    return value


def _write(rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def results_csv(rows: list[dict[str, Any]]) -> bytes:
    """One row per unit; components as columns, in SPEC §6 order."""
    present = {key for row in rows for key in row["components"]}
    components = [key for key in COMPONENT_ORDER if key in present]
    table = [LEAD + components + TAIL + FLAGS]
    for row in rows:
        table.append(
            [row[key] for key in LEAD]
            + [row["components"].get(key, "") for key in components]
            + [row[key] for key in TAIL + FLAGS]
        )
    return _write(table)


AUDIT_COLUMNS = [
    "position",
    "event",
    "verb",
    "recorded",
    "actor",
    "role",
    "account",
    "request",
    "at",
]


def audit_csv(records: list[dict[str, Any]]) -> bytes:
    """The audit export (application.audit.export_records): data, and the request's
    idempotency key and digest when it named one, as canonical JSON; the evidence files
    an event attaches, one `name sha256` a line."""
    table: list[list[Any]] = [[*AUDIT_COLUMNS, "data", "attachments", "previous", "chain"]]
    for record in records:
        data = json.dumps(record["data"], ensure_ascii=False, sort_keys=True)
        files = "\n".join(
            f"{entry['name']} {entry['sha256']}" for entry in record["data"].get("attachments", [])
        )
        table.append(
            [_audit_cell(record.get(column)) for column in AUDIT_COLUMNS]
            + [data, files, record["previous"], record["chain"]]
        )
    return _write(table)


def _audit_cell(value: Any) -> Any:
    """`request` ({key, digest}) as canonical JSON; nothing for what is absent."""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    return value or ""
