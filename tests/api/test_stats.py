"""GET /cycles/{id}/stats (SPEC §10): for the roles that read everything only."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.seasons import CLOSE, performance_season, with_actions


def test_stats_for_readers_of_everything_only(api: Api) -> None:
    season = performance_season(
        {
            "P1": {"G1": (100, 70, 70), "G2": (100, 70, 70)},
            "P2": {"G1": (85, 85, 85), "G2": (85, 85, 85)},
        }
    )
    cycle = api.load(with_actions(season, CLOSE))
    reply = api.as_("aud").get(f"/cycles/{cycle}/stats", params={"version": 1})
    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert document["self_gaps"] == [
        {"unit": "P1", "self": "100.00", "others": "70.00", "gap": "30.00"}
    ]
    assert "quota" not in document["categories"][0]
    assert document["categories"][0]["final"]["median"] == "86.50"  # (85 + 88) / 2
    denied = api.as_("u-P1").get(f"/cycles/{cycle}/stats")
    assert (denied.status_code, denied.json()["error"]) == (403, "permission_denied")
    missing = api.as_("aud").get(f"/cycles/{cycle}/stats", params={"version": 5})
    assert missing.status_code == 404, missing.text
