"""Every verb through HTTP, by the actor the token's account holds: the same results as
the application layer gives, and every role refused where SPEC §3 says."""

from __future__ import annotations

import pytest

from assess.application.service import AssessApp
from assess.demo import generate_season
from assess.domain.policy import ROLES, VERB_POLICY
from tests.api.conftest import Api
from tests.conftest import SCHEMES
from tests.seasons import header


@pytest.mark.parametrize("number,scheme", list(enumerate(SCHEMES, start=1)))
def test_a_demo_season_played_over_http_matches_the_application(
    api: Api, number: int, scheme: str
) -> None:
    season = generate_season(scheme, 16, seed=number, complications=True)
    cycle = api.run(season)

    direct = AssessApp()
    direct.import_season(season)
    expected = direct.results(cycle)
    got = api.as_("aud").get(f"/cycles/{cycle}/results", params={"limit": 1000}).json()
    assert (got["version"], got["digest"]) == (expected["version"], expected["digest"])
    assert got["results"] == expected["results"]
    page = api.as_("od").get(f"/cycles/{cycle}").json()
    assert page["stage"] == "closed"
    assert [v["digest"] for v in page["versions"]] == [
        v["digest"] for v in direct.cycle(cycle).versions
    ]
    assert api.as_("aud").get(f"/cycles/{cycle}/verify").json()["ok"] is True


def test_add_unit_in_draft(api: Api) -> None:
    season = header("group-party-org", [{"id": "P1", "name": "一", "category": "c"}])
    cycle = api.create(season)
    reply = api.act(cycle, {"do": "add_unit", "by": "od", "id": "P2", "name": "二"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["events"] == 1
    assert api.as_("od").get(f"/cycles/{cycle}").json()["counts"]["units"] == 2


def _allowed(scheme: str, verb: str) -> set[str]:
    return set(VERB_POLICY[verb].roles_of(scheme))


ACTOR_OF_ROLE = {
    "org_dept": "od",
    "leading_group": "lg",
    "auditor": "aud",
    "assessor": "as",
    "rater": "r",
    "unit": "u-U1",
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_each_role_is_refused_where_the_table_does_not_name_it(api: Api, scheme: str) -> None:
    category = "town" if scheme == "leadership-team" else "c"
    cycle = api.create(header(scheme, [{"id": "U1", "name": "一", "category": category}]))
    refused = 0
    for verb, rule in VERB_POLICY.items():
        if scheme not in rule.schemes:
            continue
        for role in sorted(set(ROLES) - _allowed(scheme, verb)):
            reply = api.act(cycle, {"do": verb, "by": ACTOR_OF_ROLE[role], "unit": "U1"})
            assert reply.status_code == 403, (verb, role, reply.text)
            assert reply.json()["error"] == "permission_denied"
            assert reply.json()["action_index"] == 0
            refused += 1
    assert refused > 60
    assert api.as_("od").get(f"/cycles/{cycle}").json()["events"] == 1  # nothing stored


def test_a_method_of_scheme_c_belongs_to_one_role(api: Api) -> None:
    season = header("performance-evaluation", [{"id": "U1", "category": "c"}])
    cycle = api.create(season)
    for by, method in (("u-U1", "org"), ("as", "social"), ("r", "self"), ("as", "self")):
        action = {"do": "submit_score", "by": by, "unit": "U1", "item": "G1", "method": method}
        reply = api.act(cycle, {**action, "value": 100})
        assert (reply.status_code, reply.json()["error"]) == (403, "permission_denied")
