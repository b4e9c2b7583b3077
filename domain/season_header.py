"""A season's header (SPEC §5): the cycle, its rules, actors and units, checked whole.

Anything invalid refuses the whole file with `invalid_value`.
"""

from __future__ import annotations

from typing import Any

from assess.domain.errors import DomainError
from assess.domain.policy import ROLES
from assess.domain.rules import checked_rules
from assess.domain.schemes import LEADERSHIP_TEAM, SCHEME_IDS, leadership_team
from assess.domain.texts import ID, NAME, check_characters, checked_text

# A calendar year of four digits at most; 0 stands for "not given".
MIN_YEAR, MAX_YEAR = 0, 9999
HEADER_PARTS = ("cycle", "rules", "actors", "units")


def validate_header(header: dict[str, Any]) -> dict[str, Any]:
    """The header as the cycle records it; anything invalid refuses the whole file."""
    for part in HEADER_PARTS:
        check_characters(header.get(part), part)
    cycle = header.get("cycle")
    if not isinstance(cycle, dict):
        raise DomainError("invalid_value", "the season needs a 'cycle' object")
    cycle_id, scheme = cycle.get("id"), cycle.get("scheme")
    if not isinstance(cycle_id, str) or not cycle_id.strip():
        raise DomainError("invalid_value", "cycle.id must be a non-empty text")
    checked_text(cycle_id, "cycle.id", ID)
    if scheme not in SCHEME_IDS:
        raise DomainError("invalid_value", f"cycle.scheme must be one of {', '.join(SCHEME_IDS)}")
    year = cycle.get("year", 0)
    if isinstance(year, bool) or not isinstance(year, int):
        raise DomainError("invalid_value", f"cycle.year must be a whole number, got {year!r}")
    if not MIN_YEAR <= year <= MAX_YEAR:  # a huge integer is not even shown
        raise DomainError("invalid_value", f"cycle.year must lie in {MIN_YEAR}–{MAX_YEAR}")
    rules = header.get("rules") or {}
    if not isinstance(rules, dict):
        raise DomainError("invalid_value", "rules must be an object")
    checked_rules(scheme, rules)
    units = [_unit(scheme, entry) for entry in _list(header, "units")]
    _unique(units, "unit")
    unit_ids = {unit["id"] for unit in units}
    actors = [_actor(scheme, entry, unit_ids) for entry in _list(header, "actors")]
    _unique(actors, "actor")
    cycle_entry = {
        "id": cycle_id,
        "scheme": scheme,
        "year": year,
        "title": checked_text(str(cycle.get("title", "")), "cycle.title", NAME),
    }
    if cycle.get("run_by") is not None:  # absent otherwise: older headers hash as before
        cycle_entry["run_by"] = organisation_id(cycle["run_by"], "cycle.run_by")
    return {
        "cycle": cycle_entry,
        "rules": rules,
        "actors": actors,
        "units": units,
    }


def unit_category(scheme: str, raw: object) -> str:
    """A unit's category: any text, except that leadership-team knows two."""
    if not isinstance(raw, str):
        raise DomainError("invalid_value", f"category must be text, got {raw!r}")
    if scheme == LEADERSHIP_TEAM:
        return leadership_team.check_category(raw)
    return checked_text(raw, "category", NAME)


def organisation_id(raw: object, name: str) -> str:
    """The id of an organisation (SPEC §9: `run_by`, a unit's `parent`): an id's limits."""
    if not isinstance(raw, str) or not raw:
        raise DomainError("invalid_value", f"{name} must be a non-empty id, got {raw!r}")
    return checked_text(raw, name, ID)


def _list(header: dict[str, Any], key: str) -> list[Any]:
    value = header.get(key, [])
    if not isinstance(value, list):
        raise DomainError("invalid_value", f"{key} must be a list")
    return value


def _unique(entries: list[dict[str, Any]], what: str) -> None:
    seen: set[str] = set()
    for entry in entries:
        if entry["id"] in seen:
            raise DomainError("invalid_value", f"duplicate {what} id {entry['id']!r}")
        seen.add(entry["id"])


def _unit(scheme: str, entry: Any) -> dict[str, str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise DomainError("invalid_value", f"each unit needs an id, got {entry!r}")
    unit_id = checked_text(entry["id"], "unit id", ID)
    name = entry.get("name", unit_id)
    if not isinstance(name, str):
        raise DomainError("invalid_value", f"unit {unit_id} name must be text")
    unit = {
        "id": unit_id,
        "name": checked_text(name, f"unit {unit_id} name", NAME),
        "category": unit_category(scheme, entry.get("category", "")),
    }
    if entry.get("parent") is not None:  # SPEC §9; absent otherwise, as in older headers
        unit["parent"] = unit_parent(unit_id, entry["parent"])
    return unit


def unit_parent(unit_id: str, raw: object) -> str:
    """A unit's superior organisation (SPEC §9): an id, and not the unit itself."""
    parent = organisation_id(raw, f"unit {unit_id} parent")
    if parent == unit_id:
        raise DomainError("invalid_value", f"unit {unit_id} cannot be its own parent")
    return parent


def _actor(scheme: str, entry: Any, unit_ids: set[str]) -> dict[str, str]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
        raise DomainError("invalid_value", f"each actor needs an id, got {entry!r}")
    checked_text(entry["id"], "actor id", ID)
    role = entry.get("role")
    if role not in ROLES:
        raise DomainError("invalid_value", f"actor {entry['id']}: unknown role {role!r}")
    actor = {"id": entry["id"], "role": role}
    if role == "unit":
        if entry.get("unit") not in unit_ids:
            raise DomainError(
                "invalid_value",
                f"actor {entry['id']} is bound to unknown unit {entry.get('unit')!r}",
            )
        actor["unit"] = entry["unit"]
    if role == "assessor" and entry.get("body") is not None:
        body = entry["body"]
        if scheme == LEADERSHIP_TEAM:
            body = leadership_team.check_body(entry["id"], body)
        actor["body"] = checked_text(str(body), f"actor {entry['id']} body", NAME)
    return actor
