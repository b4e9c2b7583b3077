"""A store that is unavailable or failing ends a command with one line and exit 3 (a
traceback only with `--debug`), distinct from a refusal (2) and a failed verification (1)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli.main import cli
from assess.infrastructure.store_errors import is_store_failure
from tests.api.test_live import _free_port
from tests.conftest import EXAMPLES

SEASON = EXAMPLES / "group-party-org.season.json"
UNAVAILABLE = "error: the event store is unavailable: "


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def assert_store_failed(code: int, output: str, *words: str) -> None:
    assert code == 3, output
    lines = output.splitlines()
    assert len(lines) == 1 and lines[0].startswith(UNAVAILABLE), output
    for word in words:
        assert word in lines[0], output


def test_nothing_listening_on_the_postgresql_port() -> None:
    url = f"postgresql://postgres:sekrit-pw@127.0.0.1:{_free_port()}/assess"
    code, output = run("--db", url, "cycles")
    assert_store_failed(code, output, "Connection refused")
    assert "sekrit-pw" not in output


def test_a_postgresql_database_that_does_not_exist(postgres_url: str) -> None:
    missing = postgres_url.rsplit("/", 1)[0] + "/assess_no_such_database"
    code, output = run("--db", missing, "verify", "2025-group-party-org")
    assert_store_failed(code, output, "does not exist")  # not 1: nothing was verified


def test_a_read_only_sqlite_file(tmp_path: Path) -> None:
    # Tests run as root, which file modes do not stop: SQLite's read-only mode does.
    path = tmp_path / "events.db"
    assert run("--db", f"sqlite:///{path}", "cycles")[0] == 0  # the tables exist
    code, output = run("--db", f"sqlite:///file:{path}?mode=ro&uri=true", "import", str(SEASON))
    assert_store_failed(code, output, "readonly")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    path.write_bytes(b"not a database, " * 100)
    assert_store_failed(*run("--db", f"sqlite:///{path}", "cycles"), "not a database")


def test_a_sqlite_directory_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    code, output = run("--db", f"sqlite:///{tmp_path / 'file' / 'events.db'}", "cycles")
    assert_store_failed(code, output)


def test_a_timeout_setting_that_is_no_number_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSESS_DB_POOL_TIMEOUT", "soon")
    code, output = run("--db", f"sqlite:///{tmp_path / 'events.db'}", "cycles")
    assert (code, output) == (
        2,
        "error: ASSESS_DB_POOL_TIMEOUT must be a number of seconds, not 'soon'\n",
    )


def test_debug_lets_the_traceback_through() -> None:
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/assess"
    result = CliRunner().invoke(cli, ["--debug", "--db", url, "cycles"])
    assert result.exit_code == 1
    assert result.exception is not None and is_store_failure(result.exception)
    assert not isinstance(result.exception, SystemExit)


def test_the_installed_command_exits_3_with_one_line() -> None:
    assess = str(Path(sys.executable).parent / "assess")  # the console script beside python
    url = f"postgresql://postgres@127.0.0.1:{_free_port()}/assess"
    result = subprocess.run(
        [assess, "--db", url, "results", "2025-group-party-org"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stdout == ""
    assert_store_failed(3, result.stderr, "Connection refused")


def test_the_help_documents_the_exit_codes() -> None:
    code, output = run("--help")
    assert code == 0
    for line in ("0  done", "1  verification failed", "2  refused", "3  the event store"):
        assert line in output
