"""Evidence files in the store (issue 15), on both stores: kept once by content, an upload
row per account and cycle, the uploads an action may name, and the CSV audit export."""

from __future__ import annotations

import copy
import csv
import hashlib
import io

import pytest
from click.testing import CliRunner

from assess.application.audit import export_records
from assess.application.exports import audit_csv
from assess.application.files import PDF, PNG, Upload, upload
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.cli.main import cli
from assess.domain.attachments import Uploaded
from assess.domain.errors import ActionRefused
from assess.infrastructure.file_store import SQLFileStore
from tests.seasons import header
from tests.unit.test_evidence_types import MINIMAL_PDF, claim, png_1x1

CYCLE, OTHER = "t-group-party-org", "t-group-party-org-b"
UNITS = [{"id": unit, "name": f"{unit}党委", "category": "直属"} for unit in ("P1", "P2")]


def in_progress(app: AssessApp, cycle: str = CYCLE) -> None:
    season = header(
        "group-party-org", UNITS, actions=[{"do": "publish_items", "by": "od", "at": "2025-03-01"}]
    )
    season["cycle"] = {**season["cycle"], "id": cycle}
    app.import_season(copy.deepcopy(season))


def stored(app: AssessApp, account: str, content: bytes, name: str, cycle: str = CYCLE) -> Upload:
    assert app.files is not None
    return upload(app.files, cycle, account, name, content, 20)


def events(app: AssessApp, cycle: str = CYCLE) -> int:
    return len(app.events_of(cycle))


def test_the_same_bytes_are_kept_once_with_an_upload_row_each(app: AssessApp) -> None:
    store = app.files
    assert isinstance(store, SQLFileStore)
    digest = hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert store.put(digest, PDF, MINIMAL_PDF, CYCLE, "u-P1", "通报.pdf") is True
    assert store.put(digest, PDF, MINIMAL_PDF, CYCLE, "u-P2", "同一份.pdf") is False
    assert store.put(digest, PDF, MINIMAL_PDF, OTHER, "u-P1", "通报.pdf") is False
    assert store.put(digest, PDF, MINIMAL_PDF, CYCLE, "u-P1", "又一次.pdf") is False
    rows = store.uploads(CYCLE)
    assert [(row["account"], row["name"], row["size"]) for row in rows] == [
        ("u-P1", "通报.pdf", len(MINIMAL_PDF)),
        ("u-P2", "同一份.pdf", len(MINIMAL_PDF)),
    ]
    assert [row["account"] for row in store.uploads(OTHER)] == ["u-P1"]
    assert store.read(digest) == MINIMAL_PDF and store.read("0" * 64) is None
    assert list(store.read_many(["0" * 64, digest])) == [("0" * 64, None), (digest, MINIMAL_PDF)]


def test_an_account_may_name_only_what_it_uploaded_to_that_cycle(app: AssessApp) -> None:
    in_progress(app)
    in_progress(app, OTHER)
    own = stored(app, "u-P1", MINIMAL_PDF, "通报.pdf")
    elsewhere = stored(app, "u-P1", png_1x1(), "照片.png", cycle=OTHER)
    theirs = stored(app, "u-P2", png_1x1(), "他人.png")
    assert app.files is not None
    assert app.files.uploaded(CYCLE, "u-P1", [own.sha256, elsewhere.sha256]) == {
        own.sha256: Uploaded(len(MINIMAL_PDF), PDF)
    }
    assert app.files.uploaded(CYCLE, "u-P2", [own.sha256]) == {}
    before = events(app)
    for name, attached in (("another cycle", elsewhere), ("another account", theirs)):
        with pytest.raises(ActionRefused) as caught:
            app.act(CYCLE, [claim([attached.attachment()])], account="u-P1")
        assert caught.value.code == "invalid_value", name
        assert "was uploaded to this cycle by this account" in caught.value.message
    with pytest.raises(ActionRefused):  # the right file, named by the wrong account
        app.act(CYCLE, [claim([own.attachment()])], account="u-P2")
    assert events(app) == before
    applied = app.act(CYCLE, [claim([own.attachment()])], account="u-P1")
    assert applied.position == before + 1
    assert app.events_of(CYCLE)[-1].data["attachments"] == [own.attachment()]


def attachment_cells(exported: bytes) -> dict[int, str]:
    """The `attachments` column of a CSV audit export, by position."""
    table = csv.DictReader(io.StringIO(exported.decode("utf-8-sig")))
    return {int(row["position"]): row["attachments"] for row in table}


def test_the_csv_audit_export_names_each_attached_file(db: str, app: AssessApp) -> None:
    in_progress(app)
    first = stored(app, "u-P1", MINIMAL_PDF, "表彰通报, 2025.pdf")
    second = stored(app, "u-P1", png_1x1(), "照片.png")
    assert second.media_type == PNG
    app.act(CYCLE, [claim([first.attachment(), second.attachment()])], account="u-P1")
    files = attachment_cells(audit_csv(export_records(app.events_of(CYCLE))))
    last = max(files)
    assert files[last].split("\n") == [
        f"表彰通报, 2025.pdf {first.sha256}",
        f"照片.png {second.sha256}",
    ]
    assert all(not files[position] for position in range(1, last))
    command = ["--db", db, "audit", CYCLE, "--format", "csv"]
    result = CliRunner().invoke(cli, command, catch_exceptions=False, prog_name="assess")
    assert result.exit_code == 0, result.stderr
    assert attachment_cells(result.stdout_bytes) == files
    report = verify_cycle(app, CYCLE)
    assert report.ok and report.files_checked == 2
