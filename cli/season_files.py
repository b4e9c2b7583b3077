"""Writing a season to a file: JSON (`.json`) or YAML (`.yaml`, `.yml`), decimals as plain
numbers (87.5, not "87.5")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from assess.demo import season_json


def dump_season(season: dict, path: str | Path) -> None:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = season_json(season)
    elif suffix in (".yaml", ".yml"):
        text = season_yaml(season)
    else:
        raise ValueError(f"cannot tell the format of {path.name}: use .json, .yaml or .yml")
    path.write_text(text, encoding="utf-8")


def season_yaml(season: dict) -> str:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    def represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
        if value == value.to_integral_value():
            return dumper.represent_int(int(value))
        return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:f}")

    Dumper.add_representer(Decimal, represent_decimal)
    return yaml.dump(season, Dumper=Dumper, allow_unicode=True, sort_keys=False)
