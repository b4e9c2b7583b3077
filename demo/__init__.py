"""Realistic, valid demo seasons (`assess-season/1`, SPEC §5) for the three schemes:
tooling for the demo, the examples and the benchmarks, built on the domain alone.

`generate_season` plans every unit's inputs first and then writes the actions stage by
stage, so each action is legal where it stands (SPEC §3). With `complications=True` it
also arranges the cases that matter: ties, grade and tier boundaries, caps, additional
points, innovation bonuses over the cap, vetoes (one incomplete, one revoked),
corrections, adjustments and appeals (one upheld, one dismissed on the window's last
day). Numbers are `int` or `Decimal` with at most 2 decimals; the same seed gives the
same season. One module per scheme, and `organisation.py` for the two-level demo of the
organisation tree (SPEC §9); `load_demo_seasons` puts the demo into a store.
"""

from assess.demo.loading import (
    DEMO_UNITS,
    DemoSeasons,
    demo_cycle,
    demo_cycles,
    load_demo_seasons,
)
from assess.demo.organisation import organisation_cycles
from assess.demo.seasons import MIN_UNITS_WITH_COMPLICATIONS, generate_season, season_json
from assess.demo.writer import YEAR

__all__ = [
    "DEMO_UNITS",
    "MIN_UNITS_WITH_COMPLICATIONS",
    "YEAR",
    "DemoSeasons",
    "demo_cycle",
    "demo_cycles",
    "generate_season",
    "load_demo_seasons",
    "organisation_cycles",
    "season_json",
]
