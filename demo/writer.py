"""The season being written: its header, actors, units and actions, and its dates."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

YEAR = 2025  # the demo's year, unless a season is asked for another
SCHEME_TITLES = {
    "group-party-org": "集团公司基层党组织党建工作考核",
    "leadership-team": "镇街及市直单位领导班子抓基层党建工作考核",
    "performance-evaluation": "党建工作绩效考评",
}

Number = int | Decimal
Action = dict[str, Any]


def cycle_id(scheme: str, year: int = YEAR) -> str:
    return f"{year}-{scheme}"


def unit_actor(unit_id: str) -> str:
    return f"u-{unit_id}"


class SeasonWriter:
    """Collects the header and the actions of one season, in order. `run_by` names the
    organisation that runs the cycle (SPEC §9), `cycle` and `title` replace the scheme's."""

    def __init__(
        self,
        scheme: str,
        rules: dict | None = None,
        year: int = YEAR,
        run_by: str | None = None,
        cycle: str | None = None,
        title: str | None = None,
    ) -> None:
        self.scheme = scheme
        self.rules = rules or {}
        self.year = year
        self.run_by = run_by
        self.cycle = cycle or cycle_id(scheme, year)
        self.title = title or f"{year}年度{SCHEME_TITLES[scheme]}"
        self.units: list[dict] = []
        self.unit_actors: list[dict] = []
        self.staff: list[dict] = []
        self.actions: list[Action] = []

    def add_unit(self, unit_id: str, name: str, category: str, parent: str | None = None) -> str:
        unit = {"id": unit_id, "name": name, "category": category}
        if parent is not None:
            unit["parent"] = parent
        self.units.append(unit)
        self.unit_actors.append({"id": unit_actor(unit_id), "role": "unit", "unit": unit_id})
        return unit_id

    def add_actor(self, actor_id: str, role: str, **extra: str) -> str:
        self.staff.append({"id": actor_id, "role": role, **extra})
        return actor_id

    def act(self, do: str, by: str, **fields: Any) -> None:
        if isinstance(fields.get("at"), date):
            fields["at"] = fields["at"].isoformat()
        self.actions.append({"do": do, "by": by, **fields})

    def to_dict(self) -> dict:
        leaders = [
            {"id": "od", "role": "org_dept"},
            {"id": "lg", "role": "leading_group"},
            {"id": "aud", "role": "auditor"},
        ]
        cycle = {"id": self.cycle, "scheme": self.scheme, "year": self.year, "title": self.title}
        if self.run_by is not None:
            cycle["run_by"] = self.run_by
        return {
            "format": "assess-season/1",
            "cycle": cycle,
            "rules": self.rules,
            "actors": leaders + self.unit_actors + self.staff,
            "units": self.units,
            "actions": self.actions,
        }


@dataclass(frozen=True)
class Calendar:
    """The dated milestones: items in spring, the year-end assessment in November,
    approval and publication early the following year."""

    items_published: date
    assessment_opened: date
    scoring_closed: date
    results_approved: date
    results_published: date

    @classmethod
    def draw(cls, rng: random.Random, year: int = YEAR) -> Calendar:
        published = date(year + 1, 1, 20) + timedelta(rng.randint(0, 20))
        return cls(
            items_published=date(year, 3, 10) + timedelta(rng.randint(0, 20)),
            assessment_opened=date(year, 11, 1) + timedelta(rng.randint(0, 9)),
            scoring_closed=date(year, 12, 10) + timedelta(rng.randint(0, 15)),
            results_approved=published - timedelta(rng.randint(5, 10)),
            results_published=published,
        )

    def after_publication(self, days: int) -> date:
        return self.results_published + timedelta(days)
