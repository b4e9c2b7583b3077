"""OpenAPI documents every verb of the domain's registry (domain/verbs.py): its fields,
what the domain requires, and an example; the request models check no more than `do`,
`by` and `at`, so the domain keeps deciding every refusal as for a season file."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter

from assess.api.app import create_app
from assess.api.models import ActionBatchIn, ActionsIn
from assess.domain.fields import declared_fields
from assess.domain.verbs import VERBS

SPEC = create_app("sqlite:///:memory:").openapi()
SCHEMAS = SPEC["components"]["schemas"]
BODY = TypeAdapter(ActionsIn)


def _references(node: Any) -> set[str]:
    """Every component schema reachable from `node`."""
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.split("/")[-1] not in found:
                name = ref.split("/")[-1]
                found.add(name)
                pending.append(SCHEMAS[name])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _verb_schemas() -> dict[str, dict[str, Any]]:
    body = SPEC["paths"]["/cycles/{cycle_id}/actions"]["post"]["requestBody"]
    by_verb = {}
    for name in _references(body):
        do = SCHEMAS[name].get("properties", {}).get("do", {})
        if "const" in do:
            by_verb[do["const"]] = SCHEMAS[name]
    return by_verb


def test_the_actions_endpoint_documents_every_verb() -> None:
    assert set(_verb_schemas()) == set(VERBS)


@pytest.mark.parametrize("verb", list(VERBS))
def test_each_verb_shows_its_fields_what_is_required_and_an_example(verb: str) -> None:
    schema = _verb_schemas()[verb]
    declared = declared_fields(VERBS[verb])
    properties = schema["properties"]
    assert set(declared) | {"do"} == set(properties)
    for name, field in declared.items():
        if name not in ("by", "at"):  # the API says what they mean over HTTP
            assert properties[name]["description"] == field.doc.text
        assert properties[name].get("type") or properties[name].get("anyOf"), name
    required = [name for name, field in declared.items() if field.required]
    assert schema["required"] == ["do", *required]
    (example,) = schema["examples"]
    assert example["do"] == verb and set(required) <= set(example)
    assert type(BODY.validate_python(example)).__name__ == schema["title"]


def test_bounds_and_choices_come_from_the_declaration() -> None:
    value = _verb_schemas()["submit_score"]["properties"]["value"]["anyOf"]
    number = next(option for option in value if option["type"] == "number")
    assert (number["minimum"], number["maximum"]) == (0, 100)
    assert {"type": "string", "enum": ["优", "良", "中", "差"]} in value
    component = _verb_schemas()["submit_score"]["properties"]["component"]
    assert component["enum"] == ["research_h1", "research_h2", "year_end"]


def test_the_models_pass_figures_and_fields_through_for_the_domain_to_read() -> None:
    """A figure keeps the value it was given, and an ill-typed or unknown field is left to
    the domain, which refuses it in SPEC §3's order (permission, stage, then fields)."""
    action = {"do": "submit_score", "unit": 5, "value": Decimal("87.50"), "colour": "red"}
    parsed = BODY.validate_python(action)
    assert parsed.as_action("as") == {**action, "by": "as"}
    batch = BODY.validate_python({"actions": [action, {"do": "close_scoring"}]})
    assert isinstance(batch, ActionBatchIn) and len(batch.actions) == 2
