"""The demo season generator: deterministic, well-formed, and legal step by step (SPEC §3, §5).

These checks walk the generated actions on their own, without the domain; importing the
seasons into a real cycle is tested where the application is.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import yaml

from assess.cli.season_files import dump_season
from assess.demo import generate_season
from assess.domain.schemes import SCHEME_IDS

GROUP_PARTY_ORG, LEADERSHIP_TEAM, PERFORMANCE_EVALUATION = SCHEME_IDS
IN_PROGRESS_OR_ASSESSMENT = ("in_progress", "assessment")

# SPEC §3: verb -> (roles, stages, schemes). Scores: assessors, except by method in
# performance-evaluation.
VERBS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "define_item": (("org_dept",), ("draft",), (LEADERSHIP_TEAM, PERFORMANCE_EVALUATION)),
    "publish_items": (("org_dept",), ("draft",), SCHEME_IDS),
    "declare_item": (("unit",), ("in_progress",), (PERFORMANCE_EVALUATION,)),
    "record_supervision": (("assessor",), IN_PROGRESS_OR_ASSESSMENT, SCHEME_IDS),
    "declare_innovation": (("unit",), ("in_progress",), (LEADERSHIP_TEAM,)),
    "claim_commendation": (("unit",), IN_PROGRESS_OR_ASSESSMENT, (GROUP_PARTY_ORG,)),
    "confirm_commendation": (("assessor",), IN_PROGRESS_OR_ASSESSMENT, (GROUP_PARTY_ORG,)),
    "record_criticism": (("assessor",), IN_PROGRESS_OR_ASSESSMENT, (GROUP_PARTY_ORG,)),
    "open_assessment": (("org_dept",), ("in_progress",), SCHEME_IDS),
    "submit_score": (("assessor", "unit", "rater"), ("assessment",), SCHEME_IDS),
    "submit_sheet": (
        ("assessor", "unit", "rater"),
        ("assessment",),
        (LEADERSHIP_TEAM, PERFORMANCE_EVALUATION),
    ),
    "submit_ballots": (("rater", "unit"), ("assessment",), (LEADERSHIP_TEAM,)),
    "record_award": (("assessor",), ("assessment",), (LEADERSHIP_TEAM,)),
    "recognize_innovation": (("assessor",), ("assessment",), (LEADERSHIP_TEAM,)),
    "apply_cap": (("assessor", "org_dept"), ("assessment", "review"), (GROUP_PARTY_ORG,)),
    "apply_veto": (("leading_group",), ("in_progress", "assessment", "review"), SCHEME_IDS),
    "revoke_veto": (("leading_group",), ("in_progress", "assessment", "review"), SCHEME_IDS),
    "close_scoring": (("org_dept",), ("assessment",), SCHEME_IDS),
    "correct_score": (("org_dept",), ("review",), SCHEME_IDS),
    "propose_adjustment": (("assessor", "org_dept"), ("review",), (PERFORMANCE_EVALUATION,)),
    "approve_adjustment": (("leading_group",), ("review",), (PERFORMANCE_EVALUATION,)),
    "reject_adjustment": (("leading_group",), ("review",), (PERFORMANCE_EVALUATION,)),
    "approve_results": (("leading_group",), ("review",), SCHEME_IDS),
    "publish_results": (("org_dept",), ("approved",), SCHEME_IDS),
    "file_appeal": (("unit",), ("published",), SCHEME_IDS),
    "resolve_appeal": (("org_dept",), ("published",), SCHEME_IDS),
    "close_cycle": (("org_dept",), ("published",), SCHEME_IDS),
}
NEXT_STAGE = {
    "publish_items": "in_progress",
    "open_assessment": "assessment",
    "close_scoring": "review",
    "approve_results": "approved",
    "publish_results": "published",
    "close_cycle": "closed",
}
METHOD_ROLES = {"self": "unit", "org": "assessor", "social": "rater"}
FIXED_POINTS = {100, 85, 70, 40}
DATED = ("publish_items", "open_assessment", "close_scoring", "approve_results")
DATED += ("publish_results", "file_appeal")

CASES = [(scheme, complications) for scheme in SCHEME_IDS for complications in (False, True)]


def season_for(scheme: str, complications: bool, **options: Any) -> dict:
    return generate_season(scheme, 24, seed=11, complications=complications, **options)


def stages_of(season: dict) -> list[str]:
    """The stage each action is performed in."""
    stage, stages = "draft", []
    for action in season["actions"]:
        stages.append(stage)
        stage = NEXT_STAGE.get(action["do"], stage)
    return stages


def numbers_in(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in numbers_in(item)]
    if isinstance(value, list):
        return [n for item in value for n in numbers_in(item)]
    return [] if isinstance(value, str) or value is None else [value]


# ---- determinism and numbers ---------------------------------------------------------


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_the_same_seed_gives_the_same_season(scheme: str, complications: bool) -> None:
    assert season_for(scheme, complications) == season_for(scheme, complications)


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_different_seeds_give_different_seasons(scheme: str) -> None:
    assert generate_season(scheme, 20, seed=1) != generate_season(scheme, 20, seed=2)


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_numbers_are_ints_or_decimals_with_at_most_two_places(
    scheme: str, complications: bool
) -> None:
    for number in numbers_in(season_for(scheme, complications)):
        assert type(number) in (int, Decimal), repr(number)
        if isinstance(number, Decimal):
            assert number.is_finite() and number.as_tuple().exponent >= -2, number


def test_the_header_is_a_season_of_its_scheme() -> None:
    season = generate_season(LEADERSHIP_TEAM, 30, seed=3)
    assert season["format"] == "assess-season/1"
    assert season["cycle"] == {
        "id": "2025-leadership-team",
        "scheme": LEADERSHIP_TEAM,
        "year": 2025,
        "title": season["cycle"]["title"],
    }
    assert "党建" in season["cycle"]["title"]
    categories = Counter(unit["category"] for unit in season["units"])
    assert categories == {"town": 7, "municipal": 23}
    assert season["rules"]["quotas"] == {
        "town": {"top": 1, "bottom": 1},
        "municipal": {"top": 2, "bottom": 2},
    }
    names = [unit["name"] for unit in season["units"]]
    assert len(set(names)) == len(names)


# ---- references and the workflow -----------------------------------------------------


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_everything_referred_to_exists_before_it_is_used(scheme: str, complications: bool) -> None:
    season = season_for(scheme, complications)
    units = {unit["id"] for unit in season["units"]}
    actors = {actor["id"]: actor for actor in season["actors"]}
    assert {actor["unit"] for actor in actors.values() if actor["role"] == "unit"} == units
    known: dict[str, set[str]] = defaultdict(set)
    new_ids = {
        "define_item": "item",
        "declare_item": "item",
        "claim_commendation": "claim",
        "declare_innovation": "innovation",
        "propose_adjustment": "adjustment",
        "file_appeal": "appeal",
    }
    for action in season["actions"]:
        actor = actors[action["by"]]
        referred = [action.get("unit")] + [c.get("unit") for c in action.get("corrections", [])]
        assert all(unit in units for unit in referred if unit is not None), action
        if actor["role"] == "unit":
            assert action["unit"] == actor["unit"], action
        for field in ("claim", "innovation", "adjustment", "appeal"):
            if field in action and new_ids.get(action["do"]) != field:
                assert action[field] in known[field], action
        items = [action.get("item")] + list(action.get("scores", {}))
        items += [c.get("item") for c in action.get("corrections", [])]
        if action["do"] not in ("define_item", "declare_item"):
            assert all(item in known["item"] for item in items if item is not None), action
        if action["do"] in new_ids:
            field = new_ids[action["do"]]
            assert action[field] not in known[field], action
            known[field].add(action[field])


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_every_verb_is_used_in_its_stage_by_its_role(scheme: str, complications: bool) -> None:
    season = season_for(scheme, complications)
    actors = {actor["id"]: actor for actor in season["actors"]}
    bodies = {a["item"]: a.get("body") for a in season["actions"] if a["do"] == "define_item"}
    for action, stage in zip(season["actions"], stages_of(season), strict=True):
        roles, stages, schemes = VERBS[action["do"]]
        actor = actors[action["by"]]
        assert scheme in schemes, action
        assert actor["role"] in roles, action
        if action["do"] == "define_item" and action["kind"] == "instant":
            stages = ("draft", "in_progress", "assessment")
        if action["do"] == "submit_score" and action.get("component", "").startswith("research_"):
            stages = IN_PROGRESS_OR_ASSESSMENT
        assert stage in stages, (stage, action)
        if action["do"] in ("submit_score", "submit_sheet"):
            expected = (
                METHOD_ROLES[action["method"]] if scheme == PERFORMANCE_EVALUATION else "assessor"
            )
            assert actor["role"] == expected, action
        if scheme == LEADERSHIP_TEAM and action["do"] in ("submit_score", "submit_sheet"):
            items = action.get("scores") or [action["item"]]
            assert {bodies[item] for item in items} == {actor["body"]}, action
        if action["do"] == "submit_ballots":
            by_unit = action["component"] == "democratic_self"
            assert actor["role"] == ("unit" if by_unit else "rater"), action


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_the_season_runs_to_its_end(scheme: str, complications: bool) -> None:
    season = season_for(scheme, complications)
    verbs = [action["do"] for action in season["actions"]]
    assert verbs[-1] == ("close_cycle" if complications else "publish_results")
    assert [v for v in verbs if v in NEXT_STAGE] == list(NEXT_STAGE)[: 6 if complications else 5]


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_dates_run_in_order_and_appeals_fall_within_thirty_days(
    scheme: str, complications: bool
) -> None:
    season = season_for(scheme, complications)
    dated = [(a["do"], date.fromisoformat(a["at"])) for a in season["actions"] if "at" in a]
    assert {verb for verb, _ in dated} >= set(DATED[:5])
    days = [day for _, day in dated]
    assert days == sorted(days)
    published = next(day for verb, day in dated if verb == "publish_results")
    assert published.year == 2026 and days[0].year == 2025
    appeals = [(day - published).days for verb, day in dated if verb == "file_appeal"]
    assert all(0 <= days <= 30 for days in appeals)
    if complications:
        assert 30 in appeals


# ---- completeness at close_scoring (SPEC §3) -----------------------------------------


def missing_at_close(season: dict) -> dict[str, set]:
    """Per non-vetoed unit, the inputs SPEC §3 asks for that are not there when scoring
    closes."""
    scheme = season["cycle"]["scheme"]
    category = {unit["id"]: unit["category"] for unit in season["units"]}
    applies: dict[str, Any] = {}
    have: dict[str, set] = defaultdict(set)
    vetoed: set[str] = set()
    for action in season["actions"]:
        verb, unit = action["do"], action.get("unit")
        if verb == "close_scoring":
            break
        if verb == "define_item":
            to = action["applies_to"]
            applies[action["item"]] = set(to) if isinstance(to, list) else to
        elif verb == "declare_item":
            applies[action["item"]] = {unit}
        elif verb == "apply_veto":
            vetoed.add(unit)
        elif verb == "revoke_veto":
            vetoed.discard(unit)
        elif verb == "submit_score":
            have[unit].add((action.get("component") or action["item"], action.get("method")))
        elif verb == "submit_sheet":
            have[unit] |= {(item, action.get("method")) for item in action["scores"]}
        elif verb == "submit_ballots":
            have[unit].add((action["component"], None))
        elif verb == "record_award":
            have[unit].add(("award", None))

    def needed(unit: str) -> set:
        if scheme == GROUP_PARTY_ORG:
            return {(c, None) for c in ("research_h1", "research_h2", "year_end")}
        mine = [i for i, to in applies.items() if to in ("all", category[unit]) or unit in to]
        if scheme == PERFORMANCE_EVALUATION:
            return {(item, method) for item in mine for method in METHOD_ROLES}
        ballots = ("debrief",) if category[unit] == "town" else ("democratic_self",)
        ballots += () if category[unit] == "town" else ("democratic_staff",)
        return {(key, None) for key in (*mine, "award", *ballots)}

    return {u: needed(u) - have[u] for u in category if u not in vetoed and needed(u) - have[u]}


@pytest.mark.parametrize(("scheme", "complications"), CASES)
@pytest.mark.parametrize("sheets", [True, False])
def test_every_unit_not_vetoed_is_complete_when_scoring_closes(
    scheme: str, complications: bool, sheets: bool
) -> None:
    season = season_for(scheme, complications, sheets=sheets)
    assert missing_at_close(season) == {}


def test_a_vetoed_unit_may_stay_incomplete() -> None:
    season = season_for(GROUP_PARTY_ORG, complications=True)
    before_close = season["actions"][: [a["do"] for a in season["actions"]].index("close_scoring")]
    vetoed = {a["unit"] for a in before_close if a["do"] == "apply_veto"}
    revoked = {a["unit"] for a in season["actions"] if a["do"] == "revoke_veto"}
    year_end = {a["unit"] for a in before_close if a.get("component") == "year_end"}
    assert vetoed - revoked - year_end


# ---- scheme specifics ----------------------------------------------------------------


def input_signatures(season: dict) -> Counter:
    """Each unit's inputs up to close_scoring, without who entered them or for whom."""
    inputs: dict[str, list[str]] = defaultdict(list)
    for action in season["actions"]:
        if action["do"] == "close_scoring":
            break
        if action["do"] in ("submit_score", "submit_sheet", "submit_ballots", "record_award"):
            rest = {k: v for k, v in action.items() if k not in ("by", "unit")}
            inputs[action["unit"]].append(json.dumps(rest, default=str, sort_keys=True))
    return Counter(json.dumps(sorted(entries)) for entries in inputs.values())


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_complications_include_units_with_identical_inputs(scheme: str) -> None:
    assert max(input_signatures(season_for(scheme, complications=True)).values()) >= 2


@pytest.mark.parametrize("sheets", [True, False])
def test_performance_evaluation_scores_are_fixed_points(sheets: bool) -> None:
    season = season_for(PERFORMANCE_EVALUATION, complications=True, sheets=sheets)
    values = []
    for action in season["actions"]:
        values += list(action.get("scores", {}).values())
        if "method" in action and "value" in action:
            values.append(action["value"])
        values += [c["value"] for c in action.get("corrections", [])]
    assert values and set(values) <= FIXED_POINTS


def test_performance_evaluation_has_elective_instant_items_and_adjustments() -> None:
    verbs = Counter(
        a["do"] for a in season_for(PERFORMANCE_EVALUATION, complications=True)["actions"]
    )
    kinds = Counter(
        a["kind"]
        for a in season_for(PERFORMANCE_EVALUATION, complications=True)["actions"]
        if a["do"] == "define_item"
    )
    assert kinds["instant"] >= 1 and verbs["declare_item"] >= 1
    assert verbs["approve_adjustment"] >= 1 and verbs["reject_adjustment"] >= 1


def test_group_party_org_has_caps_additional_points_and_deductions() -> None:
    actions = season_for(GROUP_PARTY_ORG, complications=True)["actions"]
    stages = stages_of({"actions": actions})
    caps = [stage for a, stage in zip(actions, stages, strict=True) if a["do"] == "apply_cap"]
    assert set(caps) == {"assessment", "review"}
    assert all(a["reason"] and a["condition"] for a in actions if a["do"] == "apply_cap")
    claims = {a["claim"] for a in actions if a["do"] == "claim_commendation"}
    confirmed = {a["claim"] for a in actions if a["do"] == "confirm_commendation"}
    assert confirmed and confirmed < claims
    assert any(a["do"] == "record_criticism" for a in actions)
    assert any("deductions" in a for a in actions if a["do"] == "submit_score")


def test_leadership_team_has_one_unit_over_the_innovation_cap() -> None:
    actions = season_for(LEADERSHIP_TEAM, complications=True)["actions"]
    owner = {a["innovation"]: a["unit"] for a in actions if a["do"] == "declare_innovation"}
    recognised = Counter(
        owner[a["innovation"]] for a in actions if a["do"] == "recognize_innovation"
    )
    assert max(recognised.values()) == 4


def test_leadership_team_corrects_a_score_and_a_set_of_ballots_in_review() -> None:
    actions = season_for(LEADERSHIP_TEAM, complications=True)["actions"]
    corrections = [a for a in actions if a["do"] == "correct_score"]
    assert {"item" in a for a in corrections} == {True, False}
    assert all(a["reason"] for a in corrections)
    assert any(a["component"] == "democratic_staff" for a in corrections if "ballots" in a)


@pytest.mark.parametrize("scheme", SCHEME_IDS)
def test_complications_veto_revoke_correct_and_appeal(scheme: str) -> None:
    actions = season_for(scheme, complications=True)["actions"]
    verbs = Counter(a["do"] for a in actions)
    assert verbs["apply_veto"] >= 2 and verbs["revoke_veto"] == 1
    assert all(a["reason"] and a["basis"] for a in actions if a["do"] == "apply_veto")
    outcomes = {a["outcome"] for a in actions if a["do"] == "resolve_appeal"}
    assert outcomes == {"upheld", "dismissed"}
    appellant = {a["appeal"]: a["unit"] for a in actions if a["do"] == "file_appeal"}
    for action in actions:
        for correction in action.get("corrections", []):
            assert correction["unit"] == appellant[action["appeal"]]


# ---- options, errors and the benchmark season ----------------------------------------


@pytest.mark.parametrize("scheme", (LEADERSHIP_TEAM, PERFORMANCE_EVALUATION))
def test_items_sets_the_number_of_start_of_year_items(scheme: str) -> None:
    season = generate_season(scheme, 10, seed=5, items=9)
    defined = [a for a in season["actions"] if a["do"] == "define_item"]
    assert len(defined) == 9


@pytest.mark.parametrize(
    ("scheme", "units", "options"),
    [
        ("no-such-scheme", 10, {}),
        (GROUP_PARTY_ORG, 10, {"complications": True}),
        (GROUP_PARTY_ORG, 10, {"items": 3}),
        (LEADERSHIP_TEAM, 1, {}),
        (PERFORMANCE_EVALUATION, 10, {"items": 0}),
    ],
)
def test_impossible_requests_are_refused(scheme: str, units: int, options: dict) -> None:
    with pytest.raises(ValueError):
        generate_season(scheme, units, seed=1, **options)


def test_the_benchmark_season_has_one_action_per_score() -> None:
    season = generate_season(PERFORMANCE_EVALUATION, 2000, seed=1, items=30, sheets=False)
    verbs = Counter(action["do"] for action in season["actions"])
    assert verbs["submit_score"] == 2000 * 30 * 3
    assert verbs["submit_sheet"] == 0


# ---- writing seasons to disk ---------------------------------------------------------


class DecimalLoader(yaml.SafeLoader):
    pass


DecimalLoader.add_constructor(
    "tag:yaml.org,2002:float", lambda loader, node: Decimal(loader.construct_scalar(node))
)


@pytest.mark.parametrize(("scheme", "complications"), CASES)
def test_json_and_yaml_dumps_load_back_to_the_same_values(
    scheme: str, complications: bool, tmp_path
) -> None:
    season = season_for(scheme, complications)
    dump_season(season, tmp_path / "season.json")
    dump_season(season, tmp_path / "season.yaml")
    text = (tmp_path / "season.json").read_text(encoding="utf-8")
    assert json.loads(text, parse_float=Decimal) == season
    assert yaml.load((tmp_path / "season.yaml").read_text("utf-8"), DecimalLoader) == season
    decimals = {str(n) for n in numbers_in(season) if isinstance(n, Decimal)}
    assert decimals or (
        scheme == PERFORMANCE_EVALUATION and not complications
    )  # performance-evaluation scores are whole points
    assert not any(f'"{d}"' in text for d in decimals)
    assert season["units"][0]["name"] in text


def test_dump_refuses_an_unknown_extension(tmp_path) -> None:
    with pytest.raises(ValueError):
        dump_season(generate_season(GROUP_PARTY_ORG, 3, seed=1), tmp_path / "season.txt")
