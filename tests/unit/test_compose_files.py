"""docker-compose.yml starts no demo, has no default password or key and publishes no
database; docker-compose.demo.yml adds the demo and nothing else (issue: safe defaults)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = re.compile(r"^\$\{(\w+):\?[^}]+\}$")  # ${NAME:?message}: compose stops without it


def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))


def test_secrets_and_passwords_have_no_default() -> None:
    services = load("docker-compose.yml")["services"]
    app = services["app"]["environment"]
    database = services["postgres"]["environment"]
    assert REQUIRED.match(app["ASSESS_SECRET"]), app["ASSESS_SECRET"]
    assert REQUIRED.match(database["POSTGRES_PASSWORD"]), database["POSTGRES_PASSWORD"]
    assert "${POSTGRES_PASSWORD:?" in app["ASSESS_DB"]
    assert app.get("ASSESS_ADMIN_PASSWORD") in (None, "${ASSESS_ADMIN_PASSWORD:-}")
    for environment in (app, database):
        for name, value in environment.items():
            if re.search("PASSWORD|SECRET", name):
                assert str(value).startswith("${"), f"{name} has a literal value"
            assert ":-admin" not in str(value) and ":-assess" not in str(value)


def test_no_demo_and_no_published_database() -> None:
    services = load("docker-compose.yml")["services"]
    assert "ASSESS_DEMO" not in services["app"]["environment"]
    assert "ports" not in services["postgres"]
    assert services["app"]["ports"] == ["127.0.0.1:8000:8000"]  # the API, on this host only


def test_the_demo_override_adds_the_demo_only() -> None:
    override = load("docker-compose.demo.yml")
    assert override == {"services": {"app": {"environment": {"ASSESS_DEMO": "true"}}}}


def test_a_views_service_keeps_the_read_views_current() -> None:
    services = load("docker-compose.yml")["services"]
    views = services["views"]
    assert views["command"] == ["assess", "views", "run", "--follow"]
    assert views["environment"]["ASSESS_DB"] == services["app"]["environment"]["ASSESS_DB"]
    assert "ports" not in views
    assert services["app"]["environment"]["ASSESS_VIEWS"] == "false"  # not twice
