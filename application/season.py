"""Reading season files and action batches (SPEC §5): JSON or YAML, figures as Decimal."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

SEASON_FORMAT = "assess-season/1"


class SeasonError(Exception):
    """A file that cannot be read as a season or a batch; nothing is stored."""


class _DecimalLoader(yaml.SafeLoader):
    """YAML with every float read as the exact Decimal it was written as."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = loader.construct_scalar(node)
    return Decimal(str(text).replace("_", ""))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)


def parse_text(text: str, name: str) -> Any:
    """The document in `text`: JSON if `name` ends in .json, YAML otherwise."""
    if name.lower().endswith(".json"):
        try:
            return json.loads(text, parse_float=Decimal)
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
