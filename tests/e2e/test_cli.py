"""The `assess` command on SQLite and PostgreSQL: in-process through click's runner, and
a few runs of the installed command as a user would start it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy
import yaml
from click.testing import CliRunner
from sqlalchemy.pool import NullPool

from assess.cli.main import cli
from assess.infrastructure.persistence import normalise_url
from tests.conftest import EXAMPLES, store_agnostic

ASSESS = Path(sys.executable).with_name("assess")
LEADERSHIP = EXAMPLES / "leadership-team.season.json"


def run(db: str, *args: str) -> subprocess.CompletedProcess:
    """The command in this process (a real process costs ~1 s of imports); an unexpected
    exception is raised here rather than turned into an exit code."""
    command = [*(["--db", db] if db else []), *args]
    result = CliRunner().invoke(cli, command, catch_exceptions=False, prog_name="assess")
    return subprocess.CompletedProcess(
        ["assess", *command], result.exit_code, result.stdout_bytes, result.stderr_bytes
    )


def run_installed(
    db: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """The installed `assess` executable in a process of its own."""
    command = [str(ASSESS), *(["--db", db] if db else []), *args]
    return subprocess.run(
        command, capture_output=True, timeout=300, env={**os.environ, **(env or {})}, check=False
    )


def text(result: subprocess.CompletedProcess) -> str:
    return result.stdout.decode("utf-8")


def test_import_then_read_every_format(db: str) -> None:
    imported = run(db, "import", str(LEADERSHIP))
    assert imported.returncode == 0, imported.stderr
    assert "2025-leadership-team: 204 events stored, stage closed" in text(imported)

    latest = json.loads(text(run(db, "results", "2025-leadership-team")))
    expected = json.loads((EXAMPLES / "leadership-team.results.json").read_text(encoding="utf-8"))
    assert latest == expected

    first = json.loads(text(run(db, "results", "2025-leadership-team", "--version", "1")))
    versions = json.loads((EXAMPLES / "leadership-team.versions.json").read_text(encoding="utf-8"))
    assert first == versions[0]

    towns = json.loads(text(run(db, "results", "2025-leadership-team", "--category", "town")))
    assert {row["category"] for row in towns["results"]} == {"town"}

    csv_bytes = run(db, "results", "2025-leadership-team", "--format", "csv").stdout
    assert csv_bytes.startswith(b"\xef\xbb\xbfunit,name,category,")
    assert "M0010,阳源办,municipal" in csv_bytes.decode("utf-8-sig")

    table = text(run(db, "results", "2025-leadership-team", "--format", "table"))
    assert "南源镇" in table and "优秀" in table and "一票否决" in table

    cycles = text(run(db, "cycles"))
    assert "2025-leadership-team" in cycles and "closed" in cycles

    audit = text(run(db, "audit", "2025-leadership-team", "--unit", "M0006"))
    assert "file_appeal" in audit and "对评分有异议" in audit and "M0010" not in audit


def test_yaml_season_and_environment_database(db: str, tmp_path: Path) -> None:
    season = json.loads(LEADERSHIP.read_text(encoding="utf-8"))
    path = tmp_path / "season.yaml"
    path.write_text(yaml.safe_dump(season, allow_unicode=True), encoding="utf-8")
    imported = run_installed("", "import", str(path), env={"ASSESS_DB": db})
    assert imported.returncode == 0, imported.stderr
    reading = run_installed("", "results", "2025-leadership-team", env={"ASSESS_DB": db})
    latest = json.loads(text(reading))
    expected = json.loads((EXAMPLES / "leadership-team.results.json").read_text(encoding="utf-8"))
    assert latest["digest"] == expected["digest"]


def _season_with(tmp_path: Path, change) -> Path:
    season = json.loads(LEADERSHIP.read_text(encoding="utf-8"))
    change(season)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(season, ensure_ascii=False), encoding="utf-8")
    return path


def _action(season: dict, index: int) -> dict:
    return season["actions"][index]


BAD_SEASONS = [
    (lambda s: s.update(format="assess-season/9"), "format must be 'assess-season/1'"),
    (lambda s: _action(s, 7).update(do="dance"), "action #7 (dance): invalid_value"),
    (
        lambda s: _action(s, 7).update(by="nobody"),
        "action #7 (declare_innovation): permission_denied",
    ),
    (lambda s: _action(s, 60).pop("unit"), "action #60 (submit_score): invalid_value"),
    (lambda s: _action(s, 0).update(applies_to=3), "action #0 (define_item): invalid_value"),
]


@store_agnostic  # refused while reading the file or in the domain, before the store
@pytest.mark.parametrize(("change", "message"), BAD_SEASONS)
def test_bad_season_exit_2_and_nothing_stored(db: str, tmp_path: Path, change, message) -> None:
    result = run(db, "import", str(_season_with(tmp_path, change)))
    assert result.returncode == 2
    assert message in result.stderr.decode("utf-8")
    assert "2025-leadership-team" not in text(run(db, "cycles"))


@store_agnostic  # refused while reading the file
def test_malformed_files(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "assess-season/1",\n "cycle": {', encoding="utf-8")
    result = run(db, "import", str(broken))
    assert result.returncode == 2 and "line 2 column" in result.stderr.decode()
    bad_yaml = tmp_path / "broken.yaml"
    bad_yaml.write_text("format: [unclosed\n", encoding="utf-8")
    result = run(db, "import", str(bad_yaml))
    assert result.returncode == 2 and "invalid YAML" in result.stderr.decode()
    precise = _season_with(tmp_path, lambda s: None)
    precise.write_text(
        precise.read_text(encoding="utf-8").replace('"value": 85.89', '"value": 85.891'),
        encoding="utf-8",
    )
    result = run(db, "import", str(precise))
    assert result.returncode == 2 and "more than 2 decimals" in result.stderr.decode()
    assert run(db, "import", str(tmp_path / "missing.json")).returncode == 2


def test_act_is_atomic(db: str, tmp_path: Path) -> None:
    season = json.loads(LEADERSHIP.read_text(encoding="utf-8"))
    cut = next(i for i, a in enumerate(season["actions"]) if a["do"] == "approve_results")
    season["actions"], later = season["actions"][:cut], season["actions"][cut:]
    path = tmp_path / "season.json"
    path.write_text(json.dumps(season, ensure_ascii=False), encoding="utf-8")
    assert run(db, "import", str(path)).returncode == 0
    before = text(run(db, "audit", "2025-leadership-team"))

    batch = tmp_path / "batch.yaml"
    batch.write_text(
        yaml.safe_dump([later[0], {"do": "publish_results", "by": "lg"}], allow_unicode=True),
        encoding="utf-8",
    )
    refused = run(db, "act", "2025-leadership-team", str(batch))
    assert refused.returncode == 2
    assert "action #1 (publish_results): permission_denied" in refused.stderr.decode()
    assert text(run(db, "audit", "2025-leadership-team")) == before

    batch.write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    accepted = run(db, "act", "2025-leadership-team", str(batch))
    assert accepted.returncode == 0, accepted.stderr
    latest = json.loads(text(run(db, "results", "2025-leadership-team")))
    expected = json.loads((EXAMPLES / "leadership-team.results.json").read_text(encoding="utf-8"))
    assert latest == expected


@pytest.mark.parametrize("db", ["postgres"], indirect=True)
def test_each_run_closes_its_store(db: str) -> None:
    """Runs in one interpreter must not pile up open connections."""
    engine = sqlalchemy.create_engine(normalise_url(db), poolclass=NullPool)
    query = sqlalchemy.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    )

    def connections() -> int:
        with engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    before = connections()
    assert run(db, "import", str(LEADERSHIP)).returncode == 0
    assert run(db, "results", "2025-leadership-team").returncode == 0
    assert connections() <= before
    engine.dispose()


def test_unknown_cycle_and_help() -> None:
    result = run("sqlite:///:memory:", "results", "nope")
    assert result.returncode == 2 and "not_found" in result.stderr.decode()
    for command in ("import", "act", "results", "cycles", "audit", "demo-season", "demo"):
        assert run("", command, "--help").returncode == 0
    assert run("mysql://x", "cycles").returncode == 2


def test_the_installed_command_refuses_with_exit_2_and_one_line() -> None:
    result = run_installed("sqlite:///:memory:", "results", "nope")
    assert result.returncode == 2 and result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "not_found" in lines[0]
    helped = run_installed("", "--help")
    assert helped.returncode == 0 and "results" in text(helped)
