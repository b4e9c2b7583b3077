"""The demo: one season per scheme (if absent) and accounts to try the API with."""

from __future__ import annotations

import contextlib

from assess.application.demo_season import generate_season
from assess.application.service import AssessApp
from assess.domain.errors import DomainError
from assess.domain.rules import SCHEMES
from assess.infrastructure.accounts import AccountStore

DEMO_UNITS = 16
DEMO_PASSWORD = "demo"
ADMIN = ("admin", "admin")
# account -> the actor it holds in each demo cycle, by scheme (None: same in every scheme)
DEMO_ACCOUNTS: dict[str, dict[str, str]] = {
    "od": dict.fromkeys(SCHEMES, "od"),
    "lg": dict.fromkeys(SCHEMES, "lg"),
    "aud": dict.fromkeys(SCHEMES, "aud"),
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


def demo_cycle(scheme: str) -> str:
    return f"2025-{scheme}"


def load_demo(app: AssessApp, accounts: AccountStore) -> list[tuple[str, str, str]]:
    """Imports the seasons not stored yet and makes the demo accounts (if absent);
    returns (account, password, what it holds) for each account."""
    stored = {entry["cycle"] for entry in app.cycles()}
    for number, scheme in enumerate(SCHEMES, start=1):
        if demo_cycle(scheme) not in stored:
            with contextlib.suppress(DomainError):  # another worker imported it first
                app.import_season(
                    generate_season(scheme, DEMO_UNITS, seed=number, complications=True)
                )
    shown = [(*ADMIN, "admin: every cycle, accounts")]
    _ensure(accounts, *ADMIN, admin=True)
    for name, actors in DEMO_ACCOUNTS.items():
        _ensure(accounts, name, DEMO_PASSWORD)
        for scheme, actor in actors.items():
            accounts.bind(name, demo_cycle(scheme), actor)
        shown.append((name, DEMO_PASSWORD, ", ".join(sorted(set(actors.values())))))
    return shown


def _ensure(accounts: AccountStore, name: str, password: str, admin: bool = False) -> None:
    if accounts.get(name) is None:
        with contextlib.suppress(DomainError):
            accounts.add(name, password, admin=admin)
