"""The cycle page's counts follow the reading rights (SPEC §4): before publication a unit
or a rater account is not shown cycle-wide counts (vetoes, actors); appeals are counted
among those the account reads."""

from __future__ import annotations

from tests.api.conftest import ADMIN, Api
from tests.conftest import store_agnostic
from tests.seasons import APPROVE, CLOSE, PUBLISH, group_season, with_actions

SCORES = {"P1": ("90", "80", "85"), "P2": ("70", "75", "88"), "P3": ("95", "91", "93")}
VETO = {"do": "apply_veto", "by": "lg", "unit": "P2", "basis": "other", "reason": "问责"}


def _counts(api: Api, account: str, cycle: str) -> dict:
    reply = api.as_(account).get(f"/cycles/{cycle}")
    assert reply.status_code == 200, reply.text
    return reply.json()["counts"]


@store_agnostic
def test_unit_accounts_see_no_cycle_wide_counts_before_publication(api: Api) -> None:
    cycle = api.run(with_actions(group_season(SCORES), VETO, CLOSE))
    for reader in ("od", "lg", "aud", "as", ADMIN):
        counts = _counts(api, reader, cycle)
        assert (counts["vetoes"], counts["actors"]) == (1, 8)
        assert counts["appeals"] == {"pending": 0, "upheld": 0, "dismissed": 0}
    for reader in ("u-P1", "r"):
        counts = _counts(api, reader, cycle)
        assert (counts["units"], counts["vetoes"], counts["actors"]) == (3, None, None)
    assert _counts(api, "u-P1", cycle)["appeals"] == {"pending": 0, "upheld": 0, "dismissed": 0}
    assert _counts(api, "r", cycle)["appeals"] is None  # a rater reads no appeals

    for action in (APPROVE, PUBLISH):
        assert api.act(cycle, action).status_code == 200
    appeal = {"do": "file_appeal", "appeal": "A1", "reason": "复核", "by": "u-P3"}
    assert api.act(cycle, appeal).status_code == 200
    # Published: every row shows its veto; appeals stay each unit's own.
    assert _counts(api, "u-P1", cycle)["vetoes"] == 1
    assert _counts(api, "u-P1", cycle)["appeals"]["pending"] == 0
    assert _counts(api, "u-P3", cycle)["appeals"]["pending"] == 1
    assert _counts(api, "od", cycle)["appeals"]["pending"] == 1
