"""The CLI records its account in every event it stores (SPEC §4.1): `--account`, else
ASSESS_ACCOUNT, else `cli:<operating-system user>`; every audit format shows it."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import main as cli_main
from assess.cli.main import cli
from tests.api.conftest import as_json
from tests.seasons import group_season

SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})
CYCLE = SEASON["cycle"]["id"]


def run(db: str, *args: str, account_env: str | None = None) -> str:
    """The command with ASSESS_ACCOUNT set to `account_env` (None: unset)."""
    result = CliRunner().invoke(
        cli,
        ["--db", db, *args],
        env={"ASSESS_ACCOUNT": account_env},
        catch_exceptions=False,
        prog_name="assess",
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout


def files(tmp_path: Path) -> tuple[str, str, str]:
    season = tmp_path / "season.json"
    season.write_text(json.dumps(as_json(SEASON), ensure_ascii=False), encoding="utf-8")
    veto = tmp_path / "veto.json"
    veto.write_text(
        json.dumps(
            [{"do": "apply_veto", "by": "lg", "unit": "P1", "basis": "other", "reason": "r"}]
        ),
        encoding="utf-8",
    )
    close = tmp_path / "close.json"
    close.write_text(json.dumps([{"do": "close_scoring", "by": "od"}]), encoding="utf-8")
    return str(season), str(veto), str(close)


def test_option_then_environment_then_the_os_user(db: str, tmp_path: Path) -> None:
    season, veto, close = files(tmp_path)
    run(db, "--account", "importer", "import", season, account_env="ignored")
    run(db, "act", CYCLE, veto, account_env="li.wei")
    run(db, "act", CYCLE, close)

    records = json.loads(run(db, "audit", CYCLE, "--format", "json"))
    accounts = [record["account"] for record in records]
    assert accounts == ["importer"] * (len(SEASON["actions"]) + 1) + [
        "li.wei",
        f"cli:{getpass.getuser()}",
    ]
    csv_lines = run(db, "audit", CYCLE, "--format", "csv").lstrip("\ufeff").splitlines()
    assert csv_lines[0].startswith("position,event,verb,recorded,actor,role,account,request,at,")
    assert ",lg,leading_group,li.wei," in csv_lines[-2]
    table = run(db, "audit", CYCLE, "--format", "table")
    assert "account" in table and "li.wei" in table and "importer" in table
    assert json.loads(run(db, "verify", CYCLE, "--format", "json"))["ok"]


def test_an_unknown_os_user_is_cli_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr("getpass.getuser", no_user)
    assert cli_main.os_account() == "cli:unknown"
