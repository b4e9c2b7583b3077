"""The read views of SPEC §8: what each holds, computed from a cycle's events as they
are applied in order, and how an answer says whether it came from them.

A view is a table (or a few) of rows kept beside the events: `cycles` (one row per
cycle, and its units with their parents), `results` (one row per cycle, version and
unit, and the versions), `audit` (one row per event, the units it concerns, and the
appeals) and `history` (one row per unit and cycle, from the latest version). The rows
are the very documents the event-computed answers are made of (`summary_of`,
`results_array`, `audit_row`, ...), so an answer put together from them is the same,
byte for byte. Storing and following the log is the infrastructure's part
(`infrastructure/views.py`); reading goes through `ReadViews`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from assess.application.audit import REFERENCES, appeal_as_filed, audit_row, units_touched
from assess.application.history import moment_of
from assess.domain.cycle import Cycle
from assess.domain.errors import DomainError
from assess.domain.events import AppealFiled, AppealResolved, CycleCreated, CycleEvent, UnitAdded
from assess.domain.results import digest

VIEWS = ("cycles", "results", "audit", "history")

# ---- where an answer came from (the API's `X-Assess-View` header) ---------------------

_answers: ContextVar[list[str] | None] = ContextVar("assess_view_answers", default=None)


@contextmanager
def answers_noted() -> Iterator[list[str]]:
    """Collect, for the reads made inside, whether each came from a current view
    ("current") or from the events ("behind"). The list is shared with worker threads
    that copy the context, so a request's threads report into it."""
    noted: list[str] = []
    token = _answers.set(noted)
    try:
        yield noted
    finally:
        _answers.reset(token)


def note(answer: str) -> None:
    noted = _answers.get()
    if noted is not None:
        noted.append(answer)


def answered_from(noted: list[str]) -> str | None:
    """One word for a request: `behind` if any of its reads fell back to the events."""
    if not noted:
        return None
    return "behind" if "behind" in noted else "current"


# ---- what the views hold for one cycle, as its events are applied ---------------------


@dataclass
class Progress:
    """A cycle as the views have followed it: its state after the last event applied,
    and what an event's rows depend on besides it (`Memo`)."""

    cycle: Cycle | None
    memo: Memo
    # Views that no longer follow the cycle: reads of it go to the events, which say
    # why. Every view when its events do not read (`unreadable`, the reason); `results`
    # and `history` when they do not reproduce a version's recorded digest.
    stopped: set[str] = field(default_factory=set)
    unreadable: str | None = None
    results: list[dict[str, Any]] | None = None  # of the version the last event created


@dataclass
class Memo:
    """What the views remember of a cycle beyond its state, stored with each view's
    position in it so that following can resume anywhere: the unit that each claim,
    innovation, adjustment or appeal id belongs to (first come, as the audit trail
    reads them), and the effective moment of the last event (`history.moment_of`)."""

    owners: dict[str, str] = field(default_factory=dict)
    moment: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {"owners": self.owners, "moment": self.moment and self.moment.isoformat()}

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> Memo:
        stored = stored or {}
        moment = stored.get("moment")
        return cls(
            dict(stored.get("owners") or {}), datetime.fromisoformat(moment) if moment else None
        )


def follow(progress: Progress, event: CycleEvent) -> set[str]:
    """Apply one event: the cycle's state, the memo; the units it concerns (audit)."""
    progress.cycle = event.mutate(progress.cycle)
    memo = progress.memo
    data = event.data
    for name in REFERENCES:
        if name in data and isinstance(data.get("unit"), str):
            memo.owners.setdefault(data[name], data["unit"])
    memo.moment = moment_of(event, memo.moment)
    progress.results = None
    if "digest" in data:
        assert progress.cycle is not None
        results = progress.cycle.results()
        if digest(results) == data["digest"]:
            progress.results = results
        else:
            progress.stopped |= {"results", "history"}
    return units_touched(data, memo.owners)


def unit_rows(event: CycleEvent, cycle: Cycle) -> list[dict[str, Any]] | None:
    """The cycle's units (id, parent), when this event set or added them."""
    if not isinstance(event, CycleCreated | UnitAdded):
        return None
    return [{"unit": unit, "parent": entry.get("parent")} for unit, entry in cycle.units.items()]


def version_row(event: CycleEvent, memo: Memo) -> dict[str, Any]:
    data = event.data
    return {
        "version": data["version"],
        "position": event.originator_version,
        "digest": data["digest"],
        "moment": memo.moment.isoformat() if memo.moment else "",
    }


def history_rows(cycle: Cycle, version: int, results: list[dict[str, Any]]) -> list[dict]:
    """SPEC §9's history entries of a cycle's units, from one version's results."""
    return [
        {
            "year": cycle.year,
            "cycle": cycle.cycle_id,
            "scheme": cycle.scheme,
            "name": row["name"],
            "category": row["category"],
            "version": version,
            "stage": cycle.stage,
            "final": row["final"],
            "rank": row["rank"],
            "category_rank": row["category_rank"],
            "grade": row["grade"],
            "grade_label": row["grade_label"],
            "vetoed": row["vetoed"],
        }
        for row in results
    ]


def appeal_change(event: CycleEvent) -> tuple[str, dict[str, Any] | str] | None:
    """("filed", the appeal as listed) or ("resolved", its new status)."""
    if isinstance(event, AppealFiled):
        return "filed", appeal_as_filed(event)
    if isinstance(event, AppealResolved):
        return "resolved", event.data["outcome"]
    return None


__all__ = [
    "VIEWS",
    "Memo",
    "NoSuchVersion",
    "Partial",
    "Progress",
    "ReadViews",
    "answered_from",
    "answers_noted",
    "appeal_change",
    "audit_row",
    "follow",
    "history_rows",
    "note",
    "unit_rows",
    "version_row",
]


# ---- reading ------------------------------------------------------------------------


class NoSuchVersion(Exception):
    """A results version asked of a cycle that has `versions` versions (maybe none)."""

    def __init__(self, versions: int) -> None:
        super().__init__(versions)
        self.versions = versions

    def refusal(self, cycle_id: str) -> DomainError:
        if not self.versions:
            return DomainError(
                "not_found", f"cycle {cycle_id!r} has no results yet: scoring is open"
            )
        return DomainError("not_found", f"cycle {cycle_id!r} has versions 1 to {self.versions}")


@dataclass
class Partial:
    """A listing from a view: the documents of the cycles it stands current on, by
    cycle id, and the cycles (by aggregate id) to read from their events instead."""

    documents: dict[str, Any] = field(default_factory=dict)
    behind: set[UUID] = field(default_factory=set)


class ReadViews(Protocol):
    """The views as the application reads them. Each read answers None when the views
    have not yet followed the cycle (or cycles) concerned to their last stored event:
    the application then computes the answer from the events."""

    def cycles(self) -> Partial | None: ...

    def versions(self, cycle_id: str) -> list[dict[str, Any]] | None: ...

    def results(
        self,
        cycle_id: str,
        version: int | None,
        category: str | None = None,
        unit: str | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> tuple[dict[str, Any], int] | None: ...

    def audit(
        self,
        cycle_id: str,
        unit: str | None = None,
        verb: str | None = None,
        actor: str | None = None,
        since_us: int | None = None,
        until_us: int | None = None,
        positions: tuple[int, int] | None = None,
        offset: int = 0,
        limit: int | None = None,
        account: str | None = None,
    ) -> tuple[list[dict[str, Any]], int] | None: ...

    def touching(
        self, cycle_id: str, start: int, end: int
    ) -> dict[str, list[dict[str, Any]]] | None: ...

    def appeals(self, cycle_id: str, unit: str | None) -> list[dict[str, Any]] | None: ...

    def history(self, unit: str) -> Partial | None: ...

    def tree(self, year: int) -> Partial | None: ...
