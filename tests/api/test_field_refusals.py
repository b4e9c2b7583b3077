"""SPEC §3 and §5 over HTTP: an unknown field, a text beyond its limits or a rule out of
bounds is 422 `invalid_value` naming it, and nothing is stored."""

from __future__ import annotations

import pytest

from tests.api.conftest import ADMIN, Api
from tests.seasons import group_season

SCORES = {"P1": ("90", "80", "85"), "P2": ("70", "75", "88")}
VETO = {"do": "apply_veto", "unit": "P1", "basis": "other", "reason": "理由"}


@pytest.fixture
def scoring(api: Api) -> str:
    return api.run(group_season(SCORES))


def _invalid(reply) -> dict:
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["error"] == "invalid_value" and set(body) == {
        "error",
        "message",
        "action_index",
        "request_id",
    }
    return body


def test_unknown_fields_and_texts_are_refused_naming_the_field(api: Api, scoring: str) -> None:
    url = f"/cycles/{scoring}/actions"
    leading = api.as_("lg")
    before = api.as_("od").get(f"/cycles/{scoring}").json()["events"]
    typo = {key: value for key, value in VETO.items() if key != "reason"} | {"reasn": "理由"}
    body = _invalid(leading.post(url, json=typo))
    assert "apply_veto does not take the field 'reasn'" in body["message"]
    body = _invalid(leading.post(url, json={**VETO, "reasn": None}))  # null is no excuse
    assert "apply_veto does not take the field 'reasn'" in body["message"]
    body = _invalid(leading.post(url, json={"actions": [VETO, {**VETO, "unit": "P2", "x": 1}]}))
    assert body["action_index"] == 1 and body["message"].startswith("action #1 (apply_veto)")
    assert "'x'" in body["message"]
    body = _invalid(leading.post(url, json={**VETO, "reason": "理由\x00"}))
    assert "reason holds the control character" in body["message"]
    assert api.as_("od").get(f"/cycles/{scoring}").json()["events"] == before


def test_a_rule_out_of_bounds_refuses_the_cycle(api: Api) -> None:
    season = group_season(SCORES)
    header = {key: season[key] for key in ("format", "cycle", "actors", "units")}
    header["rules"] = {"daily_weight": "NaN"}
    body = _invalid(api.as_(ADMIN).post("/cycles", json=header))
    assert "rules.daily_weight must be a finite number" in body["message"]
    header["rules"] = {"daily_weight": "0.5"}
    body = _invalid(api.as_(ADMIN).post("/cycles", json=header))
    assert "rules.daily_weight + rules.year_end_weight must sum to 1, got 1.20" in body["message"]
    assert api.as_(ADMIN).get(f"/cycles/{season['cycle']['id']}").status_code == 404
