"""`assess attach`, `assess files`, `assess export` and `assess restore` (issue 15):
through click's runner, and a round trip through the installed command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy
from sqlalchemy.pool import NullPool

from assess.infrastructure.persistence import normalise_url
from tests.conftest import EXAMPLES, store_agnostic
from tests.e2e.test_cli import run, run_installed, text

pytestmark = store_agnostic

CYCLE = "2025-group-party-org"
PDF = b"%PDF-1.7\n" + "表彰文件".encode() + b"\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 40
UNIT = ["--account", "u-P0009"]


def _files(tmp_path: Path, **contents: bytes) -> list[str]:
    paths = []
    for name, content in contents.items():
        path = tmp_path / name.replace("_", ".")
        path.write_bytes(content)
        paths.append(str(path))
    return paths


@pytest.fixture
def cycle(db: str, tmp_path: Path) -> str:
    """The group-party-org season up to publishing its items (claims may be made)."""
    season: dict[str, Any] = orjson.loads((EXAMPLES / "group-party-org.season.json").read_bytes())
    season["actions"] = season["actions"][:1]
    path = tmp_path / "season.json"
    path.write_bytes(orjson.dumps(season))
    imported = run(db, "import", str(path))
    assert imported.returncode == 0, imported.stderr
    return db


def _listing(db: str) -> dict[str, Any]:
    listed = run(db, "files", CYCLE, "--format", "json")
    assert listed.returncode == 0, listed.stderr
    document: dict[str, Any] = json.loads(text(listed))
    return document


def _claim(db: str, tmp_path: Path, attachments: list[dict[str, Any]]) -> None:
    claim = {
        "do": "claim_commendation",
        "by": "u-P0009",
        "unit": "P0009",
        "claim": "C0",
        "level": "group",
        "title": "获评先进基层党组织",
        "evidence": "表彰文件",
        "attachments": attachments,
    }
    batch = tmp_path / "claim.json"
    batch.write_text(json.dumps([claim], ensure_ascii=False), encoding="utf-8")
    acted = run(db, *UNIT, "act", CYCLE, str(batch))
    assert acted.returncode == 0, acted.stderr
    assert "1 events stored" in text(acted)


def test_attach_then_act_with_the_printed_json(cycle: str, tmp_path: Path) -> None:
    db = cycle
    paths = _files(tmp_path, 表彰文件_pdf=PDF, 台账_png=PNG)
    attached = run(db, *UNIT, "attach", CYCLE, *paths)
    assert attached.returncode == 0, attached.stderr
    attachments = json.loads(text(attached))
    assert [a["name"] for a in attachments] == ["表彰文件.pdf", "台账.png"]
    assert [a["media_type"] for a in attachments] == ["application/pdf", "image/png"]
    assert [a["size"] for a in attachments] == [len(PDF), len(PNG)]
    assert attached.stderr.decode().splitlines()[0].startswith("stored: 表彰文件.pdf")
    again = run(db, *UNIT, "attach", CYCLE, paths[1], "--name", "台账(复印件).png")
    assert again.stderr.decode().startswith("already stored: 台账(复印件).png")
    assert _listing(db)["attached"] == []

    _claim(db, tmp_path, attachments)
    verified = run(db, "verify", CYCLE, "--format", "json")
    assert verified.returncode == 0, verified.stdout
    assert json.loads(text(verified))["files_checked"] == 2

    listing = _listing(db)
    assert [f["name"] for f in listing["attached"]] == ["表彰文件.pdf", "台账.png"]
    assert listing["attached"][0]["events"][0]["verb"] == "claim_commendation"
    assert listing["not_attached"] == []  # every upload of both files is attached
    table = text(run(db, "files", CYCLE))
    assert "佐证材料" in table and "表彰文件.pdf" in table and "claim_commendation" in table

    out = tmp_path / "copy.pdf"
    prefix = attachments[0]["sha256"][:8]
    got = run(db, "files", "get", CYCLE, prefix, "-o", str(out))
    assert got.returncode == 0, got.stderr
    assert out.read_bytes() == PDF


def test_a_disguised_an_oversize_or_a_missing_file_stores_nothing(
    cycle: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = cycle
    good, disguised = _files(tmp_path, good_pdf=PDF, 伪装_pdf=b"just text, named .pdf")
    refused = run(db, *UNIT, "attach", CYCLE, good, disguised)
    assert refused.returncode == 2
    assert refused.stderr.decode().splitlines() == [
        "error: invalid_value: 伪装.pdf is not a PDF, JPEG, PNG, DOCX, XLSX or OFD file "
        "(judged by its content)"
    ]
    missing = run(db, *UNIT, "attach", CYCLE, good, str(tmp_path / "nowhere.pdf"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr.decode()
    unknown = run(db, *UNIT, "attach", "2025-nowhere", good)
    assert unknown.returncode == 2 and "not_found" in unknown.stderr.decode()
    (large,) = _files(tmp_path, large_pdf=PDF + b"\0" * (1024 * 1024))
    monkeypatch.setenv("ASSESS_MAX_FILE_MB", "1")
    oversize = run(db, *UNIT, "attach", CYCLE, good, large)
    assert oversize.returncode == 2
    assert oversize.stderr.decode().strip() == (
        "error: invalid_value: the file is larger than 1 MiB (ASSESS_MAX_FILE_MB)"
    )
    assert _listing(db) == {"cycle": CYCLE, "attached": [], "not_attached": []}
    two_names = run(db, *UNIT, "attach", CYCLE, good, good, "--name", "x.pdf")
    assert two_names.returncode == 2 and "--name names one file" in two_names.stderr.decode()


def test_files_get_refuses_bytes_that_no_longer_hash(cycle: str, tmp_path: Path) -> None:
    db = cycle
    (path,) = _files(tmp_path, a_pdf=PDF)
    digest = json.loads(text(run(db, *UNIT, "attach", CYCLE, path)))[0]["sha256"]
    engine = sqlalchemy.create_engine(normalise_url(db), poolclass=NullPool)
    with engine.begin() as connection:
        connection.execute(
            sqlalchemy.text("UPDATE files SET content = :c WHERE sha256 = :d"),
            {"c": PDF + b" ", "d": digest},
        )
    engine.dispose()
    out = tmp_path / "out.pdf"
    refused = run(db, "files", "get", CYCLE, digest, "-o", str(out))
    assert refused.returncode == 1
    assert f"a.pdf no longer hashes to its digest {digest}" in refused.stderr.decode()
    assert not out.exists()
    nothing = run(db, "files", "get", CYCLE, "0123456789", "-o", str(out))
    assert nothing.returncode == 2 and "names no file" in nothing.stderr.decode()


def test_export_and_restore_through_the_command(cycle: str, tmp_path: Path) -> None:
    db = cycle
    paths = _files(tmp_path, 表彰文件_pdf=PDF, 台账_png=PNG)
    _claim(db, tmp_path, json.loads(text(run(db, *UNIT, "attach", CYCLE, *paths))))
    archive = tmp_path / "cycle.zip"
    exported = run(db, "export", CYCLE, "-o", str(archive))
    assert exported.returncode == 0, exported.stderr
    assert f"cycle {CYCLE} exported to {archive}: 3 events, 2 files, head " in text(exported)
    head = text(exported).split("head ")[1].strip()

    other = f"sqlite:///{tmp_path / 'other.db'}"
    restored = run(other, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert text(restored).strip() == f"cycle {CYCLE} restored: 3 events, 2 files, head {head}"
    verified = run(other, "verify", CYCLE, "--expect-head", head, "--format", "json")
    assert verified.returncode == 0 and json.loads(text(verified))["files_checked"] == 2
    assert _listing(other) == _listing(db)

    duplicate = run(other, "restore", str(archive))
    assert duplicate.returncode == 2 and "duplicate" in duplicate.stderr.decode()
    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[:100])
    third = f"sqlite:///{tmp_path / 'third.db'}"
    refused = run(third, "restore", str(broken))
    assert refused.returncode == 2
    assert refused.stderr.decode().strip() == (
        "error: invalid_value: the archive is not a restorable export: not a zip file"
    )
    assert CYCLE not in text(run(third, "cycles"))
    unknown = run(db, "export", "2025-nowhere", "-o", str(tmp_path / "none.zip"))
    assert unknown.returncode == 2 and not (tmp_path / "none.zip").exists()


def test_a_round_trip_through_the_installed_command(cycle: str, tmp_path: Path) -> None:
    db = cycle
    archive = tmp_path / "cycle.zip"
    exported = run_installed(db, "export", CYCLE, "-o", str(archive))
    assert exported.returncode == 0, exported.stderr
    other = f"sqlite:///{tmp_path / 'other.db'}"
    restored = run_installed(other, "restore", str(archive))
    assert restored.returncode == 0, restored.stderr
    assert "2 events, 0 files" in text(restored)
    verified = run_installed(other, "verify", CYCLE)
    assert verified.returncode == 0, verified.stdout


def test_the_outside_script_checks_an_exported_archives_files(cycle: str, tmp_path: Path) -> None:
    """docs/verify_chain.py with `--files`: the chain and every attached file, by the
    standard library alone, from an unzipped export."""
    import subprocess
    import sys
    import zipfile

    db = cycle
    paths = _files(tmp_path, 表彰文件_pdf=PDF, 台账_png=PNG)
    _claim(db, tmp_path, json.loads(text(run(db, *UNIT, "attach", CYCLE, *paths))))
    archive = tmp_path / "cycle.zip"
    assert run(db, "export", CYCLE, "-o", str(archive)).returncode == 0
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as package:
        package.extractall(unpacked)
    script = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"

    def outside() -> subprocess.CompletedProcess[str]:
        command = [sys.executable, str(script), "events.json", "--files", "files"]
        return subprocess.run(command, cwd=unpacked, capture_output=True, text=True, check=False)

    clean = outside()
    assert clean.returncode == 0 and clean.stdout.startswith("3 events, head "), clean.stdout
    changed = next((unpacked / "files").iterdir())
    changed.write_bytes(changed.read_bytes()[:-1] + b"!")
    found = outside()
    assert found.returncode == 1 and "event 3 attaches" in found.stdout, found.stdout
    assert "does not hash to its digest" in found.stdout
    changed.unlink()
    assert "is missing" in outside().stdout
