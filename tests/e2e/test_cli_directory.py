"""`assess users audit` and `assess verify --accounts` (SPEC §4.1, §7): the CLI records
its account as `by` of every directory change; verification exits 1 on a finding."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy
from click.testing import CliRunner, Result

from assess.cli.main import cli
from assess.infrastructure.persistence import normalise_url
from tests.e2e.test_cli_accounts import CYCLE, files


def invoke(db: str, *args: str, account: str | None = "ops") -> Result:
    return CliRunner().invoke(
        cli,
        ["--db", db, *args],
        env={"ASSESS_ACCOUNT": account},
        catch_exceptions=False,
        prog_name="assess",
    )


def ok(db: str, *args: str) -> str:
    result = invoke(db, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def execute(db: str, statement: str) -> None:
    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(statement))
    engine.dispose()


def test_users_audit_shows_who_did_what_and_why(db: str) -> None:
    ok(db, "users", "add", "ana", "--password", "password-1", "--reason", "new operator")
    ok(db, "--account", "boss", "users", "add", "bo", "--password", "password-1", "--admin")
    ok(db, "users", "passwd", "ana", "--password", "password-2")
    ok(db, "users", "unbind", "ana", "c1")  # held nothing there: nothing recorded

    events = json.loads(ok(db, "users", "audit", "--format", "json"))
    assert [(event["event"], event["by"], event["reason"]) for event in events] == [
        ("AccountCreated", "ops", "new operator"),
        ("AccountCreated", "boss", None),
        ("PasswordChanged", "ops", None),
    ]
    about_ana = json.loads(ok(db, "users", "audit", "--account-name", "ana", "--format", "json"))
    assert [event["position"] for event in about_ana] == [1, 3]
    table = ok(db, "users", "audit").splitlines()
    assert len(table) == 3 and "boss  AccountCreated" in table[1] and "(new operator)" in table[0]


def test_verify_accounts_finds_changes_behind_its_back(db: str) -> None:
    ok(db, "users", "add", "ana", "--password", "password-1")
    ok(db, "users", "add", "bo", "--password", "password-1")
    report = json.loads(ok(db, "verify", "--accounts", "--format", "json"))
    assert report == {
        "accounts": {"ok": True, "events": 2, "head": report["accounts"]["head"], "findings": []}
    }
    assert "account directory: verified" in ok(db, "verify", "--accounts")

    execute(db, "UPDATE accounts SET admin = true WHERE name = 'ana'")
    found = invoke(db, "verify", "--accounts")
    assert found.exit_code == 1
    assert "FAILED" in found.stdout and "account ana: stored admin=True" in found.stdout
    execute(db, "UPDATE accounts SET admin = false WHERE name = 'ana'")
    ok(db, "verify", "--accounts")

    execute(db, "UPDATE account_events SET reason = 'cover' WHERE position = 2")
    tampered = invoke(db, "verify", "--accounts", "--format", "json")
    assert tampered.exit_code == 1
    assert json.loads(tampered.stdout)["accounts"]["findings"] == [
        "event 2 (AccountCreated): chain link does not match"
    ]


def test_verify_a_cycle_and_the_accounts_at_once(db: str, tmp_path: Path) -> None:
    season, _, _ = files(tmp_path)
    ok(db, "import", season)
    ok(db, "users", "add", "ana", "--password", "password-1", "--actor", f"{CYCLE}=lg")
    shown = ok(db, "verify", CYCLE, "--accounts")
    assert f"cycle {CYCLE}: verified" in shown and "account directory: verified" in shown
    report = json.loads(ok(db, "verify", CYCLE, "--accounts", "--format", "json"))
    assert report["ok"] and report["cycle"] == CYCLE and report["accounts"]["events"] == 2
    execute(db, "DELETE FROM account_events WHERE position = 2")
    assert invoke(db, "verify", CYCLE, "--accounts").exit_code == 1


def test_verify_needs_a_cycle_or_the_accounts(db: str) -> None:
    result = invoke(db, "verify")
    assert result.exit_code == 2 and "--accounts" in result.stderr


def test_users_disable_enable_and_admin(db: str) -> None:
    """`assess users passwd` is the operator's reset; accounts are disabled, never deleted;
    the last enabled admin is kept."""
    ok(db, "users", "add", "ana", "--password", "password-1", "--admin")
    ok(db, "users", "add", "bo", "--password", "password-1")
    last = invoke(db, "users", "disable", "ana")
    assert last.exit_code == 2
    assert last.stderr.startswith("error: conflict: account ana is the last enabled admin")
    assert invoke(db, "users", "admin", "ana", "--revoke").exit_code == 2
    assert "bo is an admin" in ok(db, "users", "admin", "bo", "--reason", "second admin")
    assert "disabled" in ok(db, "users", "disable", "ana", "--reason", "left")
    assert ok(db, "users", "list").splitlines() == [
        "ana (admin) (disabled)",
        "bo (admin)",
    ]
    ok(db, "users", "enable", "ana")
    assert "no longer an admin" in ok(db, "users", "admin", "bo", "--revoke")
    ok(db, "users", "passwd", "bo", "--password", "password-2")  # no current password

    events = json.loads(ok(db, "users", "audit", "--format", "json"))
    assert [(event["event"], event["reason"]) for event in events][2:] == [
        ("AdminGranted", "second admin"),
        ("AccountDisabled", "left"),
        ("AccountEnabled", None),
        ("AdminRevoked", None),
        ("PasswordChanged", None),
    ]
    assert "ops  AccountDisabled" in ok(db, "users", "audit")
    assert "account directory: verified" in ok(db, "verify", "--accounts")


def test_users_refuses_passwords_that_break_the_rules(db: str) -> None:
    for name, password, says in (
        ("ana", "short", "have at least 10 characters"),
        ("operator-1", "Operator-1", "not be the account name"),
    ):
        result = invoke(db, "users", "add", name, "--password", password)
        assert result.exit_code == 2
        assert result.stderr == f"error: invalid_value: the password must {says}\n"
    ok(db, "users", "add", "ana", "--password", "password-1")
    refused = invoke(db, "users", "passwd", "ana", "--password", "ANA")
    assert refused.exit_code == 2 and "the password must" in refused.stderr
    missing = invoke(db, "users", "disable", "nobody")
    assert missing.stderr == "error: not_found: no account 'nobody'\n"
