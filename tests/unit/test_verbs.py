"""The verbs' fields are declared once (domain/verbs.py) and agree with the policy table,
the aggregate's methods and what the verbs actually read."""

from __future__ import annotations

from typing import Any

import pytest

from assess.application.season import read_season
from assess.domain.actions import Act
from assess.domain.cycle import Cycle
from assess.domain.fields import declared_fields, field_names
from assess.domain.policy import ROLES, VERB_POLICY
from assess.domain.verbs import VERBS, Action
from tests.conftest import EXAMPLES, SCHEMES


def test_the_declarations_and_the_policy_table_name_the_same_verbs() -> None:
    assert list(VERBS) == list(VERB_POLICY)
    for verb, shape in VERBS.items():
        assert shape.do == verb
        assert issubclass(shape, Action)
        assert callable(getattr(Cycle, verb)), verb


def test_every_field_the_policy_reads_is_declared_by_its_verb() -> None:
    for verb, rule in VERB_POLICY.items():
        named = [owner.field for owner in rule.owners]
        named += [limit.field for limit in rule.limits]
        named += [exception.field for exception in rule.stage_exceptions]
        if "unit" in {role for scheme in rule.schemes for role in rule.roles_of(scheme)}:
            named.append("unit")  # a unit actor acts only for its own unit
        assert set(named) <= field_names(VERBS[verb]), verb
        assert set(rule.roles) | {r for roles in rule.roles_in.values() for r in roles} <= set(
            ROLES
        )


def test_every_declared_field_has_a_text_and_an_example() -> None:
    for verb, shape in VERBS.items():
        for name, field in declared_fields(shape).items():
            assert field.doc.text, (verb, name)
            assert field.doc.example is not None, (verb, name)


def test_reading_an_undeclared_field_is_a_programming_error() -> None:
    act = Act({"do": "apply_veto"}, "lg", "leading_group", None, VERBS["apply_veto"])
    assert not act.has("reason")
    with pytest.raises(AssertionError, match="reasn"):
        act.has("reasn")
    with pytest.raises(AssertionError, match="points"):
        act.raw("points")


# Verbs of a scheme that its shared example does not use (test_refusals.py performs them;
# test_actors.py the actor verbs).
ACTOR_VERBS = {"add_actor", "retire_actor"}
NOT_IN_EXAMPLES = {
    "group-party-org": {"add_unit", "record_supervision", "revoke_veto", *ACTOR_VERBS},
    "leadership-team": {"add_unit", "revoke_veto", *ACTOR_VERBS},
    "performance-evaluation": {
        "add_unit",
        "record_supervision",
        "revoke_veto",
        "submit_score",
        *ACTOR_VERBS,
    },
}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_examples_read_only_declared_fields_and_every_required_one(
    scheme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each action of the shared example, performed on the aggregate: every field a verb
    reads is declared (Act asserts it), and every field declared required is read."""
    season = read_season(EXAMPLES / f"{scheme}.season.json")
    reads: dict[str, set[str]] = {}
    has, get = Act.has, Act.get  # every read goes through one of them

    def record(self: Act, name: str) -> None:
        if self.shape is VERBS.get(self.verb):
            reads.setdefault(self.verb, set()).add(name)

    def recording_has(self: Act, name: str) -> bool:
        record(self, name)
        return has(self, name)

    def recording_get(self: Act, name: str, default: Any = None) -> Any:
        record(self, name)
        return get(self, name, default)

    monkeypatch.setattr(Act, "has", recording_has)
    monkeypatch.setattr(Act, "get", recording_get)
    cycle = Cycle.create({key: value for key, value in season.items() if key != "actions"})
    for action in season["actions"]:
        cycle.perform(action)
    assert cycle.stage == "closed"
    performed = {action["do"] for action in season["actions"]}
    of_scheme = {verb for verb, rule in VERB_POLICY.items() if scheme in rule.schemes}
    assert performed == of_scheme - NOT_IN_EXAMPLES[scheme]
    for verb in performed:
        required = {name for name, field in declared_fields(VERBS[verb]).items() if field.required}
        assert required <= reads.get(verb, set()), (verb, required - reads.get(verb, set()))
