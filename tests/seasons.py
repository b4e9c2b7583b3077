"""Small seasons written out in full, for tests that need hand-checkable figures."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

D = Decimal


def header(scheme: str, units: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    actors = [
        {"id": "od", "role": "org_dept"},
        {"id": "lg", "role": "leading_group"},
        {"id": "aud", "role": "auditor"},
        {"id": "as", "role": "assessor"},
        {"id": "r", "role": "rater"},
    ] + [{"id": f"u-{unit['id']}", "role": "unit", "unit": unit["id"]} for unit in units]
    return {
        "format": "assess-season/1",
        "cycle": {"id": f"t-{scheme}", "scheme": scheme, "year": 2025, "title": "测试"},
        "rules": extra.pop("rules", {}),
        "actors": actors + extra.pop("actors", []),
        "units": units,
        "actions": extra.pop("actions", []),
    }


def group_season(scores: dict[str, tuple[str, str, str]]) -> dict[str, Any]:
    """Scheme A, scored up to (not including) close_scoring."""
    units = [{"id": unit, "name": f"{unit}党委", "category": "直属"} for unit in scores]
    actions: list[dict[str, Any]] = [{"do": "publish_items", "by": "od", "at": "2025-03-01"}]
    for unit, (h1, _, _) in scores.items():
        actions.append(_score("as", unit, component="research_h1", value=D(h1)))
    actions.append({"do": "open_assessment", "by": "od"})
    for unit, (_, h2, year_end) in scores.items():
        actions.append(_score("as", unit, component="research_h2", value=D(h2)))
        actions.append(_score("as", unit, component="year_end", value=D(year_end)))
    return header("group-party-org", units, actions=actions)


def performance_season(scores: dict[str, dict[str, tuple[int, int, int]]]) -> dict[str, Any]:
    """Scheme C: items G1 (weight 5) and G2 (weight 3); scores[unit][item] = (self, org, social)."""
    units = [{"id": unit, "name": f"{unit}党支部", "category": "支部"} for unit in scores]
    actions: list[dict[str, Any]] = [
        {
            "do": "define_item",
            "by": "od",
            "item": "G1",
            "title": "规定一",
            "kind": "mandatory",
            "weight": 5,
        },
        {
            "do": "define_item",
            "by": "od",
            "item": "G2",
            "title": "规定二",
            "kind": "mandatory",
            "weight": 3,
        },
        {"do": "publish_items", "by": "od"},
        {"do": "open_assessment", "by": "od"},
    ]
    for unit, items in scores.items():
        for index, (method, by) in enumerate(
            (("self", f"u-{unit}"), ("org", "as"), ("social", "r"))
        ):
            sheet = {item: values[index] for item, values in items.items()}
            actions.append(
                {"do": "submit_sheet", "by": by, "unit": unit, "method": method, "scores": sheet}
            )
    return header("performance-evaluation", units, actions=actions)


def leadership_season(
    towns: dict[str, tuple[list[str], str, str]], quotas: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Scheme B, towns only: towns[unit] = (debrief ballots, award, score of item K1)."""
    units = [{"id": unit, "name": f"{unit}镇", "category": "town"} for unit in towns]
    actions: list[dict[str, Any]] = [
        {
            "do": "define_item",
            "by": "od",
            "item": "K1",
            "title": "重点",
            "kind": "key",
            "body": "org_dept",
            "applies_to": "all",
        },
        {"do": "publish_items", "by": "od"},
        {"do": "open_assessment", "by": "od"},
    ]
    for unit, (ballots, award, value) in towns.items():
        actions += [
            {
                "do": "submit_ballots",
                "by": "r",
                "unit": unit,
                "component": "debrief",
                "ballots": ballots,
            },
            {"do": "record_award", "by": "as", "unit": unit, "award": award},
            _score("as", unit, item="K1", value=D(value)),
        ]
    rules = {"quotas": quotas} if quotas else {}
    return header("leadership-team", units, actions=actions, rules=rules)


def _score(by: str, unit: str, **fields: Any) -> dict[str, Any]:
    return {"do": "submit_score", "by": by, "unit": unit, **fields}


def with_actions(season: dict[str, Any], *actions: dict[str, Any]) -> dict[str, Any]:
    season = copy.deepcopy(season)
    season["actions"].extend(actions)
    return season


CLOSE = {"do": "close_scoring", "by": "od", "at": "2025-12-10"}
APPROVE = {"do": "approve_results", "by": "lg", "at": "2026-02-20"}
PUBLISH = {"do": "publish_results", "by": "od", "at": "2026-03-01"}
