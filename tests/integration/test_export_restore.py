"""A cycle exported with its evidence files and restored into another store, on both
stores: the restored cycle verifies, with the same files, chain, results digests and
audit; a damaged or forged archive, or a store that has the cycle, stores nothing."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from assess.application.audit import export_records
from assess.application.files import FileStore, upload
from assess.application.service import SNAPSHOT_AFTER, AssessApp
from assess.application.transfer import export_cycle, restore_cycle
from assess.application.verify import verify_cycle
from assess.demo import generate_season
from assess.domain.chain import GENESIS, event_content, link
from assess.domain.cycle import cycle_uuid
from assess.domain.errors import DomainError
from assess.infrastructure.persistence import open_application
from tests.conftest import EXAMPLES, store_agnostic

CYCLE = "2025-group-party-org"
LEDGER = b"\x89PNG\r\n\x1a\n" + b"\x01" * 80  # one image attached by several events
SUPERVISION = {
    "do": "record_supervision",
    "by": "as0",
    "unit": "P0003",
    "method": "ledger_review",
    "findings": "台账完整",
}


def _season() -> dict[str, Any]:
    season: dict[str, Any] = orjson.loads((EXAMPLES / "group-party-org.season.json").read_bytes())
    return season


@pytest.fixture
def source(db: str) -> Iterator[AssessApp]:
    application = open_application(AssessApp, db)
    yield application
    application.close()


@pytest.fixture
def target_url(db: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty store of the same kind: another SQLite file, another database."""
    if db.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    from tests.pg import fresh_database_url

    with fresh_database_url() as url:
        yield url


@pytest.fixture
def target(target_url: str) -> Iterator[AssessApp]:
    application = open_application(AssessApp, target_url)
    yield application
    application.close()


def files_of(app: AssessApp) -> FileStore:
    assert app.files is not None
    return app.files


def _played_with_files(app: AssessApp) -> None:
    """The season, one action at a time by its actor's account, with a supervision
    after publication; each claim, supervision and appeal attaches a PDF of its own and
    the same ledger image."""
    season = _season()
    app.import_season({**season, "actions": []}, account="importer")
    first, *rest = season["actions"]
    for number, action in enumerate([first, SUPERVISION, *rest]):
        action = dict(action)
        if action["do"] in ("claim_commendation", "record_supervision", "file_appeal"):
            account = action["by"]
            pdf = b"%PDF-1.7\n" + f"证明材料 {number}".encode()
            named = upload(files_of(app), CYCLE, account, f"证明{number}.pdf", pdf, 20)
            ledger = upload(files_of(app), CYCLE, account, "台账.png", LEDGER, 20)
            action["attachments"] = [named.attachment(), ledger.attachment()]
        app.act(CYCLE, [action], account=action["by"])


def _versions(app: AssessApp) -> list[str]:
    latest = app.results(CYCLE)["version"]
    return [app.results(CYCLE, version)["digest"] for version in range(1, latest + 1)]


def _uploads(app: AssessApp) -> set[tuple[Any, ...]]:
    keys = ("sha256", "account", "name", "media_type", "size")
    return {tuple(row[key] for key in keys) for row in files_of(app).uploads(CYCLE)}


def test_a_cycle_with_files_is_restored_as_recorded(source: AssessApp, target: AssessApp) -> None:
    _played_with_files(source)
    archive = export_cycle(source, CYCLE)
    restored = restore_cycle(target, archive, account="restorer")

    original = verify_cycle(source, CYCLE)
    copy = verify_cycle(target, CYCLE)
    assert copy.ok, copy.failure
    assert original.files_checked == copy.files_checked == 2 * 6  # 2 claims, 3 appeals, 1 visit
    assert restored.as_dict() == {"cycle": CYCLE, "events": 55, "files": 7, "head": original.head}
    assert copy.head == original.head and copy.events == original.events == 55
    assert _versions(target) == _versions(source) and len(_versions(source)) >= 2
    assert target.audit(CYCLE) == source.audit(CYCLE)
    assert export_records(target.events_of(CYCLE)) == export_records(source.events_of(CYCLE))
    # Each account that attached a file may name it again: its upload rows came along.
    assert _uploads(target) == _uploads(source)
    assert ("restorer",) not in {row[1:2] for row in _uploads(target)}
    again = zipfile.ZipFile(io.BytesIO(export_cycle(target, CYCLE)))
    first = zipfile.ZipFile(io.BytesIO(archive))
    assert sorted(again.namelist()) == sorted(first.namelist())
    for name in first.namelist():
        if name != "manifest.json":
            assert again.read(name) == first.read(name), name


def test_a_cycle_without_files_travels_too(source: AssessApp, target: AssessApp) -> None:
    source.import_season(_season(), account="importer")
    archive = export_cycle(source, CYCLE)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(archive)).read("manifest.json"))
    assert manifest["format"] == "assess-export/1" and manifest["files"] == 0
    restored = restore_cycle(target, archive, account="restorer")
    assert restored.files == 0 and restored.events == manifest["events"] == 54
    assert verify_cycle(target, CYCLE).ok
    assert _versions(target) == _versions(source)
    assert files_of(target).uploads(CYCLE) == []


# ---- archives that must not be restored -------------------------------------------------


def _members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        return {name: package.read(name) for name in package.namelist()}


def _zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in members.items():
            package.writestr(name, content)
    return buffer.getvalue()


def _changed(archive: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    members = _members(archive)
    change(members)
    return _zipped(members)


def _a_file(members: dict[str, bytes]) -> str:
    return sorted(name for name in members if name.startswith("files/"))[0]


def _flip_byte(members: dict[str, bytes]) -> None:
    name = _a_file(members)
    content = bytearray(members[name])
    content[-1] ^= 1
    members[name] = bytes(content)


def _drop_file(members: dict[str, bytes]) -> None:
    del members[_a_file(members)]


def _edit_events(members: dict[str, bytes], edit: Callable[[list[Any]], None]) -> None:
    records = json.loads(members["events.json"])
    edit(records)
    members["events.json"] = json.dumps(records, ensure_ascii=False).encode()


def _retitle_claim(records: list[Any]) -> None:
    claim = next(r for r in records if r["event"] == "CommendationClaimed")
    claim["data"]["title"] = "获评全国先进基层党组织"


def _forge_score(records: list[Any]) -> None:
    """A score changed and the whole chain recomputed after it, as a forger would."""
    score = next(r for r in records if r["event"] == "ScoreSubmitted")
    score["data"]["value"] = "0"
    previous = GENESIS
    for record in records:
        fields = {k: record[k] for k in ("actor", "role", "at", "data", "account", "request")}
        recorded = datetime.fromisoformat(record["recorded"])
        content = event_content(record["event"], record["position"], recorded, fields, previous)
        record["previous"], record["chain"] = previous, link(content)
        previous = record["chain"]


def _drop_event(records: list[Any]) -> None:
    del records[10]


TAMPERINGS: dict[str, tuple[Callable[[dict[str, bytes]], None], str]] = {
    "a byte of a file": (_flip_byte, "hashes to"),
    "a file missing": (_drop_file, "the file is missing"),
    "an event's data": (
        lambda m: _edit_events(m, _retitle_claim),
        "does not match its hash: its content was changed",
    ),
    "a score, chain recomputed": (
        lambda m: _edit_events(m, _forge_score),
        "the results do not reproduce its digest",
    ),
    "an event dropped": (lambda m: _edit_events(m, _drop_event), "is missing (found position"),
    "a stray file": (
        lambda m: m.update({"files/" + "ab" * 32: b"%PDF-1.7 stray"}),
        "is attached by no event",
    ),
    "another format": (
        lambda m: m.update({"manifest.json": b'{"format": "assess-export/9"}'}),
        "does not say format assess-export/1",
    ),
}


def test_a_damaged_or_forged_archive_stores_nothing(source: AssessApp, target: AssessApp) -> None:
    _played_with_files(source)
    archive = export_cycle(source, CYCLE)
    digests = {name[len("files/") :] for name in _members(archive) if name.startswith("files/")}
    broken = {what: _changed(archive, change) for what, (change, _) in TAMPERINGS.items()}
    broken["not a zip"] = b"PK\x03\x04 not really"
    broken["a zip member cut short"] = archive[: len(archive) // 2]
    for what, damaged in broken.items():
        with pytest.raises(DomainError) as refused:
            restore_cycle(target, damaged, account="restorer")
        assert refused.value.code == "invalid_value", what
        expected = TAMPERINGS[what][1] if what in TAMPERINGS else ""
        assert expected in refused.value.message, (what, refused.value.message)
    assert target.recorder.select_events(cycle_uuid(CYCLE)) == []
    assert files_of(target).uploads(CYCLE) == []
    assert all(files_of(target).read(sha256) is None for sha256 in digests)
    # The undamaged archive is restored after all that.
    assert restore_cycle(target, archive, account="restorer").events == 55


def test_a_store_that_has_the_cycle_refuses_it_as_duplicate(source: AssessApp) -> None:
    _played_with_files(source)
    archive = export_cycle(source, CYCLE)
    uploads = _uploads(source)
    with pytest.raises(DomainError) as refused:
        restore_cycle(source, archive, account="restorer")
    assert refused.value.code == "duplicate"
    assert len(source.events_of(CYCLE)) == 55 and _uploads(source) == uploads
    assert verify_cycle(source, CYCLE).ok


@store_agnostic
def test_a_large_cycle_is_restored_with_a_snapshot(source: AssessApp, target: AssessApp) -> None:
    """Over SNAPSHOT_AFTER events, the restore leaves a snapshot (verify checks it
    against the replay), so the first read need not replay them all."""
    season = generate_season("leadership-team", 150, 1, complications=True, sheets=False)
    source.import_season(season, account="importer")
    cycle_id = season["cycle"]["id"]
    restored = restore_cycle(target, export_cycle(source, cycle_id), account="restorer")
    assert restored.events > SNAPSHOT_AFTER
    copy = verify_cycle(target, cycle_id)
    assert copy.ok and copy.snapshots_checked == 1, copy.failure
    assert target.results(cycle_id)["digest"] == source.results(cycle_id)["digest"]


def test_an_unknown_cycle_has_nothing_to_export(source: AssessApp) -> None:
    with pytest.raises(DomainError) as refused:
        export_cycle(source, "2025-nowhere")
    assert refused.value.code == "not_found"
