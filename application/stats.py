"""Statistics of a results version (SPEC §10): the spread of finals and grades per
category (against scheme B's quotas), each submitter's lean against all submitters of
the same key, and scheme C's self-evaluation gaps.

Figures are exact decimals rounded half-up to 2 places (domain/numbers.py), never floats.
The inputs in force are read from the cycle's events up to the version's event: the
state keeps values, not who gave them."""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any

from assess.domain.numbers import fmt, mean, round2
from assess.domain.schemes import LEADERSHIP_TEAM, PERFORMANCE_EVALUATION, SCHEME_MODULES

ALL = "*"
# Enough digits that the square root is exact well beyond the second decimal.
PRECISION = 60

# (unit, key, detail) -> (actor, role, values): one input in force and who gave it.
Inputs = dict[tuple[str, str, str], tuple[str, str, list[Any]]]


def stats(app: Any, cycle_id: str, version: int | None = None) -> dict[str, Any]:
    """SPEC §10's document for a version (the latest by default); a version that does
    not exist is refused as `results` refuses it."""
    document = app.results(cycle_id, version)
    number = document["version"]
    events = app.events_of(cycle_id)
    position = _position_of(events, number)
    cycle = app.cycle(cycle_id, position=position)
    rows = document["results"]
    return {
        "cycle": document["cycle"],
        "version": number,
        "digest": document["digest"],
        "categories": categories(cycle, rows),
        "submitters": submitters(cycle, [e for e in events if e.originator_version <= position]),
        "self_gaps": self_gaps(cycle, rows),
    }


def _position_of(events: list[Any], number: int) -> int:
    """The position of the event that created the version."""
    for event in events:
        if event.data.get("version") == number and "digest" in event.data:
            return int(event.originator_version)
    raise LookupError(f"no event created version {number}")  # results() found it: unreachable


# ---- categories -------------------------------------------------------------------------


def categories(cycle: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`*` first, then each category in the order the cycle's units first name it."""
    order = list(dict.fromkeys(unit["category"] for unit in cycle.units.values()))
    order += [c for c in dict.fromkeys(row["category"] for row in rows) if c not in order]
    entries = [_category(cycle, ALL, rows)]
    for category in order:
        members = [row for row in rows if row["category"] == category]
        if members:
            entries.append(_category(cycle, category, members))
    return entries


def _category(cycle: Any, category: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    grades = dict.fromkeys(SCHEME_MODULES[cycle.scheme].GRADE_LABELS, 0)
    for row in rows:
        grades[row["grade"]] = grades.get(row["grade"], 0) + 1
    finals = [Decimal(row["final"]) for row in rows if not row["vetoed"]]
    entry: dict[str, Any] = {
        "category": category,
        "units": len(rows),
        "grades": grades,
        "final": figures(finals),
    }
    if cycle.scheme == LEADERSHIP_TEAM:
        quotas = cycle.rules["quotas"]
        if category == ALL:  # the sum over the categories that have units
            present = {row["category"] for row in rows}
            top = sum(q["top"] for c, q in quotas.items() if c in present)
            bottom = sum(q["bottom"] for c, q in quotas.items() if c in present)
        else:
            top = quotas.get(category, {}).get("top", 0)
            bottom = quotas.get(category, {}).get("bottom", 0)
        entry["quota"] = {
            "top": top,
            "bottom": bottom,
            "top_given": grades.get("excellent", 0),
            "bottom_given": grades.get("average", 0),
        }
    return entry


def figures(values: list[Decimal]) -> dict[str, str | None]:
    """min, max, mean, median and population stdev, each a 2-decimal string; all null
    when there is no value."""
    if not values:
        return dict.fromkeys(("min", "max", "mean", "median", "stdev"))
    ordered = sorted(values)
    return {
        "min": fmt(ordered[0]),
        "max": fmt(ordered[-1]),
        "mean": fmt(round2(mean(ordered))),
        "median": fmt(median(ordered)),
        "stdev": fmt(stdev(ordered)),
    }


def median(ordered: list[Decimal]) -> Decimal:
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round2((ordered[middle - 1] + ordered[middle]) / 2)


def stdev(values: list[Decimal]) -> Decimal:
    """The population standard deviation, exact until the final rounding."""
    with localcontext() as context:
        context.prec = PRECISION
        centre = sum(values, Decimal(0)) / len(values)
        variance = sum(((value - centre) ** 2 for value in values), Decimal(0)) / len(values)
        root = variance.sqrt()
    return round2(root)


# ---- submitters -------------------------------------------------------------------------


def submitters(cycle: Any, events: list[Any]) -> list[dict[str, Any]]:
    """One entry per actor and key for the inputs in force: the latest input per unit,
    key and item (or ballot submitter) counts, for whoever gave it."""
    inputs: Inputs = {}
    for event in events:
        name = type(event).__name__
        data = event.data
        if name == "ScoreSubmitted":
            _put_score(inputs, data, event.actor, event.role)
        elif name == "ScoreSheetSubmitted":
            for item, value in data["scores"].items():
                entry = {"unit": data["unit"], "item": item, "value": value}
                if "method" in data:
                    entry["method"] = data["method"]
                _put_score(inputs, entry, event.actor, event.role)
        elif name == "BallotsSubmitted":
            slot = (data["unit"], data["component"], data["submitter"])
            inputs[slot] = (event.actor, event.role, list(data["ballots"]))
        elif name == "ScoreCorrected":
            _put_correction(inputs, data, event.actor, event.role)
        elif name == "AppealResolved":
            for entry in data.get("corrections", []):
                _put_correction(inputs, entry, event.actor, event.role)
    values: dict[str, dict[tuple[str, str], list[Decimal]]] = {}
    for (_, key, _), (actor, role, given) in inputs.items():
        points = [_points(cycle, key, value) for value in given]
        values.setdefault(key, {}).setdefault((actor, role), []).extend(points)
    entries = []
    for key in sorted(values):
        by_actor = values[key]
        overall = round2(mean([value for found in by_actor.values() for value in found]))
        for actor, role in sorted(by_actor):
            own = round2(mean(by_actor[(actor, role)]))
            entries.append(
                {
                    "actor": actor,
                    "role": role,
                    "key": key,
                    "count": len(by_actor[(actor, role)]),
                    "mean": fmt(own),
                    "overall_mean": fmt(overall),
                    "lean": fmt(own - overall),
                }
            )
    return entries


def _put_score(inputs: Inputs, entry: dict[str, Any], actor: str, role: str) -> None:
    """A: key the component; B: `item`; C: the method (detail: the item)."""
    if "method" in entry:
        slot = (entry["unit"], entry["method"], entry["item"])
    elif "component" in entry:
        slot = (entry["unit"], entry["component"], "")
    else:
        slot = (entry["unit"], "item", entry["item"])
    inputs[slot] = (actor, role, [entry["value"]])


def _put_correction(inputs: Inputs, entry: dict[str, Any], actor: str, role: str) -> None:
    if entry["kind"] == "score":
        _put_score(inputs, entry, actor, role)
    elif entry["kind"] == "ballots":  # replaces every set of that unit and component
        unit, component = entry["unit"], entry["component"]
        for slot in [s for s in inputs if s[0] == unit and s[1] == component]:
            del inputs[slot]
        inputs[(unit, component, "")] = (actor, role, list(entry["ballots"]))


def _points(cycle: Any, key: str, value: Any) -> Decimal:
    """A value as a number: debrief ballot labels by the rules' `debrief_points`."""
    if key == "debrief":
        return Decimal(cycle.rules["debrief_points"][value])
    return Decimal(value)


# ---- self-evaluation gaps ---------------------------------------------------------------


def self_gaps(cycle: Any, rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """C only: units whose self score exceeds round2((org + social) / 2) by the rule
    `self_gap_flag` or more, the largest gap first, then by unit."""
    if cycle.scheme != PERFORMANCE_EVALUATION:
        return []
    flag = Decimal(cycle.rules.get("self_gap_flag", 10))
    found = []
    for row in rows:
        parts = row["components"]
        if row["vetoed"] or not all(m in parts for m in ("self", "org", "social")):
            continue
        own = Decimal(parts["self"])
        others = round2((Decimal(parts["org"]) + Decimal(parts["social"])) / 2)
        gap = round2(own - others)
        if gap >= flag:
            found.append((gap, row["unit"], own, others))
    found.sort(key=lambda entry: (-entry[0], entry[1]))
    return [
        {"unit": unit, "self": fmt(own), "others": fmt(others), "gap": fmt(gap)}
        for gap, unit, own, others in found
    ]
