"""`generate_season`: one realistic season of a scheme, and its JSON text."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal

from assess.demo import group_party_org, leadership_team, performance_evaluation
from assess.demo.writer import YEAR
from assess.domain.schemes import SCHEME_IDS

_WITH_ITEMS = {module.SCHEME: module for module in (leadership_team, performance_evaluation)}
_MODULES = {group_party_org.SCHEME: group_party_org, **_WITH_ITEMS}
MIN_UNITS_WITH_COMPLICATIONS = {
    scheme: _MODULES[scheme].MIN_UNITS_WITH_COMPLICATIONS for scheme in SCHEME_IDS
}


def generate_season(
    scheme: str,
    units: int,
    seed: int,
    complications: bool = False,
    items: int | None = None,
    sheets: bool = True,
    year: int = YEAR,
    run_by: str | None = None,
) -> dict:
    """A season dict that imports cleanly and runs through `publish_results`
    (with complications: through appeals and `close_cycle`).

    `items` sets the number of start-of-year items (leadership-team and
    performance-evaluation; group-party-org has none). `sheets` chooses `submit_sheet`
    (one per unit and method or body) over one `submit_score` per score. `year` dates it
    (its id is `<year>-<scheme>`), `run_by` names the organisation that runs it (SPEC §9).
    """
    if scheme not in SCHEME_IDS:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {', '.join(SCHEME_IDS)}")
    module = _MODULES[scheme]
    minimum = module.MIN_UNITS_WITH_COMPLICATIONS if complications else module.MIN_UNITS
    if units < minimum:
        raise ValueError(f"{scheme} needs at least {minimum} units here, got {units}")
    if scheme == group_party_org.SCHEME:
        if items:
            raise ValueError("group-party-org has no items")
        return group_party_org.generate(random.Random(seed), units, complications, year, run_by)
    n_items = _WITH_ITEMS[scheme].DEFAULT_ITEMS if items is None else items
    if n_items < 1:
        raise ValueError(f"{scheme} needs at least one item")
    return _WITH_ITEMS[scheme].generate(
        random.Random(seed), units, complications, n_items, sheets, year, run_by
    )


_DECIMAL_MARK = "\ue000"
_MARKED_DECIMAL = re.compile(f'"{_DECIMAL_MARK}(-?[0-9]+(?:\\.[0-9]+)?)"')


def season_json(season: dict) -> str:
    """The season as JSON text; decimals are plain numbers (87.5, not "87.5")."""

    def mark(value: object) -> str:
        if isinstance(value, Decimal):
            return f"{_DECIMAL_MARK}{value:f}"
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    text = json.dumps(season, ensure_ascii=False, indent=1, default=mark)
    return _MARKED_DECIMAL.sub(r"\1", text) + "\n"
