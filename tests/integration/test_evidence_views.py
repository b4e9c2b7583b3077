"""Evidence files and the read views, on both stores: audit rows and appeals answered from
the views carry the same attachments as those read from the events; files are no input,
so results and their digests are those of the same season without them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from assess.application.appeals import case_file
from assess.application.files import FileStore, upload
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.application.views import answers_noted
from assess.infrastructure.persistence import open_application
from assess.infrastructure.view_runner import ViewRunner
from tests.conftest import EXAMPLES

CYCLE = "2025-group-party-org"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _season() -> dict[str, Any]:
    season: dict[str, Any] = orjson.loads((EXAMPLES / "group-party-org.season.json").read_bytes())
    return season


@pytest.fixture
def app(db: str) -> Iterator[AssessApp]:
    application = open_application(AssessApp, db)
    yield application
    application.close()


def _with_files(app: AssessApp, season: dict[str, Any]) -> list[dict[str, Any]]:
    """The season played with a file on each claim, veto and appeal (by their actors'
    accounts, named like the actors): the attachments, in order."""
    header = {**season, "actions": []}
    app.import_season(header, account="importer")
    attached = []
    for number, action in enumerate(season["actions"]):
        action = dict(action)
        if action["do"] in ("claim_commendation", "apply_veto", "file_appeal"):
            content = b"%PDF-1.7\n" + f"evidence {number}".encode()
            done = upload(files_of(app), CYCLE, action["by"], f"佐证{number}.pdf", content, 20)
            action["attachments"] = [done.attachment(), _png(app, action["by"])]
            attached.append(action["attachments"])
        app.act(CYCLE, [action], account=action["by"])
    return attached


def _png(app: AssessApp, account: str) -> dict[str, Any]:
    """The same image by every account: stored once."""
    return upload(files_of(app), CYCLE, account, "台账.png", PNG, 20).attachment()


def files_of(app: AssessApp) -> FileStore:
    assert app.files is not None
    return app.files


def _reads(app: AssessApp) -> tuple[bytes, set[str]]:
    with answers_noted() as noted:
        audit = app.audit(CYCLE)
        per_unit = {unit: app.audit(CYCLE, unit) for unit in ("P0001", "P0003", "P0007")}
        results = app.results(CYCLE)
    return orjson.dumps([audit, per_unit, results]), set(noted)


def test_views_carry_the_attachments_the_events_do_and_results_are_unchanged(
    app: AssessApp,
) -> None:
    season = _season()
    attached = _with_files(app, season)
    assert len(attached) >= 3
    from_events, where = _reads(app)
    assert where == {"behind"}
    ViewRunner(app).run()
    from_views, where = _reads(app)
    assert where == {"current"}
    assert from_views == from_events
    rows = [row for row in app.audit(CYCLE, limit=None)[0] if "attachments" in row]
    assert [row["attachments"] for row in rows] == attached
    assert all(f"attachments={len(row['attachments'])}" in row["summary"] for row in rows)

    # Files are no input: every version's digest is the worked example's.
    expected = orjson.loads((EXAMPLES / "group-party-org.versions.json").read_bytes())
    for version in expected:
        assert app.results(CYCLE, version["version"])["digest"] == version["digest"]

    report = verify_cycle(app, CYCLE)
    assert report.ok, report.failure
    assert report.files_checked == 2 * len(attached)


def test_a_case_file_lists_every_file_attached_to_the_events_it_cites(app: AssessApp) -> None:
    season = _season()
    _with_files(app, season)
    appeal = next(a for a in season["actions"] if a["do"] == "file_appeal")
    found = case_file(app, CYCLE, appeal["appeal"])
    cited = [entry for row in found["events"] for entry in row.get("attachments", [])]
    assert cited, "the appellant's events attach files"
    assert {f["sha256"] for f in found["files"]} == {entry["sha256"] for entry in cited}
    assert len(found["files"]) == len({f["sha256"] for f in found["files"]})


def test_the_events_that_attach_files_are_read_once_per_position(
    app: AssessApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A download checks reading rights against the cycle's attaching events: kept for
    the position the cycle stands at, read again once it moves on."""
    season = _season()
    attached = _with_files(app, {**season, "actions": season["actions"][:12]})
    first = app.attaching_events(CYCLE)
    assert [list(event.attachments) for event in first] == attached
    reads: list[str] = []
    real = app.events_of
    monkeypatch.setattr(app, "events_of", lambda cycle: reads.append(cycle) or real(cycle))
    assert app.attaching_events(CYCLE) is first and reads == []
    app.act(CYCLE, [season["actions"][12]], account=season["actions"][12]["by"])
    assert app.attaching_events(CYCLE) == first and reads == [CYCLE]
