"""Reading season files and action batches (SPEC §5): JSON or YAML, figures as Decimal."""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

SEASON_FORMAT = "assess-season/1"


class SeasonError(Exception):
    """A file that cannot be read as a season or a batch; nothing is stored."""


def exact_int(text: str) -> int | Decimal:
    """A JSON or YAML integer; one too long for Python's int conversion limit stays a
    Decimal, which the figure's range then refuses."""
    try:
        return int(text)
    except ValueError:
        return Decimal(text)


def loads_exact(text: str | bytes) -> Any:
    """JSON with every number read exactly (SPEC §2.0): decimals as Decimal, never float.
    `NaN` and `Infinity` become Decimal too, so the field that holds one refuses it."""
    return json.loads(
        text,
        parse_float=Decimal,
        parse_int=exact_int,
        parse_constant=Decimal,
        object_pairs_hook=_shared_texts,
    )


SHARED_TEXT = 64  # ids, verbs, labels: a season repeats them in every action


def _shared_texts(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose short texts are shared with every equal text (`sys.intern`): a
    600,000-action season names the same verbs, actors, units and items over and over,
    and each would otherwise be a string of its own (≈ 190 MB of such a season)."""
    return {
        key: sys.intern(value) if type(value) is str and len(value) <= SHARED_TEXT else value
        for key, value in pairs
    }


class _DecimalLoader(yaml.SafeLoader):
    """YAML with every number read as the exact value it was written as."""


YAML_SPECIALS = {".nan": "NaN", ".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity"}


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return _exact_float(text)
    except InvalidOperation as exc:  # `._` matches YAML's float pattern, yet is no number
        raise yaml.constructor.ConstructorError(
            None, None, f"{text!r} is not a number", node.start_mark
        ) from exc


def _exact_float(text: str) -> Decimal:
    special = YAML_SPECIALS.get(text.lower())
    if special is not None:
        return Decimal(special)
    if ":" not in text:
        return Decimal(text)
    # YAML 1.1 base 60 (`1:30.5` is 90.5), summed exactly.
    sign = -1 if text.startswith("-") else 1
    value = Decimal(0)
    for part in text.lstrip("+-").split(":"):
        value = value * 60 + Decimal(part)
    return sign * value


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    if text.lstrip("+-").isdigit() and not text.lstrip("+-").startswith("0"):
        return exact_int(text)
    return int(loader.construct_yaml_int(node))  # 0x1f, 0o17, 0b101, 1:30, 0


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def parse_text(text: str, name: str) -> Any:
    """The document in `text`: JSON if `name` ends in .json, YAML otherwise."""
    if name.lower().endswith(".json"):
        try:
            return loads_exact(text)
        except json.JSONDecodeError as exc:
            raise SeasonError(
                f"{name}: line {exc.lineno} column {exc.colno}: invalid JSON: {exc.msg}"
            ) from exc
    try:
        return yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SeasonError(f"{name}: {where}invalid YAML: {problem}") from exc


def read_document(path: str | Path) -> Any:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise SeasonError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise SeasonError(f"{path}: not UTF-8 text") from exc
    return parse_text(text, path.name)


def check_season(document: Any, name: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise SeasonError(f"{name}: a season must be an object")
    if document.get("format") != SEASON_FORMAT:
        raise SeasonError(
            f"{name}: format must be {SEASON_FORMAT!r}, got {document.get('format')!r}"
        )
    if not isinstance(document.get("actions", []), list):
        raise SeasonError(f"{name}: actions must be a list")
    return document


def check_batch(document: Any, name: str) -> list[Any]:
    """A batch is a list of actions, or an object with an `actions` list."""
    if isinstance(document, dict) and isinstance(document.get("actions"), list):
        return document["actions"]
    if not isinstance(document, list):
        raise SeasonError(f"{name}: a batch must be a list of actions")
    return document


def read_season(path: str | Path) -> dict[str, Any]:
    return check_season(read_document(path), str(path))


def read_batch(path: str | Path) -> list[Any]:
    return check_batch(read_document(path), str(path))
