"""`assess act --idempotency-key`: a repeat stores nothing, prints the first answer and
exits 0; the key with another batch is refused (exit 2); the audit shows the key."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import store_agnostic
from tests.e2e.test_cli import run, text
from tests.seasons import group_season

SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})
CYCLE = SEASON["cycle"]["id"]
FINDING = {"do": "record_supervision", "by": "as", "unit": "P1", "method": "meeting"}


def _season_in_progress(tmp_path: Path) -> Path:
    season = {**SEASON, "actions": [{"do": "publish_items", "by": "od", "at": "2025-03-01"}]}
    path = tmp_path / "season.json"
    path.write_text(json.dumps(season, ensure_ascii=False), encoding="utf-8")
    return path


def _batch(tmp_path: Path, name: str, findings: str) -> str:
    path = tmp_path / name
    path.write_text(json.dumps([{**FINDING, "findings": findings}]), encoding="utf-8")
    return str(path)


def events(db: str) -> list[dict]:
    return json.loads(text(run(db, "audit", CYCLE, "--format", "json")))


def test_a_repeated_key_stores_nothing(db: str, tmp_path: Path) -> None:
    assert run(db, "import", str(_season_in_progress(tmp_path))).returncode == 0
    batch = _batch(tmp_path, "batch.json", "ok")
    first = run(db, "act", CYCLE, batch, "--idempotency-key", "visit-1")
    assert first.returncode == 0, first.stderr
    stored = events(db)

    again = run(db, "act", CYCLE, batch, "--idempotency-key", "visit-1")
    assert again.returncode == 0, again.stderr
    lines = text(again).splitlines()
    assert lines[0].startswith("already stored by an earlier request with key visit-1")
    assert lines[1:] == text(first).splitlines()
    assert events(db) == stored
    assert stored[-1]["request"]["key"] == "visit-1"
    assert "visit-1" in text(run(db, "audit", CYCLE))  # the table shows the key too

    other = run(
        db, "act", CYCLE, _batch(tmp_path, "other.json", "late"), "--idempotency-key", "visit-1"
    )
    assert other.returncode == 2
    assert "idempotency key 'visit-1' was used for another request" in other.stderr.decode()
    assert events(db) == stored


@store_agnostic
def test_a_key_out_of_bounds_is_refused(db: str, tmp_path: Path) -> None:
    batch = _batch(tmp_path, "batch.json", "ok")
    refused = run(db, "act", CYCLE, batch, "--idempotency-key", "x" * 201)
    assert refused.returncode == 2
    assert "idempotency key must be 1 to 200 printable ASCII" in refused.stderr.decode()
