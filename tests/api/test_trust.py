"""Issue 4 over HTTP: verify with an expected head, time travel, version diff, and an
appeal preview that stores nothing."""

from __future__ import annotations

from assess.application.season import read_season
from tests.api.conftest import Api
from tests.conftest import EXAMPLES
from tests.seasons import APPROVE, CLOSE, PUBLISH, leadership_season, with_actions

PE = "2025-performance-evaluation"


def test_verify_time_travel_and_diff(api: Api) -> None:
    api.load(read_season(EXAMPLES / "performance-evaluation.season.json"))
    auditor = api.as_("aud")
    report = auditor.get(f"/cycles/{PE}/verify").json()
    assert report["ok"] and report["versions"] == 10
    wrong = auditor.get(f"/cycles/{PE}/verify", params={"expect_head": "0" * 64}).json()
    assert not wrong["ok"] and "expected" in wrong["failure"]

    stood = auditor.get(f"/cycles/{PE}/results", params={"as_of": "2026-03-09"}).json()
    assert stood["version"] == 8
    both = auditor.get(f"/cycles/{PE}/results", params={"version": 2, "position": 40})
    assert both.status_code == 422 and both.json()["error"] == "invalid_value"
    early = auditor.get(f"/cycles/{PE}/results", params={"position": 3})
    assert early.status_code == 404

    diff = auditor.get(f"/cycles/{PE}/diff", params={"first": 1, "second": 3}).json()
    assert diff["from"]["version"] == 1 and diff["to"]["version"] == 3
    changes = {entry["unit"]: entry for entry in diff["changes"]}
    assert changes["O0008"]["changes"]["grade"] == ["average", "good"]
    assert changes["O0002"]["knock_on"] is True
    assert api.as_("u-O0001").get(f"/cycles/{PE}/diff?first=1&second=3").status_code == 403


def test_appeal_preview_moves_another_unit_across_the_boundary(api: Api) -> None:
    towns = {
        "T1": (["好"], "first", "95"),
        "T2": (["好"], "first", "90"),
        "T3": (["好"], "first", "80"),
        "T4": (["好"], "first", "70"),
    }
    season = leadership_season(towns, quotas={"town": {"top": 1, "bottom": 1}})
    appeal = {"do": "file_appeal", "by": "u-T2", "appeal": "ap", "reason": "异议"}
    appeal["at"] = "2026-03-05"  # in the window of PUBLISH (an undated appeal is dated today)
    cycle = api.load(with_actions(season, CLOSE, APPROVE, PUBLISH, appeal))
    before = api.as_("aud").get(f"/cycles/{cycle}/verify").json()

    body = {"corrections": [{"kind": "score", "item": "K1", "value": 100}]}
    reply = api.as_("od").post(f"/cycles/{cycle}/appeals/ap/preview", json=body)
    assert reply.status_code == 200, reply.text
    changes = {entry["unit"]: entry["changes"] for entry in reply.json()["changes"]}
    assert changes["T2"]["grade"] == ["good", "excellent"]
    assert changes["T1"]["grade"] == ["excellent", "good"]
    assert reply.json()["stored"] is False

    after = api.as_("aud").get(f"/cycles/{cycle}/verify").json()
    assert (after["events"], after["head"]) == (before["events"], before["head"])
    foreign = {"corrections": [{"kind": "score", "unit": "T1", "item": "K1", "value": 100}]}
    refused = api.as_("od").post(f"/cycles/{cycle}/appeals/ap/preview", json=foreign)
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_value"
    assert api.as_("u-T2").post(f"/cycles/{cycle}/appeals/ap/preview", json=body).status_code == 403
