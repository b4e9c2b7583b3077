"""Hostile input over HTTP (SPEC §5): a NUL, an unpaired surrogate, a control character, a
text over its limit, a number beyond every bound or a deep nesting is 422 `invalid_value`
naming the field, on both stores, and nothing is stored; never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import ADMIN, Api
from tests.conftest import store_agnostic
from tests.seasons import CLOSE, group_season, with_actions

SCORES = {"P1": ("90", "80", "85"), "P2": ("70", "75", "88")}
CLAIM = {"do": "claim_commendation", "claim": "CL-1", "level": "provincial", "title": "表彰"}
CLAIM = {**CLAIM, "evidence": "省委组织部通报"}
CORRECTION = {"do": "correct_score", "unit": "P1", "component": "year_end", "value": "@"}
CORRECTION = {**CORRECTION, "reason": "r"}
DEEP: Any = 0
for _ in range(600):
    DEEP = [DEEP]
# (account, action, what the refusal says); each was a 500 or was stored before, or is a
# limit of SPEC §5.
REFUSED = [
    ("u-P1", {**CLAIM, "unit": "\ud800"}, "unit holds an unpaired surrogate"),  # was a 500
    ("u-P1", {**CLAIM, "evidence": "a\x00b"}, "evidence holds the control character '\\x00'"),
    ("u-P1", {**CLAIM, "title": "x\udfffy"}, "title holds an unpaired surrogate"),
    ("u-P1", {**CLAIM, "claim": "CL\x01"}, "claim holds the control character '\\x01'"),
    ("u-P1", {**CLAIM, "evidence": "x" * 10_001}, "evidence is longer than 10000 characters"),
    ("u-P1", {**CLAIM, "title": "x" * 201}, "title is longer than 200 characters"),
    ("u-P1", {**CLAIM, "claim": "x" * 65}, "claim is longer than 64 characters"),
    (
        "as",
        {
            "do": "submit_score",
            "unit": "P1",
            "component": "year_end",
            "deductions": [{"area": "conduct", "points": 1, "reason": "\x00"}],
        },
        "deductions.0.reason holds the control character",
    ),
    ("lg", {"do": "apply_veto", "unit": "P1", "basis": "other", "reason": "r", "\ud800": 1}, ""),
]


def _post(api: Api, account: str, url: str, body: Any) -> Any:
    """`body` as JSON text: a surrogate goes as its `\\ud800` escape."""
    return _send(api, account, url, json.dumps(body))


def _send(api: Api, account: str, url: str, text: str) -> Any:
    headers = {**api.as_(account).headers, "Content-Type": "application/json"}
    return api.client.post(url, content=text, headers=headers)


def _refused(reply: Any, says: str = "") -> dict[str, Any]:
    assert reply.status_code == 422, reply.text
    body = reply.json()
    assert body["error"] == "invalid_value" and says in body["message"], body
    return body


@pytest.fixture
def scoring(api: Api) -> str:
    return api.run(group_season(SCORES))


def test_texts_no_field_may_hold_are_refused_before_storage(api: Api, scoring: str) -> None:
    """On PostgreSQL a NUL or a surrogate would fail at insert time; on SQLite it would be
    stored: both are refused before, naming the field."""
    events = api.as_("od").get(f"/cycles/{scoring}").json()["events"]
    for account, action, says in REFUSED:
        _refused(_post(api, account, f"/cycles/{scoring}/actions", action), says)
        if account == "u-P1":  # in a batch, the refusal names the action too
            batch = {"actions": [{**CLAIM, "claim": "CL-0"}, action]}
            body = _refused(_post(api, account, f"/cycles/{scoring}/actions", batch), says)
            assert body["action_index"] == 1
    assert api.as_("od").get(f"/cycles/{scoring}").json()["events"] == events
    # Line breaks and tabs are free text's own, and stored.
    text = {**CLAIM, "evidence": "第一行\n第二行\t附件"}
    assert _post(api, "u-P1", f"/cycles/{scoring}/actions", text).status_code == 200


def test_a_season_header_with_a_hostile_text_is_refused(api: Api) -> None:
    season = group_season(SCORES)
    header = {key: season[key] for key in ("format", "cycle", "rules", "actors", "units")}
    _refused(_post(api, ADMIN, "/cycles", {**header, "rules": {"\ud800": 1}}), "a key of rules")
    units = [{**season["units"][0], "name": "a\x00"}, *season["units"][1:]]
    _refused(_post(api, ADMIN, "/cycles", {**header, "units": units}), "units.0.name holds")
    for cycle in ({"title": "x" * 201}, {"title": "\ud800"}, {"id": "x" * 65}):
        _refused(_post(api, ADMIN, "/cycles", {**header, "cycle": header["cycle"] | cycle}))
    assert api.as_(ADMIN).get(f"/cycles/{season['cycle']['id']}").status_code == 404


@store_agnostic
def test_numbers_beyond_every_bound_are_refused(api: Api) -> None:
    cycle = api.run(with_actions(group_season(SCORES), CLOSE))
    od = api.as_("od")
    for url in (f"/cycles/{cycle}/results", f"/cycles/{cycle}/audit"):
        for name in ("offset", "limit"):
            _refused(od.get(url, params={name: 10**29}), name)  # offset was a 500
    for name in ("version", "position"):
        _refused(od.get(f"/cycles/{cycle}/results", params={name: 10**29}), name)
    _refused(od.get(f"/cycles/{cycle}/diff", params={"first": 1, "second": 10**400}), "second")
    url = f"/cycles/{cycle}/actions"
    for value in ("1" + "0" * 400, "1e400", "NaN", "-Infinity", json.dumps(DEEP)):
        text = json.dumps(CORRECTION).replace('"@"', value)
        _refused(_send(api, "od", url, text), "value")
    _refused(_send(api, "od", url, json.dumps({"do": "correct_score", "unit": DEEP})))


@store_agnostic
def test_queries_and_paths_holding_control_characters_are_refused(api: Api) -> None:
    cycle = api.run(with_actions(group_season(SCORES), CLOSE))
    od = api.as_("od")
    _refused(od.get(f"/cycles/{cycle}/results", params={"category": "a\x00"}), "category")
    for name in ("unit", "verb", "actor"):
        _refused(od.get(f"/cycles/{cycle}/audit", params={name: "\x00"}), name)
    _refused(od.get(f"/cycles/{cycle}/appeals/A%00"), "appeal_id")
    _refused(od.get(f"/cycles/{cycle}/results", params={"as_of": "2025\x01"}), "as_of")
