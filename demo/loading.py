"""Load the demo, one season per scheme and the two-level demo of the organisation tree,
into a store that lacks it: for `assess demo`, `assess serve --demo` and the API's demo
setting alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from assess.demo.organisation import organisation_cycles, organisation_seasons
from assess.demo.seasons import generate_season
from assess.demo.writer import cycle_id
from assess.domain.errors import DomainError
from assess.domain.schemes import SCHEME_IDS

DEMO_UNITS = 16


class SeasonStore(Protocol):
    """What loading needs of the application: the stored cycles and a way to add one."""

    def cycles(self) -> list[dict[str, Any]]: ...

    def import_season(self, season: dict[str, Any], *, account: str | None = None) -> Any: ...


@dataclass(frozen=True)
class DemoSeasons:
    """The demo cycles, those imported now and those the store already held."""

    imported: list[str]
    present: list[str]

    def summary(self) -> str:
        return (
            f"demo cycles imported: {', '.join(self.imported) or 'none'}; "
            f"already present: {', '.join(self.present) or 'none'}"
        )


def demo_cycle(scheme: str) -> str:
    return cycle_id(scheme)


def demo_cycles() -> list[str]:
    """Every demo cycle, in the order loaded: one per scheme, then the two-level demo."""
    return [demo_cycle(scheme) for scheme in SCHEME_IDS] + organisation_cycles()


def load_demo_seasons(
    app: SeasonStore, units: int = DEMO_UNITS, account: str | None = None
) -> DemoSeasons:
    """Import each scheme's demo season (seed: its place in SCHEME_IDS), then the
    two-level demo of the organisation tree (SPEC §9), each unless stored."""
    stored = {entry["cycle"] for entry in app.cycles()}
    imported: list[str] = []
    present: list[str] = []
    seasons: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        (demo_cycle(scheme), partial(generate_season, scheme, units, number, True))
        for number, scheme in enumerate(SCHEME_IDS, start=1)
    ]
    seasons += [(season["cycle"]["id"], partial(dict, season)) for season in organisation_seasons()]
    for cycle, season_of in seasons:
        if cycle in stored:
            present.append(cycle)
            continue
        try:
            app.import_season(season_of(), account=account)
        except DomainError as error:
            if error.code != "duplicate":
                raise
            present.append(cycle)  # another process imported it first
        else:
            imported.append(cycle)
    return DemoSeasons(imported, present)
