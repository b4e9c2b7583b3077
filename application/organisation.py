"""The organisation tree of a year and a unit's history across years (SPEC §9, 一级考核一级).

Both are computed from the cycles as their events leave them: `tree` and `history` read
each cycle once (`AssessApp.inspect`) and its latest results version (`AssessApp.results`,
checked against its digest), then hand plain facts to `tree_of` and `history_of`, which
shape the documents and could as well be fed from read views. A cycle that cannot be
read (stage `corrupt`) is left out. `readable` keeps what the caller may read (SPEC §4):
every cycle, or every row, when it is None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from uuid import UUID

from assess.application.access import Viewer
from assess.application.service import AssessApp, summary_of
from assess.application.views import note
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.schemes import SCHEME_MODULES

CycleFilter = Callable[[str], bool]  # cycle id -> may the caller read it
RowFilter = Callable[[str, str], bool]  # (cycle id, unit) -> may it read that results row
ENTRY_FIELDS = ("final", "rank", "category_rank", "grade", "grade_label", "vetoed")


# ---- the pure shapes ---------------------------------------------------------------


def tree_of(
    year: int,
    summaries: Iterable[dict[str, Any]],
    units_of: dict[str, list[str]],
    grades_of: dict[str, dict[str, int]],
) -> dict[str, Any]:
    """The tree of `year` from cycle summaries (`summary_of` plus `run_by`), each cycle's
    unit ids and the grade counts of its latest version. Only the cycles given count,
    `below` included: a caller passes those its reader may read."""
    cycles = sorted(
        (entry for entry in summaries if entry["year"] == year and entry["stage"] != "corrupt"),
        key=lambda entry: entry["cycle"],
    )
    return {
        "year": year,
        "cycles": [
            {
                "cycle": entry["cycle"],
                "scheme": entry["scheme"],
                "title": entry["title"] or None,
                "run_by": entry.get("run_by"),
                "stage": entry["stage"],
                "version": entry["version"],
                "units": len(units_of[entry["cycle"]]),
                "grades": dict(grades_of.get(entry["cycle"], {})) if entry["version"] else {},
                "below": _below(entry["cycle"], set(units_of[entry["cycle"]]), cycles),
            }
            for entry in cycles
        ],
    }


def _below(cycle: str, units: set[str], cycles: list[dict[str, Any]]) -> list[str]:
    """That year's cycles run by one of this cycle's units (never the cycle itself)."""
    return [
        entry["cycle"]
        for entry in cycles
        if entry["cycle"] != cycle and entry.get("run_by") in units
    ]


def grade_counts(scheme: str, rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How many rows hold each grade (tier) code, in the scheme's order, best first;
    codes no row holds are left out."""
    found: dict[str, int] = {}
    for row in rows:
        found[row["grade"]] = found.get(row["grade"], 0) + 1
    return in_scheme_order(scheme, found)


def in_scheme_order(scheme: str, counts: dict[str, int]) -> dict[str, int]:
    return {code: counts[code] for code in SCHEME_MODULES[scheme].GRADE_LABELS if code in counts}


def history_entry(summary: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """One cycle's line of a unit's history: the cycle (`summary_of`) and the unit's row
    in its latest results version."""
    return {
        "year": summary["year"],
        "cycle": summary["cycle"],
        "scheme": summary["scheme"],
        "name": row["name"],
        "category": row["category"],
        "version": summary["version"],
        "stage": summary["stage"],
        **{field: row[field] for field in ENTRY_FIELDS},
    }


def history_of(unit: str, entries: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """A unit's history from its entries (`history_entry`), ordered by year, then cycle."""
    return {
        "unit": unit,
        "entries": sorted(entries, key=lambda entry: (entry["year"], entry["cycle"])),
    }


# ---- computed from the events ----------------------------------------------------------


def tree(app: AssessApp, year: int, readable: CycleFilter | None = None) -> dict[str, Any]:
    """SPEC §9's tree of `year`: its cycles (those `readable`), ordered by id, each with
    its units, grade counts and the cycles run by one of its units. From the `cycles`
    and `history` views for the cycles they have followed to their end."""
    summaries: list[dict[str, Any]] = []
    units_of: dict[str, list[str]] = {}
    grades_of: dict[str, dict[str, int]] = {}
    listed = app.views.tree(year) if app.views is not None else None
    if listed is None:
        note("behind")
        others = [entry["cycle"] for entry in _cycles(app) if entry["year"] == year]
    else:
        note("behind" if listed.behind else "current")
        others = _cycle_ids(app, listed.behind)
        for cycle, found in listed.documents.items():
            if readable is None or readable(cycle):
                summary = {**found["summary"], "run_by": found["run_by"]}
                summaries.append(summary)
                units_of[cycle] = found["units"]
                grades_of[cycle] = in_scheme_order(summary["scheme"], found["grades"])
    for cycle in others:
        if readable is not None and not readable(cycle):
            continue
        try:
            summary, units = app.inspect(cycle, _summary_and_units)
            if summary["version"] is not None:
                rows = app.results(summary["cycle"])["results"]
                grades_of[summary["cycle"]] = grade_counts(summary["scheme"], rows)
        except DomainError as error:
            if error.code != "integrity":
                raise
            continue  # corrupt since it was listed
        summaries.append(summary)
        units_of[summary["cycle"]] = units
    return tree_of(year, summaries, units_of, grades_of)


def history(app: AssessApp, unit: str, readable: RowFilter | None = None) -> dict[str, Any]:
    """SPEC §9's history of `unit`: one entry per cycle that holds it and has results
    (and whose row for it is `readable`), from the latest version. From the `history`
    view for the cycles it has followed to their end."""
    entries: list[dict[str, Any]] = []
    listed = app.views.history(unit) if app.views is not None else None
    if listed is None:
        note("behind")
        others = [entry["cycle"] for entry in _cycles(app) if entry["version"] is not None]
    else:
        note("behind" if listed.behind else "current")
        others = _cycle_ids(app, listed.behind)
        entries.extend(
            entry
            for cycle, entry in listed.documents.items()
            if readable is None or readable(cycle, unit)
        )
    for cycle in others:
        try:
            summary, units = app.inspect(cycle, _summary_and_units)
            if unit not in units or summary["version"] is None:
                continue
            if readable is not None and not readable(summary["cycle"], unit):
                continue
            rows = app.results(summary["cycle"])["results"]
        except DomainError as error:
            if error.code != "integrity":
                raise
            continue
        entries.extend(history_entry(summary, row) for row in rows if row["unit"] == unit)
    return history_of(unit, entries)


def _cycle_ids(app: AssessApp, aggregate_ids: Iterable[UUID]) -> list[str]:
    """The ids of the cycles a view has not followed to their end (corrupt ones left out)."""
    return sorted(
        entry["cycle"] for entry in app.summaries(aggregate_ids) if entry["stage"] != "corrupt"
    )


def _cycles(app: AssessApp) -> list[dict[str, Any]]:
    return [entry for entry in app.cycles() if entry["stage"] != "corrupt"]


def _summary_and_units(cycle: Cycle) -> tuple[dict[str, Any], list[str]]:
    summary = {**summary_of(cycle), "run_by": getattr(cycle, "run_by", None)}
    return summary, sorted(cycle.units)


# ---- reading rights (SPEC §4), given how the caller looks at a cycle ----------------------


ViewerOf = Callable[[str], Viewer]  # cycle id -> the caller's viewer (or permission_denied)


def readable_cycles(viewer_of: ViewerOf) -> CycleFilter:
    """A cycle is readable when the caller may look at it at all: it holds an actor
    there that is not retired, or it is an admin."""

    def readable(cycle: str) -> bool:
        return _viewer(viewer_of, cycle) is not None

    return readable


def readable_rows(viewer_of: ViewerOf) -> RowFilter:
    """A unit's row is readable when the caller may read that unit's results in the cycle:
    a reader of everything, a unit actor its own unit, any actor once published."""

    def readable(cycle: str, unit: str) -> bool:
        viewer = _viewer(viewer_of, cycle)
        if viewer is None:
            return False
        try:
            only = viewer.results_unit()
        except DomainError as error:
            if error.code != "permission_denied":
                raise
            return False
        return only is None or only == unit

    return readable


def _viewer(viewer_of: ViewerOf, cycle: str) -> Viewer | None:
    try:
        return viewer_of(cycle)
    except DomainError as error:
        if error.code != "permission_denied":
            raise
        return None
