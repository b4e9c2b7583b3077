"""Score entry (issue 13, item 4): what one actor may enter in a cycle, as a grid of units ×
entries, and the batch of actions a filled-in grid gives.

Nothing here decides who may enter what: a cell is offered when the action that would
fill it passes the verb policy for the actor now (`structure.may_submit`: SPEC §3's
table in `domain/policy.py`, and leadership-team's body rule), and the cells of a unit are
those its scheme asks for (components, applicable items × methods, ballot sets of its
category, the award). Values are checked by the domain when the batch is performed; a
refusal names the action, which `Plan.targets` maps back to the cells that gave it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from assess.application.service import AssessApp
from assess.application.structure import may_submit
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.schemes import (
    GROUP_PARTY_ORG,
    LEADERSHIP_TEAM,
    SCHEME_MODULES,
    group_party_org,
    leadership_team,
    performance_evaluation,
)

PAGE_SIZE = 50
# The kinds of cell: a score 0–100, a fixed point (a choice), a ballot set, an award.
SCORE, FIXED, BALLOTS, AWARD = "score", "fixed", "ballots", "award"
# Ballots typed into one cell are separated by spaces or commas (also the Chinese ones).
BALLOT_SEPARATORS = re.compile(r"[\s,，、;；]+")
# A figure typed as a plain decimal numeral is read exactly, as the JSON loader reads a
# number; anything else goes to the domain as text (a label, or a refusal naming it).
# A plain decimal numeral (digits of any script, as an input method may give them).
NUMERAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


@dataclass(frozen=True)
class Column:
    """One kind of entry: `kind`, and `name` (a component, an item, a ballot set) with the
    `method` of performance-evaluation; `choices` (value, label) for choices, `labels`
    the ballot labels of debrief ratings."""

    kind: str
    name: str
    method: str = ""
    title: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    by_item: bool = False  # an item's score (leadership-team), not a component's
    labels: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.name, self.method)


@dataclass(frozen=True)
class Row:
    unit: str
    name: str
    category: str
    values: dict[tuple[str, str, str], str]  # column key → current value ("" for none)


@dataclass(frozen=True)
class Sheet:
    """One page of the grid for `actor`: the columns any of its rows has, the rows."""

    cycle: str
    scheme: str
    stage: str
    actor: str
    columns: list[Column]
    rows: list[Row]
    units: int  # rows on every page
    page: int
    pages: int
    todo: int  # entries close_scoring lacks that the actor may give (SPEC §6.1)
    deduction_areas: tuple[str, ...]  # group-party-org's negative list, else ()


Cell = tuple[str, str, str, str]  # (kind, name, method, unit)


@dataclass
class Plan:
    """The actions a filled-in grid gives, and for each the cells it came from."""

    actions: list[dict[str, Any]] = field(default_factory=list)
    targets: list[list[Cell]] = field(default_factory=list)

    def add(self, action: dict[str, Any], cells: list[Cell]) -> None:
        self.actions.append(action)
        self.targets.append(cells)

    def cells_of(self, index: int, message: str) -> list[Cell]:
        """The cells a refusal of action `index` concerns: those whose item the message
        names (a sheet holds several), else every cell of the action."""
        cells = self.targets[index] if 0 <= index < len(self.targets) else []
        named = [cell for cell in cells if names(message, cell[1])]
        return named or cells


@dataclass(frozen=True)
class Deduction:
    area: str
    points: str
    reason: str


def names(message: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", message) is not None


# ---- the grid ----------------------------------------------------------------------------


def entry_sheet(
    app: AssessApp, cycle_id: str, actor: str, page: int = 1, missing_only: bool = False
) -> Sheet:
    return app.inspect(cycle_id, lambda cycle: _sheet_of(cycle, actor, page, missing_only))


def _sheet_of(cycle: Cycle, actor: str, page: int, missing_only: bool) -> Sheet:
    entry = cycle.actors.get(actor)
    if entry is None:
        raise DomainError("not_found", f"no actor {actor!r} in {cycle.cycle_id}")
    allowed = _Allowed(cycle, actor, entry)
    columns = _Columns(cycle)

    def wanted(unit: str) -> bool:
        offered = (c for c in columns.of(unit) if allowed(unit, _lacking(unit, c)))
        if missing_only:
            return any(_current(cycle, actor, unit, c) == "" for c in offered)
        return any(True for _ in offered)

    units = [unit for unit in sorted(cycle.units) if wanted(unit)]
    pages = max(1, -(-len(units) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = [
        (unit, [c for c in columns.of(unit) if allowed(unit, _lacking(unit, c))])
        for unit in units[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ]
    order: dict[tuple[str, str, str], Column] = {}
    for _, offered in shown:
        for column in offered:
            order.setdefault(column.key, column)
    # SPEC §6.1's to-do (structure.todo), with the policy's answers kept as above.
    todo = sum(
        1
        for unit in cycle.units
        if unit not in cycle.vetoes
        for lacking in SCHEME_MODULES[cycle.scheme].missing_entries(unit, cycle)
        if not entry.get("retired", False) and allowed(unit, lacking)
    )
    return Sheet(
        cycle=cycle.cycle_id,
        scheme=cycle.scheme,
        stage=cycle.stage,
        actor=actor,
        columns=sorted(order.values(), key=_column_order(cycle)),
        rows=[
            Row(
                unit=unit,
                name=cycle.units[unit]["name"],
                category=cycle.units[unit]["category"],
                values={c.key: _current(cycle, actor, unit, c) for c in offered},
            )
            for unit, offered in shown
        ],
        units=len(units),
        page=page,
        pages=pages,
        todo=todo,
        deduction_areas=group_party_org.DEDUCTION_AREAS
        if cycle.scheme == GROUP_PARTY_ORG and shown
        else (),
    )


class _Allowed:
    """Whether the actor may give an entry (`missing_entries`' shape) for a unit now.
    `may_submit` looks at the unit only to hold a unit actor to its own unit, so its
    answer is kept per entry without the unit (and, for unit actors, whether the unit is
    its own): a 2,000-unit grid asks the policy a few times."""

    def __init__(self, cycle: Cycle, actor: str, entry: dict[str, Any]) -> None:
        self.cycle, self.actor, self.entry = cycle, actor, entry
        self.per_unit = entry.get("role") == "unit"
        self.own_unit = entry.get("unit")
        self.known: dict[tuple[Any, ...], bool] = {}

    def __call__(self, unit: str, lacking: dict[str, str]) -> bool:
        key = (
            lacking.get("component"),
            lacking.get("item"),
            lacking.get("method"),
            "item" in lacking or "component" in lacking,
            unit == self.own_unit if self.per_unit else None,
        )
        known = self.known.get(key)
        if known is None:
            known = self.known[key] = may_submit(self.cycle, self.actor, self.entry, lacking)
        return known


class _Columns:
    """Each unit's candidate columns, the Column objects made once per grid."""

    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle
        self.made: dict[tuple[Any, ...], Column] = {}

    def of(self, unit: str) -> list[Column]:
        return [self._column(spec) for spec in _candidates(self.cycle, unit)]

    def _column(self, spec: tuple[Any, ...]) -> Column:
        column = self.made.get(spec)
        if column is None:
            column = self.made[spec] = _make_column(self.cycle, *spec)
        return column


def _lacking(unit: str, column: Column) -> dict[str, str]:
    """The column's entry as `missing_entries` names it (what `may_submit` takes)."""
    if column.kind == AWARD:
        return {"unit": unit, "component": "annual"}
    if column.kind == BALLOTS or (column.kind == SCORE and not column.by_item):
        return {"unit": unit, "component": column.name}
    lacking = {"unit": unit, "item": column.name}
    if column.method:
        lacking["method"] = column.method
    return lacking


def _candidates(cycle: Cycle, unit: str) -> list[tuple[str, str, str]]:
    """Every entry the unit's scheme asks for (SPEC §3, completeness at close_scoring), as
    (kind, name, method)."""
    if cycle.scheme == GROUP_PARTY_ORG:
        return [(SCORE, component, "") for component in group_party_org.COMPONENTS]
    if cycle.scheme == LEADERSHIP_TEAM:
        category = cycle.units[unit]["category"]
        specs = [
            (BALLOTS, component, "")
            for component in leadership_team.BALLOT_COMPONENTS.get(category, ())
        ]
        specs.append((AWARD, "annual", ""))
        specs += [(SCORE, item, "") for item in leadership_team.applicable_items(unit, cycle)]
        return specs
    return [
        (FIXED, item, method)
        for item in performance_evaluation.applicable_items(unit, cycle)
        for method in performance_evaluation.METHODS
    ]


def _make_column(cycle: Cycle, kind: str, name: str, method: str) -> Column:
    if kind == BALLOTS:
        labels = tuple(cycle.rules["debrief_points"]) if name == "debrief" else ()
        return Column(BALLOTS, name, labels=labels)
    if kind == AWARD:
        return Column(AWARD, name, choices=tuple((key, key) for key in cycle.rules["award_points"]))
    if kind == FIXED:
        points = tuple((str(value), label) for label, value in cycle.rules["score_points"].items())
        title = cycle.items[name].get("title") or name
        return Column(FIXED, name, method, title, choices=points)
    if cycle.scheme == LEADERSHIP_TEAM:
        return Column(SCORE, name, title=cycle.items[name].get("title") or name, by_item=True)
    return Column(SCORE, name)


def _column_order(cycle: Cycle) -> Any:
    kinds = {BALLOTS: 0, AWARD: 1, SCORE: 2, FIXED: 2}
    components = {name: i for i, name in enumerate(group_party_org.COMPONENTS)}
    ballots = {name: i for i, name in enumerate(("debrief", "democratic_self", "democratic_staff"))}

    def order(column: Column) -> tuple[Any, ...]:
        rank = components.get(column.name, ballots.get(column.name, -1))
        return (kinds[column.kind], rank, column.name, column.method)

    return order


def _current(cycle: Cycle, actor: str, unit: str, column: Column) -> str:
    """What is stored for the cell, as the actor would give it again: its own ballot set
    (each submitter's set replaces only its own), the award, the score."""
    if column.kind == BALLOTS:
        own = cycle.ballots.get(unit, {}).get(column.name, {}).get(actor)
        return " ".join(str(ballot) for ballot in own) if own else ""
    if column.kind == AWARD:
        return cycle.awards.get(unit, "")
    scores = cycle.scores.get(unit, {})
    if column.method:
        scores = scores.get(column.method, {})
    value = scores.get(column.name)
    return "" if value is None else str(value)


# ---- a filled-in grid → one batch ------------------------------------------------------------


def entry_plan(
    app: AssessApp,
    cycle_id: str,
    actor: str,
    cells: Mapping[Cell, str],
    deduction: tuple[str, str, list[Deduction]] | None = None,
) -> Plan:
    """The actions that store what differs from what is stored: one `submit_sheet` per
    unit (and method) for item scores, one `submit_score` per component, one
    `submit_ballots` per ballot set, one `record_award` per award; a cell left empty
    gives nothing (an entry cannot be withdrawn). `deduction` (unit, component, entries)
    adds one `submit_score` by the negative list."""
    return app.inspect(cycle_id, lambda cycle: _plan_of(cycle, actor, cells, deduction))


def _plan_of(
    cycle: Cycle,
    actor: str,
    cells: Mapping[Cell, str],
    deduction: tuple[str, str, list[Deduction]] | None,
) -> Plan:
    plan = Plan()
    sheets: dict[tuple[str, str], dict[str, Any]] = {}
    sheet_cells: dict[tuple[str, str], list[Cell]] = {}
    for cell in sorted(cells):
        kind, name, method, unit = cell
        typed = cells[cell].strip()
        column = Column(kind, name, method)
        if kind not in (SCORE, FIXED, BALLOTS, AWARD) or not typed:
            continue
        if _unchanged(kind, typed, _current_or_none(cycle, actor, unit, column)):
            continue
        base = {"by": actor, "unit": unit}
        if kind == BALLOTS:
            ballots = [figure(token) for token in ballots_of(typed)]
            plan.add(
                {"do": "submit_ballots", **base, "component": name, "ballots": ballots}, [cell]
            )
        elif kind == AWARD:
            plan.add({"do": "record_award", **base, "award": typed}, [cell])
        elif cycle.scheme == GROUP_PARTY_ORG:
            plan.add(
                {"do": "submit_score", **base, "component": name, "value": figure(typed)}, [cell]
            )
        else:
            key = (unit, method)
            sheets.setdefault(key, {})[name] = figure(typed)
            sheet_cells.setdefault(key, []).append(cell)
    for (unit, method), scores in sorted(sheets.items()):
        action: dict[str, Any] = {"do": "submit_sheet", "by": actor, "unit": unit}
        if method:
            action["method"] = method
        plan.add({**action, "scores": scores}, sheet_cells[(unit, method)])
    if deduction is not None:
        unit, component, entries = deduction
        listed = [
            {"area": d.area, "points": figure(d.points.strip()), "reason": d.reason.strip()}
            for d in entries
        ]
        plan.add(
            {
                "do": "submit_score",
                "by": actor,
                "unit": unit,
                "component": component,
                "deductions": listed,
            },
            [(SCORE, component, "", unit)],
        )
    return plan


def figure(typed: str) -> Decimal | str:
    """A typed figure as the domain reads it: a decimal numeral read exactly; anything
    else (a label such as 优 or 好, or no number at all) as the text it is, for the domain
    to take as a label or refuse with its message."""
    if NUMERAL.fullmatch(typed):
        return Decimal(typed)
    return typed


def ballots_of(typed: str) -> list[str]:
    """The ballots typed into one cell, apart at spaces or commas (Chinese ones too)."""
    return [token for token in BALLOT_SEPARATORS.split(typed) if token]


def _current_or_none(cycle: Cycle, actor: str, unit: str, column: Column) -> str:
    if unit not in cycle.units:
        return ""
    return _current(cycle, actor, unit, column)


def _unchanged(kind: str, typed: str, stored: str) -> bool:
    if not stored:
        return False
    if kind == BALLOTS:
        given = [token for token in BALLOT_SEPARATORS.split(typed) if token]
        return _same(given, stored.split(" "))
    return _same([typed], [stored])


def same_entry(one: str, other: str) -> bool:
    """Whether two typed values are the same entry (`85` and `85.00` are)."""
    return bool(one) and bool(other) and _same([one], [other])


def _same(given: Iterable[str], stored: Iterable[str]) -> bool:
    given, stored = list(given), list(stored)
    if len(given) != len(stored):
        return False
    for one, other in zip(given, stored, strict=True):
        if one == other:
            continue
        try:
            if Decimal(one) != Decimal(other):
                return False
        except InvalidOperation:
            return False
    return True
