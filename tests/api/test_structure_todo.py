"""GET /cycles/{id}/structure and /todo (SPEC §6.1): who sees the actors, and each
signed-in actor's own to-do list."""

from __future__ import annotations

import pytest

from assess.demo import generate_season
from assess.domain.schemes import LEADERSHIP_TEAM
from tests.api.conftest import ADMIN, Api


@pytest.fixture
def scoring(api: Api) -> str:
    """leadership-team, 16 units, part-way through scoring."""
    season = generate_season(LEADERSHIP_TEAM, 16, seed=3, complications=True)
    verbs = [action["do"] for action in season["actions"]]
    season["actions"] = season["actions"][: verbs.index("open_assessment") + 30]
    return api.load(season)


def test_a_unit_reads_the_structure_without_the_actors(api: Api, scoring: str) -> None:
    reply = api.as_("u-M0005").get(f"/cycles/{scoring}/structure")
    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert document["actors"] is None and document["run_by"] is None
    assert [unit["unit"] for unit in document["units"]] == sorted(
        unit["unit"] for unit in document["units"]
    )
    assert {item["weight"] for item in document["items"]} == {None}
    for reader in ("aud", "od", ADMIN):
        actors = api.as_(reader).get(f"/cycles/{scoring}/structure").json()["actors"]
        assert [actor["actor"] for actor in actors] == sorted(actor["actor"] for actor in actors)
        assert {"actor", "role", "unit", "body", "retired"} == set(actors[0])


def test_each_actor_gets_its_own_todo(api: Api, scoring: str) -> None:
    unit = api.as_("u-M0005").get(f"/cycles/{scoring}/todo").json()
    assert unit["actor"] == "u-M0005" and unit["stage"] == "assessment"
    assert unit["missing"] == [{"unit": "M0005", "component": "democratic_self"}]
    rater = api.as_("r0").get(f"/cycles/{scoring}/todo").json()["missing"]
    assert rater and all(set(entry) == {"unit", "component"} for entry in rater)
    assessor = api.as_("as-org_dept").get(f"/cycles/{scoring}/todo").json()["missing"]
    assert any(set(entry) == {"unit", "item"} for entry in assessor)
    assert api.as_("od").get(f"/cycles/{scoring}/todo").json()["missing"] == []


def test_todo_needs_an_actor_in_the_cycle(api: Api, scoring: str) -> None:
    reply = api.as_(ADMIN).get(f"/cycles/{scoring}/todo")
    assert reply.status_code == 403 and reply.json()["error"] == "permission_denied"
    assert api.as_(ADMIN).get("/cycles/no-such-cycle/structure").status_code == 404
