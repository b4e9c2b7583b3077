"""Each refusal maps to one status and a stable body; nothing half-stored, no traces."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from assess.cli.main import cli
from tests.api.conftest import Api
from tests.conftest import store_agnostic
from tests.seasons import CLOSE, group_season, with_actions

SCORES = {"P1": ("90", "80", "85"), "P2": ("70", "75", "88")}


@pytest.fixture
def scoring(api: Api) -> str:
    """Scheme A in assessment, every unit scored."""
    return api.run(group_season(SCORES))


def _refusal(reply, status: int, code: str) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert body["error"] == code and set(body) == {"error", "message", "action_index", "request_id"}
    return body


def _score(unit: str, value: object, component: str = "year_end") -> dict:
    return {"do": "submit_score", "unit": unit, "component": component, "value": value}


def test_domain_codes_map_to_statuses(api: Api, scoring: str) -> None:
    url = f"/cycles/{scoring}/actions"
    od, lg, assessor = api.as_("od"), api.as_("lg"), api.as_("as")
    _refusal(assessor.post(url, json={"do": "close_scoring"}), 403, "permission_denied")
    _refusal(od.post(url, json={"do": "publish_results"}), 409, "wrong_stage")
    _refusal(assessor.post(url, json=_score("P9", 80)), 422, "unknown_unit")
    _refusal(assessor.post(url, json=_score("P1", 101)), 422, "invalid_value")
    _refusal(assessor.post(url, json=_score("P1", "80")), 422, "invalid_value")
    veto = {"do": "apply_veto", "unit": "P1", "basis": "other", "reason": "r"}
    assert lg.post(url, json=veto).status_code == 200
    _refusal(lg.post(url, json=veto), 409, "duplicate")
    revoke = {"do": "revoke_veto", "unit": "P2", "reason": "r"}
    _refusal(lg.post(url, json=revoke), 409, "conflict")
    _refusal(od.get("/cycles/nope"), 404, "not_found")
    _refusal(od.get(f"/cycles/{scoring}/results"), 404, "not_found")
    _refusal(od.get(f"/cycles/{scoring}/appeals/A9"), 404, "not_found")


def test_incomplete_is_422(api: Api) -> None:
    season = group_season(SCORES)
    season["actions"] = [a for a in season["actions"] if a.get("component") != "year_end"]
    cycle = api.run(season)
    body = _refusal(api.act(cycle, CLOSE), 422, "incomplete")
    assert "P1" in body["message"] and "year_end" in body["message"]


def test_a_refused_batch_stores_nothing_and_names_the_action(api: Api, scoring: str) -> None:
    before = api.as_("od").get(f"/cycles/{scoring}").json()["events"]
    batch = {"actions": [_score("P1", 80), _score("P2", 81), _score("P3", 82), _score("P1", 83)]}
    body = _refusal(
        api.as_("as").post(f"/cycles/{scoring}/actions", json=batch), 422, "unknown_unit"
    )
    assert body["action_index"] == 2 and body["message"].startswith("action #2 (submit_score)")
    assert api.as_("od").get(f"/cycles/{scoring}").json()["events"] == before
    batch["actions"].pop(2)
    done = api.as_("as").post(f"/cycles/{scoring}/actions", json=batch)
    assert done.status_code == 200 and done.json()["events"] == 3
    assert done.json()["position"] == before + 3


@store_agnostic  # refused while the request is read, before any store
@pytest.mark.parametrize(
    "body,field",
    [
        ({"unit": "P1"}, "body.do"),
        ({"do": "no_such_verb"}, "body.do"),
        ({"do": "submit_score", "at": 5}, "body.at"),
        ({"actions": []}, "body.actions"),
        ({"actions": [{"do": "submit_score"}, {"unit": "P1"}]}, "body.actions.1.do"),
        ([1, 2], "body"),
    ],
)
def test_a_malformed_body_is_422_naming_the_field(
    api: Api, scoring: str, body: object, field: str
) -> None:
    reply = api.as_("as").post(f"/cycles/{scoring}/actions", json=body)
    assert field in _refusal(reply, 422, "invalid_value")["message"]


@store_agnostic
def test_broken_json_and_bad_queries_are_422(api: Api, scoring: str) -> None:
    headers = {**api.as_("as").headers, "Content-Type": "application/json"}
    broken = api.client.post(f"/cycles/{scoring}/actions", content=b"{", headers=headers)
    _refusal(broken, 422, "invalid_value")
    for query in ({"version": 0}, {"limit": 0}, {"limit": 5000}, {"format": "xml"}):
        reply = api.as_("od").get(f"/cycles/{scoring}/results", params=query)
        _refusal(reply, 422, "invalid_value")


@store_agnostic
def test_an_unexpected_error_is_500_without_a_trace(api: Api, scoring: str) -> None:
    def explode(*args, **kwargs):
        raise RuntimeError("secret detail /etc/passwd")

    api.services.app.audit = explode  # type: ignore[method-assign]
    client = TestClient(api.client.app, raise_server_exceptions=False)
    reply = client.get(f"/cycles/{scoring}/audit", headers=api.as_("od").headers)
    body = _refusal(reply, 500, "internal")
    assert "secret" not in reply.text and "Traceback" not in reply.text
    assert body["action_index"] is None


def test_correcting_after_close_and_unknown_version(api: Api) -> None:
    cycle = api.run(with_actions(group_season(SCORES), CLOSE))
    _refusal(api.as_("od").get(f"/cycles/{cycle}/results", params={"version": 2}), 404, "not_found")
    fix = {**_score("P1", 86), "do": "correct_score", "reason": "typo"}
    reply = api.as_("od").post(f"/cycles/{cycle}/actions", json=fix)
    assert reply.status_code == 200 and reply.json()["version"] == 2
    first = api.as_("od").get(f"/cycles/{cycle}/results", params={"version": 1}).json()
    latest = api.as_("od").get(f"/cycles/{cycle}/results").json()
    assert first["version"] == 1 and latest["version"] == 2 and first["digest"] != latest["digest"]


@store_agnostic
def test_an_unknown_verb_is_named_with_the_closest_one(api: Api, scoring: str) -> None:
    url = f"/cycles/{scoring}/actions"
    single = _refusal(
        api.as_("as").post(url, json=_score("P1", 80) | {"do": "submit_scor"}), 422, "invalid_value"
    )
    assert single["message"] == "body.do: unknown verb 'submit_scor'; did you mean 'submit_score'?"
    batch = {"actions": [_score("P1", 80), {"do": "zzz"}]}
    refused = _refusal(api.as_("as").post(url, json=batch), 422, "invalid_value")
    assert refused["action_index"] == 1
    assert refused["message"].startswith("body.actions.1.do: unknown verb 'zzz'; the verbs are")
    assert "/openapi.json" in refused["message"]


def test_a_season_file_with_an_unknown_verb_says_the_same(tmp_path: Path) -> None:
    season = group_season(SCORES)
    season["actions"][1] = {**season["actions"][1], "do": "submit_scor"}
    path = tmp_path / "season.json"
    path.write_text(json.dumps(season, default=str), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'assess.db'}"
    result = CliRunner().invoke(cli, ["--db", db, "import", str(path)], prog_name="assess")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("error: action #1 (submit_scor)") and "\n" not in line
    assert line.endswith("unknown verb 'submit_scor'; did you mean 'submit_score'?")
