"""Every event records the account that submitted it (SPEC §4.1), in its hashed content,
on both stores; events stored before accounts were recorded still verify."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy

from assess.application import library
from assess.application.appeals import case_file
from assess.application.audit import audit_rows, export_records
from assess.application.exports import audit_csv
from assess.application.group_commit import Ticket
from assess.application.season import read_season
from assess.application.service import AssessApp
from assess.application.verify import verify_cycle
from assess.domain.chain import GENESIS, event_content
from assess.domain.cycle import cycle_uuid
from assess.infrastructure.persistence import normalise_url, open_application
from tests.conftest import EXAMPLES
from tests.integration.test_previous_release import FIXTURE
from tests.integration.test_tamper import set_state, state_of
from tests.seasons import group_season

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"
SEASON = group_season({"P1": ("90", "80", "85"), "P2": ("70", "75", "88")})
CYCLE = SEASON["cycle"]["id"]
CLOSE = {"do": "close_scoring", "by": "od"}
VETO = {"do": "apply_veto", "by": "lg", "unit": "P2", "basis": "other", "reason": "理由"}


def accounts_of(app: AssessApp, cycle: str) -> list[str | None]:
    return [event.account for event in app.events_of(cycle)]


def test_import_and_act_record_their_accounts(app: AssessApp) -> None:
    imported = app.import_season(SEASON, account="importer")
    app.act(CYCLE, [VETO], account="li.wei")
    app.act(CYCLE, [CLOSE], account="ops")
    assert accounts_of(app, CYCLE) == ["importer"] * imported.events + ["li.wei", "ops"]
    report = verify_cycle(app, CYCLE)
    assert report.ok, report.failure
    rows = audit_rows(app.events_of(CYCLE))
    assert [row["account"] for row in rows[-2:]] == ["li.wei", "ops"]
    assert [row["actor"] for row in rows[-2:]] == ["lg", "od"]


def test_accounts_do_not_change_results_or_digests(app: AssessApp, memory_app: AssessApp) -> None:
    app.import_season(SEASON, account="importer")
    app.act(CYCLE, [CLOSE], account="ops")
    memory_app.import_season(SEASON)
    memory_app.act(CYCLE, [CLOSE])
    assert app.results(CYCLE) == memory_app.results(CYCLE)


def test_group_commit_records_each_tickets_own_account(app: AssessApp) -> None:
    app.import_season(SEASON, account="importer")
    veto = Ticket([VETO], "li.wei")
    close = Ticket([CLOSE], "ops")
    app._group_commit._settle(CYCLE, [veto, close])  # one group, as under load
    assert veto.outcome().position + 1 == close.outcome().position
    assert accounts_of(app, CYCLE)[-2:] == ["li.wei", "ops"]


def test_the_account_is_in_the_exports_and_the_hash(app: AssessApp, tmp_path: Path) -> None:
    app.import_season(SEASON, account="导入者")
    app.act(CYCLE, [CLOSE], account="ops")
    records = export_records(app.events_of(CYCLE))
    assert {record["account"] for record in records} == {"导入者", "ops"}
    assert "account" in audit_csv(records).decode("utf-8-sig").splitlines()[0].split(",")
    assert ",ops," in audit_csv(records).decode("utf-8-sig").splitlines()[-1]
    last = records[-1]
    fields = {key: last[key] for key in ("actor", "role", "at", "data")}
    recorded = app.events_of(CYCLE)[-1].timestamp
    without = event_content(last["event"], last["position"], recorded, fields, last["previous"])
    with_account = event_content(
        last["event"], last["position"], recorded, {**fields, "account": "ops"}, last["previous"]
    )
    assert "account" not in without and with_account["account"] == "ops"

    export = tmp_path / "audit.json"
    export.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    head = verify_cycle(app, CYCLE).head
    checked = subprocess.run(
        [sys.executable, str(SCRIPT), str(export), head], capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout
    records[-1]["account"] = "someone-else"
    export.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    checked = subprocess.run([sys.executable, str(SCRIPT), str(export)], capture_output=True)
    assert checked.returncode == 1
    assert f"event {len(records)} does not match its hash" in checked.stdout.decode()


def test_a_changed_account_breaks_the_chain_there(db: str, app: AssessApp) -> None:
    app.import_season(SEASON, account="importer")
    app.act(CYCLE, [VETO], account="li.wei")
    app.act(CYCLE, [CLOSE], account="ops")
    position = len(app.events_of(CYCLE)) - 1
    engine = sqlalchemy.create_engine(normalise_url(db))
    try:
        state = state_of(engine, position)
        assert b'"account":"li.wei"' in state
        set_state(engine, position, state.replace(b'"li.wei"', b'"admin1"'))
    finally:
        engine.dispose()
    report = verify_cycle(app, CYCLE)
    assert report.position == position
    assert "does not match its hash" in (report.failure or "")


def _strip_accounts(engine: sqlalchemy.Engine, positions: range) -> None:
    """Rows as the release before accounts wrote them: no `account` key at all."""
    for position in positions:
        state = json.loads(state_of(engine, position))
        assert state.pop("account") is None
        set_state(engine, position, json.dumps(state, separators=(",", ":")).encode())


def test_events_without_an_account_decode_and_verify_beside_new_ones(
    db: str, app: AssessApp
) -> None:
    imported = app.import_season(SEASON)  # no account: the old content
    engine = sqlalchemy.create_engine(normalise_url(db))
    try:
        _strip_accounts(engine, range(1, imported.events + 1))
    finally:
        engine.dispose()
    app.forget(CYCLE)
    app.act(CYCLE, [CLOSE], account="ops")
    assert accounts_of(app, CYCLE) == [None] * imported.events + ["ops"]
    report = verify_cycle(app, CYCLE)
    assert report.ok, report.failure
    decoded = [
        library.decode_plain_json(row) for row in app.recorder.select_events(cycle_uuid(CYCLE))
    ]
    assert [event.account for event in decoded] == [None] * imported.events + ["ops"]


@pytest.fixture
def previous(tmp_path: Path) -> AssessApp:
    copy = tmp_path / "previous.db"
    shutil.copyfile(FIXTURE, copy)
    with sqlite3.connect(copy) as connection:  # reopen the closed cycle: drop CycleClosed
        dropped = connection.execute(
            "DELETE FROM assess_events WHERE originator_version = 54 AND topic LIKE '%CycleClosed'"
        )
        assert dropped.rowcount == 1  # only group-party-org has 54 events
    app = open_application(AssessApp, f"sqlite:///{copy}")
    yield app
    app.close()


def test_a_previous_release_cycle_continued_with_accounts_verifies(
    previous: AssessApp, tmp_path: Path
) -> None:
    cycle = "2025-group-party-org"
    assert previous.events_of(cycle)[-1].account is None
    previous.act(cycle, [{"do": "close_cycle", "by": "od"}], account="ops")
    assert accounts_of(previous, cycle) == [None] * 53 + ["ops"]
    report = verify_cycle(previous, cycle)
    assert report.ok, report.failure
    assert report.events == 54

    records = export_records(previous.events_of(cycle))
    assert records[0]["previous"] == GENESIS and records[-1]["account"] == "ops"
    export = tmp_path / "audit.json"
    export.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, str(SCRIPT), str(export), report.head], capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stdout


def test_the_case_file_shows_who_acted_by_account(app: AssessApp) -> None:
    season = read_season(EXAMPLES / "group-party-org.season.json")
    app.import_season(season, account="importer")
    found = case_file(app, "2025-group-party-org", "AP0")
    assert found["inputs"] and {entry["account"] for entry in found["inputs"]} == {"importer"}
    assert {row["account"] for row in found["events"]} == {"importer"}
