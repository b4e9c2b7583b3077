"""The demo: one season per scheme and the two-level demo (if absent), and accounts to
try the API with.

The demo accounts have well-known passwords (admin/admin, the others `demo`), exempt
from the password rules (SPEC §4.1): never load the demo into a deployment."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from assess.application.service import AssessApp
from assess.demo import DemoSeasons, demo_cycle, load_demo_seasons
from assess.demo.organisation import (
    BRANCHES,
    STILL_SCORING,
    YEARS,
    city_cycle,
    organisation_cycles,
    town_cycle,
)
from assess.demo.writer import unit_actor
from assess.domain.errors import DomainError
from assess.domain.schemes import SCHEME_IDS
from assess.infrastructure.accounts import AccountStore

DEMO_PASSWORD = "demo"
ADMIN = ("admin", "admin")
# account -> the actor it holds in each demo cycle, by scheme
DEMO_ACCOUNTS: dict[str, dict[str, str]] = {
    "od": dict.fromkeys(SCHEME_IDS, "od"),
    "lg": dict.fromkeys(SCHEME_IDS, "lg"),
    "aud": dict.fromkeys(SCHEME_IDS, "aud"),
    "assessor": {
        "group-party-org": "as0",
        "leadership-team": "as-org_dept",
        "performance-evaluation": "as0",
    },
    "rater": {"leadership-team": "r0", "performance-evaluation": "soc"},
    "unit": {
        "group-party-org": "u-P0000",
        "leadership-team": "u-T0000",
        "performance-evaluation": "u-O0000",
    },
}


# The two-level demo (SPEC §9): `town` is 城关镇 (T01), a unit of the city's cycle that
# runs its own as org_dept; the office accounts hold their actor in the other cycles.
OWN_CYCLES = [town_cycle(year, "T01") for year in YEARS]
ORGANISATION_ACCOUNTS: dict[str, dict[str, str]] = {
    **{
        name: {cycle: name for cycle in organisation_cycles() if cycle not in OWN_CYCLES}
        for name in ("od", "lg", "aud")
    },
    "town": {
        **{city_cycle(year): unit_actor("T01") for year in YEARS},
        **dict.fromkeys(OWN_CYCLES, "od"),
    },
}
# The cycle still being scored (新安镇, 2025): every role can act in it, so that a
# newcomer enters the missing sheets and walks it to publication in the console.
# `unit` acts for the town's first branch (2025-T02: T02-01, 新安村党支部).
SCORING_CYCLES = {town_cycle(year, town): town for year, town in sorted(STILL_SCORING)}
ORGANISATION_ACCOUNTS.update(
    {
        "assessor": dict.fromkeys(SCORING_CYCLES, "as0"),
        "rater": dict.fromkeys(SCORING_CYCLES, "soc"),
        "unit": {cycle: unit_actor(min(BRANCHES[town])) for cycle, town in SCORING_CYCLES.items()},
    }
)


@dataclass(frozen=True)
class Demo:
    seasons: DemoSeasons
    accounts: list[tuple[str, str, str]]  # (account, password, what it holds)


# The account recorded in the events of demo seasons the server loads itself.
SERVER_ACCOUNT = "server:demo"
DEMO_REASON = "demo account"


def load_demo(app: AssessApp, accounts: AccountStore, account: str | None = None) -> Demo:
    """Imports the seasons not stored yet (their events recording `account`, else
    SERVER_ACCOUNT) and makes the demo accounts (if absent)."""
    by = account or SERVER_ACCOUNT
    seasons = load_demo_seasons(app, account=by)
    return Demo(seasons, _demo_accounts(accounts, by))


def _demo_accounts(accounts: AccountStore, by: str) -> list[tuple[str, str, str]]:
    shown = [(*ADMIN, "admin: every cycle, accounts")]
    _ensure(accounts, *ADMIN, by, admin=True)
    held = {
        name: {demo_cycle(scheme): actor for scheme, actor in actors.items()}
        for name, actors in DEMO_ACCOUNTS.items()
    }
    for name, actors in ORGANISATION_ACCOUNTS.items():
        held[name] = {**held.get(name, {}), **actors}
    for name, cycles in held.items():
        _ensure(accounts, name, DEMO_PASSWORD, by)
        for cycle, actor in cycles.items():
            accounts.bind(name, cycle, actor, by=by, reason=DEMO_REASON)
        shown.append((name, DEMO_PASSWORD, ", ".join(sorted(set(cycles.values())))))
    return shown


def _ensure(accounts: AccountStore, name: str, password: str, by: str, admin: bool = False) -> None:
    """The demo account, made if absent. Its well-known password breaks the password
    rules on purpose: `exempt`, and its event's reason says so (the only caller)."""
    if accounts.get(name) is None:
        with contextlib.suppress(DomainError):
            accounts.add(name, password, admin=admin, by=by, reason=DEMO_REASON, exempt=True)
