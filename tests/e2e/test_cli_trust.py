"""`assess verify`, the audit export and the outside check script, time travel, diff and
appeal review through the command (in-process, see `run`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import sqlalchemy
from sqlalchemy import text as sql

from assess.infrastructure.persistence import normalise_url
from tests.conftest import EXAMPLES
from tests.e2e.test_cli import run, text

CYCLE = "2025-performance-evaluation"
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"


def imported(db: str) -> None:
    season = EXAMPLES / "performance-evaluation.season.json"
    assert run(db, "import", str(season)).returncode == 0


def test_verify_and_the_outside_script(db: str, tmp_path: Path) -> None:
    imported(db)
    clean = run(db, "verify", CYCLE, "--format", "json")
    assert clean.returncode == 0
    report = json.loads(text(clean))
    assert report["ok"] and report["events"] == 65 and report["versions"] == 10

    export = tmp_path / "audit.json"
    export.write_bytes(run(db, "audit", CYCLE, "--format", "json").stdout)
    outside = subprocess.run(
        [sys.executable, str(SCRIPT), str(export), report["head"]], capture_output=True, text=True
    )
    assert outside.returncode == 0 and report["head"] in outside.stdout
    csv_export = run(db, "audit", CYCLE, "--format", "csv").stdout.decode("utf-8-sig")
    assert csv_export.splitlines()[0].endswith("data,attachments,previous,chain")

    engine = sqlalchemy.create_engine(normalise_url(db))
    with engine.begin() as connection:
        connection.execute(sql("DELETE FROM assess_events WHERE originator_version = 30"))
    engine.dispose()
    tampered = run(db, "verify", CYCLE)
    assert tampered.returncode == 1
    assert "first failure at event 30" in text(tampered)
    export.write_bytes(run(db, "audit", CYCLE, "--format", "json").stdout)
    outside = subprocess.run([sys.executable, str(SCRIPT), str(export)], capture_output=True)
    assert outside.returncode == 1


def test_time_travel_diff_and_appeals(db: str, tmp_path: Path) -> None:
    imported(db)
    as_of = json.loads(text(run(db, "results", CYCLE, "--as-of", "2026-03-09")))
    versions = json.loads((EXAMPLES / "performance-evaluation.versions.json").read_text("utf-8"))
    assert as_of == versions[7]
    assert run(db, "results", CYCLE, "--version", "2", "--position", "3").returncode == 2

    changes = json.loads(text(run(db, "diff", CYCLE, "1", "3", "--format", "json")))["changes"]
    assert changes[0]["unit"] == "O0008" and not changes[0]["knock_on"]
    assert "knock-on" in text(run(db, "diff", CYCLE, "1", "3"))

    shown = json.loads(text(run(db, "appeal", "show", CYCLE, "AP0", "--format", "json")))
    assert shown["results_at_publication"]["row"]["final"] == "79.78"
    assert "对评分有异议" in text(run(db, "appeal", "show", CYCLE, "AP0"))

    corrections = tmp_path / "corrections.yaml"
    corrections.write_text("- {kind: score, item: G00, method: social, value: 100}\n", "utf-8")
    refused = run(db, "appeal", "preview", CYCLE, "AP0", "--corrections", str(corrections))
    assert refused.returncode == 2 and "wrong_stage" in refused.stderr.decode()  # closed


def test_appeal_preview_stores_nothing(db: str, tmp_path: Path) -> None:
    season = json.loads((EXAMPLES / "performance-evaluation.season.json").read_text("utf-8"))
    cut = next(i for i, a in enumerate(season["actions"]) if a["do"] == "resolve_appeal")
    season["actions"] = season["actions"][:cut]
    path = tmp_path / "season.json"
    path.write_text(json.dumps(season, ensure_ascii=False), "utf-8")
    assert run(db, "import", str(path)).returncode == 0
    head = json.loads(text(run(db, "verify", CYCLE, "--format", "json")))["head"]

    corrections = tmp_path / "corrections.yaml"
    corrections.write_text("- {kind: score, item: G00, method: social, value: 85}\n", "utf-8")
    preview = run(db, "appeal", "preview", CYCLE, "AP0", "--corrections", str(corrections))
    assert preview.returncode == 0, preview.stderr
    assert "nothing stored" in text(preview) and "O0008" in text(preview)
    document = json.loads(
        text(
            run(
                db,
                "appeal",
                "preview",
                CYCLE,
                "AP0",
                "--corrections",
                str(corrections),
                "--format",
                "json",
            )
        )
    )
    assert document["after"]["final"] == "80.33" and document["stored"] is False
    after = json.loads(text(run(db, "verify", CYCLE, "--format", "json")))
    assert after["head"] == head and after["ok"]
