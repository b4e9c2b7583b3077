"""The reading rights of SPEC §4 (`assess.application.access`) for an API account."""

from __future__ import annotations

from collections.abc import Mapping

from assess.application.access import Viewer
from assess.application.service import AssessApp
from assess.infrastructure.accounts import Account


def viewer_of(
    app: AssessApp, cycle: str, actors: Mapping[str, Mapping[str, str]], account: Account
) -> Viewer:
    """The account looking at `cycle` (whose actors are `actors`)."""
    return Viewer(
        app, cycle, actors, account=account.name, admin=account.admin, holds=account.actor_in(cycle)
    )
