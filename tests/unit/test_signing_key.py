"""The token signing key never lives in the event database (SPEC §4.1): ASSESS_SECRET, else
a 0600 key file beside the SQLite file; on PostgreSQL without ASSESS_SECRET only a demo
starts."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli.main import cli
from assess.infrastructure.signing_key import KeyRefused, key_file_of, signing_key

PG_URL = "postgresql+psycopg2://nobody@127.0.0.1:5432/none"
SECRET = "s" * 32


def test_assess_secret_is_used_when_long_enough(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert signing_key(url, SECRET).secret == SECRET
    assert not (tmp_path / "a.db.key").exists()
    with pytest.raises(KeyRefused, match="at least 32 bytes"):
        signing_key(url, "s" * 31)


def test_sqlite_key_file_made_once_with_mode_0600(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'a.db'}"
    first = signing_key(url, None)
    key_file = tmp_path / "sub" / "a.db.key"
    assert key_file_of(url) == key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret) >= 32
    assert str(key_file) in first.source
    assert signing_key(url, None).secret == first.secret  # the next start reads it
    assert [path.name for path in key_file.parent.iterdir()] == ["a.db.key"]  # no drafts


def test_a_key_file_others_may_read_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    signing_key(url, None)
    key_file = tmp_path / "a.db.key"
    os.chmod(key_file, 0o644)
    with pytest.raises(KeyRefused, match="chmod 600"):
        signing_key(url, None)


def test_a_short_key_file_is_refused(tmp_path: Path) -> None:
    key_file = tmp_path / "a.db.key"
    key_file.write_text("short\n")
    os.chmod(key_file, 0o600)
    with pytest.raises(KeyRefused, match="fewer than 32 bytes"):
        signing_key(f"sqlite:///{tmp_path / 'a.db'}", None)


def test_postgresql_needs_assess_secret_outside_demo_mode() -> None:
    with pytest.raises(KeyRefused, match="ASSESS_SECRET"):
        signing_key(PG_URL, None)
    demo = signing_key(PG_URL, None, demo=True)
    assert len(demo.secret) >= 32 and "demo" in demo.source
    assert signing_key(PG_URL, None, demo=True).secret != demo.secret  # this process only


def test_serve_refuses_postgresql_without_secret_in_one_line() -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--db", PG_URL], env={"ASSESS_SECRET": None, "ASSESS_DEMO": None}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("error: on PostgreSQL the server needs ASSESS_SECRET")
    assert len(result.stderr.strip().splitlines()) == 1
