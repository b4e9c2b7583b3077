"""Evidence files (佐证材料, issue 15) over HTTP, on both stores: upload, attach to each
kind of act, read back within each viewer's scope, verify, audit and case file; a file
changed or lost in the database is found and never served; limits, refusals and
de-duplication store nothing they should not."""

from __future__ import annotations

import copy
import hashlib
import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from assess.api.app import create_app
from assess.application.files import DOCX, JPEG, MIB, PDF, PNG
from assess.application.season import read_season
from assess.infrastructure.file_store import files, uploads
from assess.infrastructure.persistence import normalise_url
from tests.api.conftest import ADMIN, PASSWORD, Api, settings_for_tests
from tests.conftest import EXAMPLES
from tests.unit.test_evidence_types import MINIMAL_JPEG, MINIMAL_PDF, minimal_docx, png_1x1

SEASON = read_season(EXAMPLES / "group-party-org.season.json")
CYCLE = SEASON["cycle"]["id"]
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00\x00"


def season_until(index: int) -> dict[str, Any]:
    """The example season's first `index` actions."""
    season = copy.deepcopy(SEASON)
    season["actions"] = season["actions"][:index]
    return season


def in_progress(api: Api) -> str:
    """Items published: units may claim commendations, assessors supervise."""
    return api.load(season_until(1))


def upload(api: Api, account: str, content: bytes, name: str, shown: str | None = None) -> Any:
    form = {} if shown is None else {"name": shown}
    return api.as_(account).post(
        f"/cycles/{CYCLE}/files",
        files={"file": (name, content, "application/octet-stream")},
        data=form,
    )


def uploaded(api: Api, account: str, content: bytes, name: str) -> dict[str, Any]:
    """An upload that must succeed, as an action names it."""
    reply = upload(api, account, content, name)
    assert reply.status_code == 201, reply.text
    return {key: value for key, value in reply.json().items() if key != "new"}


def act(api: Api, action: dict[str, Any]) -> Any:
    return api.act(CYCLE, action)


def acted(api: Api, action: dict[str, Any]) -> int:
    """The position of the one event the action stored."""
    reply = act(api, action)
    assert reply.status_code == 200, reply.text
    return int(reply.json()["position"])


def claim(by: str, unit: str, claim_id: str, *attached: dict[str, Any]) -> dict[str, Any]:
    return {
        "do": "claim_commendation",
        "by": by,
        "unit": unit,
        "claim": claim_id,
        "level": "provincial",
        "title": "先进基层党组织",
        "evidence": "省委通报",
        "attachments": list(attached),
    }


def event_count(api: Api) -> int:
    return int(api.as_(ADMIN).get(f"/cycles/{CYCLE}/audit", params={"limit": 1}).json()["total"])


@pytest.fixture
def engine(db: str) -> Iterator[sqlalchemy.Engine]:
    """The same database, to count and tamper with the file tables only."""
    made = sqlalchemy.create_engine(normalise_url(db))
    yield made
    made.dispose()


def row_counts(engine: sqlalchemy.Engine) -> tuple[int, int]:
    with engine.connect() as c:
        stored = c.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(files))
        kept = c.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(uploads))
        return int(stored.scalar_one()), int(kept.scalar_one())


def listed(api: Api, account: str) -> dict[str, dict[str, Any]]:
    reply = api.as_(account).get(f"/cycles/{CYCLE}/files")
    assert reply.status_code == 200, reply.text
    return {file["sha256"]: file for file in reply.json()}


def disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


# ---- the whole way: upload, attach, read back, verify, audit --------------------------


def test_files_attached_to_each_kind_of_act_are_read_back_verified_and_audited(
    api: Api,
) -> None:
    in_progress(api)
    claim_name = "关于表彰先进基层党组织的通报（2025）.pdf"
    first = upload(api, "u-P0003", MINIMAL_PDF, claim_name)
    assert first.status_code == 201, first.text
    assert first.json() == {
        "sha256": hashlib.sha256(MINIMAL_PDF).hexdigest(),
        "name": claim_name,
        "media_type": PDF,
        "size": len(MINIMAL_PDF),
        "new": True,
    }
    proof = {k: v for k, v in first.json().items() if k != "new"}
    claimed = acted(api, claim("u-P0003", "P0003", "C9", proof))

    ledger = uploaded(api, "as0", png_1x1(), "台账照片.png")
    photo = uploaded(api, "as0", MINIMAL_JPEG, "现场 检查.jpg")
    supervision = {
        "do": "record_supervision",
        "by": "as0",
        "unit": "P0003",
        "method": "ledger_review",
        "findings": "台账完整",
        "attachments": [ledger, photo],
    }
    supervised = acted(api, supervision)

    notice = uploaded(api, "lg", minimal_docx(), "通报批评决定.docx")
    veto = {
        "do": "apply_veto",
        "by": "lg",
        "unit": "P0002",
        "reason": "受到上级党委通报批评",
        "basis": "criticized_by_superior",
        "attachments": [notice],
    }
    vetoed = acted(api, veto)
    criticism = {"do": "record_criticism", "by": "as0", "unit": "P0003", "level": "group"}
    criticized = acted(api, {**criticism, "title": "通报批评", "attachments": [photo]})
    everything = {proof["sha256"]: proof, ledger["sha256"]: ledger, photo["sha256"]: photo}
    everything[notice["sha256"]] = notice
    assert [f["media_type"] for f in everything.values()] == [PDF, PNG, JPEG, DOCX]

    # the assessing side sees every file, with the events that attach it
    for account in ("od", "lg", "aud"):
        seen = listed(api, account)
        assert set(seen) == set(everything), account
    seen = listed(api, "od")
    assert [(e["position"], e["verb"], e["actor"]) for e in seen[proof["sha256"]]["events"]] == [
        (claimed, "claim_commendation", "u-P0003")
    ]
    assert [e["position"] for e in seen[photo["sha256"]]["events"]] == [supervised, criticized]
    assert [e["verb"] for e in seen[notice["sha256"]]["events"]] == ["apply_veto"]
    assert seen[notice["sha256"]]["events"][0]["position"] == vetoed
    assert all(not f["uploaded_by_you"] for f in seen.values())
    assert listed(api, "as0")[ledger["sha256"]]["uploaded_by_you"] is True
    # a unit: the files of the events that concern it, whoever attached them
    assert set(listed(api, "u-P0003")) == set(everything) - {notice["sha256"]}
    assert set(listed(api, "u-P0002")) == {notice["sha256"]}
    assert listed(api, "u-P0004") == {}

    # the same bytes back, under the original (UTF-8) name, never rendered by the browser
    contents = {proof["sha256"]: MINIMAL_PDF, ledger["sha256"]: png_1x1()}
    contents[photo["sha256"]] = MINIMAL_JPEG
    contents[notice["sha256"]] = minimal_docx()
    for digest, content in contents.items():
        reply = api.as_("aud").get(f"/cycles/{CYCLE}/files/{digest}")
        assert reply.status_code == 200, reply.text
        assert reply.content == content
        assert reply.headers["content-type"].startswith(everything[digest]["media_type"])
        assert reply.headers["content-disposition"] == disposition(everything[digest]["name"])
        assert reply.headers["content-security-policy"] == "sandbox"
        assert reply.headers["x-content-type-options"] == "nosniff"
    shown = api.as_("od").get(f"/cycles/{CYCLE}/files/{photo['sha256']}", params={"inline": 1})
    assert shown.headers["content-disposition"].startswith("inline;")
    kept = api.as_("od").get(f"/cycles/{CYCLE}/files/{proof['sha256']}", params={"inline": 1})
    assert kept.headers["content-disposition"] == disposition(claim_name)  # a PDF: saved
    upper = api.as_("od").get(f"/cycles/{CYCLE}/files/{proof['sha256'].upper()}")
    assert upper.status_code == 200 and upper.content == MINIMAL_PDF

    verified = api.as_("aud").get(f"/cycles/{CYCLE}/verify").json()
    assert verified["ok"] is True, verified
    assert verified["files_checked"] == 5  # the photo twice: once per event

    rows = api.as_("aud").get(f"/cycles/{CYCLE}/audit", params={"limit": 1000}).json()["rows"]
    with_files = {row["position"]: row["attachments"] for row in rows if row["attachments"]}
    assert with_files == {
        claimed: [proof],
        supervised: [ledger, photo],
        vetoed: [notice],
        criticized: [photo],
    }
    summaries = {row["position"]: row["summary"] for row in rows}
    assert "attachments=2" in summaries[supervised] and "attachments=1" in summaries[vetoed]
    assert "attachments=" not in summaries[1]

    # the audit workbook's 佐证材料 column names each file and its digest
    sheet = load_workbook(io.BytesIO(console_download(api, "od", "audit.xlsx"))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    column = header.index("佐证材料")
    cells = {int(row[0].value): row[column].value for row in sheet.iter_rows(min_row=2)}
    assert cells[supervised] == f"{ledger['name']} {ledger['sha256']}\n" + (
        f"{photo['name']} {photo['sha256']}"
    )
    assert cells[claimed] == f"{claim_name} {proof['sha256']}"
    assert not cells[1]


def console_download(api: Api, account: str, what: str) -> bytes:
    """A console export, signed in with the account's password (the cookie dropped after)."""
    client = api.client
    form = client.get("/sign-in")
    token = form.text.split('name="sign_in_token" value="', 1)[1].split('"', 1)[0]
    answer = client.post(
        "/sign-in",
        data={"username": account, "password": PASSWORD, "sign_in_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    try:
        reply = client.get(f"/c/{CYCLE}/{what}")
        assert reply.status_code == 200, reply.text
        return reply.content
    finally:
        client.cookies.clear()


# ---- appeals: the case file holds every file of its unit's events ---------------------


def test_the_case_file_lists_every_file_attached_to_the_units_events(api: Api) -> None:
    api.load(season_until(41))  # scoring closed, vetoes applied; corrections to come
    correction = uploaded(api, "od", MINIMAL_PDF, "复核记录.pdf")
    corrected = acted(
        api,
        {
            "do": "correct_score",
            "by": "od",
            "reason": "复核更正",
            "unit": "P0005",
            "component": "research_h1",
            "value": 71.4,
            "attachments": [correction],
        },
    )
    elsewhere = uploaded(api, "od", png_1x1(), "其他单位.png")
    other = {"do": "correct_score", "by": "od", "reason": "复核更正", "unit": "P0006"}
    acted(api, {**other, "component": "year_end", "value": 82, "attachments": [elsewhere]})
    acted(api, {"do": "approve_results", "by": "lg"})
    acted(api, {"do": "publish_results", "by": "od"})  # dated today: the appeal is in time

    grounds = uploaded(api, "u-P0005", minimal_docx(), "申诉理由.docx")
    appeal = {"do": "file_appeal", "by": "u-P0005", "unit": "P0005", "appeal": "AP9"}
    filed = acted(api, {**appeal, "reason": "对评分有异议", "attachments": [grounds]})
    answer = uploaded(api, "od", MINIMAL_JPEG, "复核意见.jpg")
    resolution = {
        "do": "resolve_appeal",
        "by": "od",
        "appeal": "AP9",
        "outcome": "dismissed",
        "answer": "经核实维持原结果",
        "attachments": [answer],
    }
    resolved = acted(api, resolution)

    for account in ("od", "u-P0005"):
        case = api.as_(account).get(f"/cycles/{CYCLE}/appeals/AP9")
        assert case.status_code == 200, case.text
        found = {file["sha256"]: file["position"] for file in case.json()["files"]}
        assert found == {
            correction["sha256"]: corrected,
            grounds["sha256"]: filed,
            answer["sha256"]: resolved,
        }, account
    # the unit reads the files of its own events, whoever attached them; not another's
    unit = listed(api, "u-P0005")
    assert set(unit) == {correction["sha256"], grounds["sha256"], answer["sha256"]}
    reply = api.as_("u-P0005").get(f"/cycles/{CYCLE}/files/{answer['sha256']}")
    assert reply.status_code == 200 and reply.content == MINIMAL_JPEG
    refused = api.as_("u-P0005").get(f"/cycles/{CYCLE}/files/{elsewhere['sha256']}")
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    assert api.as_("u-P0006").get(f"/cycles/{CYCLE}/files/{grounds['sha256']}").status_code == 404
    verified = api.as_("aud").get(f"/cycles/{CYCLE}/verify").json()
    assert verified["ok"] is True and verified["files_checked"] == 4


# ---- tampering -------------------------------------------------------------------------


def test_a_changed_or_lost_file_fails_verify_and_is_never_served(
    api: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(api)
    name = "表彰通报.pdf"
    proof = uploaded(api, "u-P0003", MINIMAL_PDF, name)
    kept = uploaded(api, "u-P0003", png_1x1(), "照片.png")
    position = acted(api, claim("u-P0003", "P0003", "C9", kept, proof))
    url = f"/cycles/{CYCLE}/files/{proof['sha256']}"
    assert api.as_("od").get(url).status_code == 200

    changed = MINIMAL_PDF[:-2] + b"X\n"  # one byte
    with engine.begin() as c:
        c.execute(files.update().where(files.c.sha256 == proof["sha256"]).values(content=changed))
    verified = api.as_("aud").get(f"/cycles/{CYCLE}/verify").json()
    assert verified["ok"] is False and verified["position"] == position
    assert f"event {position} (CommendationClaimed) attaches {name}" in verified["failure"]
    assert proof["sha256"] in verified["failure"] and "hashes to" in verified["failure"]
    for account in ("od", "u-P0003"):
        reply = api.as_(account).get(url)
        assert reply.status_code == 500 and reply.json()["error"] == "integrity"
        assert changed not in reply.content
    intact = api.as_("od").get(f"/cycles/{CYCLE}/files/{kept['sha256']}")
    assert intact.status_code == 200 and intact.content == png_1x1()

    with engine.begin() as c:
        c.execute(files.delete().where(files.c.sha256 == proof["sha256"]))
    verified = api.as_("aud").get(f"/cycles/{CYCLE}/verify").json()
    assert verified["ok"] is False and verified["position"] == position
    assert (
        f"attaches {name} ({proof['sha256']}): the stored file is missing" in (verified["failure"])
    )
    assert api.as_("od").get(url).status_code == 404


# ---- refusals: nothing stored -----------------------------------------------------------


def test_an_action_naming_a_file_not_its_own_is_refused_and_stores_nothing(
    api: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(api)
    own = uploaded(api, "u-P0003", MINIMAL_PDF, "通报.pdf")
    theirs = uploaded(api, "u-P0004", png_1x1(), "他人.png")
    before, rows = event_count(api), row_counts(engine)
    unknown = {**own, "sha256": "0" * 64}
    cases = {
        "unknown digest": [unknown],
        "another unit's upload": [theirs],
        "another size": [{**own, "size": own["size"] + 1}],
        "another type": [{**own, "media_type": PNG}],
        "a folder in the name": [{**own, "name": "材料/通报.pdf"}],
        "an unknown field": [{**own, "pages": 2}],
        "the same file twice": [own, own],
        "eleven files": [own] * 11,
    }
    for case, attached in cases.items():
        reply = act(api, claim("u-P0003", "P0003", "C9", *attached))
        assert reply.status_code == 422, (case, reply.text)
        assert reply.json()["error"] == "invalid_value", case
    # an account's batch stays whole: a good claim with a bad one stores neither
    batch = {
        "actions": [
            {k: v for k, v in claim("u-P0003", "P0003", "C8", own).items() if k != "by"},
            {k: v for k, v in claim("u-P0003", "P0003", "C9", unknown).items() if k != "by"},
        ]
    }
    reply = api.as_("u-P0003").post(f"/cycles/{CYCLE}/actions", json=batch)
    assert reply.status_code == 422 and reply.json()["action_index"] == 1, reply.text
    # a verb that rests on no document takes no attachments
    score = {"do": "submit_score", "by": "as0", "unit": "P0003", "component": "research_h1"}
    theirs_too = uploaded(api, "as0", MINIMAL_JPEG, "评分表.jpg")
    reply = act(api, {**score, "value": 80, "attachments": [theirs_too]})
    assert reply.status_code == 422 and reply.json()["error"] == "invalid_value", reply.text
    assert "attachments" in reply.json()["message"]
    rows = (rows[0] + 1, rows[1] + 1)  # that upload itself
    assert (event_count(api), row_counts(engine)) == (before, rows)
    assert listed(api, "od") == {}
    # a digest in capitals names the same file, recorded in lower case
    position = acted(api, claim("u-P0003", "P0003", "C9", {**own, "sha256": own["sha256"].upper()}))
    assert position == before + 1
    rows = api.as_("od").get(f"/cycles/{CYCLE}/audit", params={"offset": before}).json()["rows"]
    assert rows[0]["attachments"] == [own]


def test_a_file_uploaded_to_another_cycle_cannot_be_attached(api: Api) -> None:
    in_progress(api)
    other = season_until(1)
    other["cycle"] = {**other["cycle"], "id": "2025-group-party-org-b"}
    api.services.app.import_season(other)
    api.services.accounts.bind("u-P0003", "2025-group-party-org-b", "u-P0003")
    reply = api.as_("u-P0003").post(
        "/cycles/2025-group-party-org-b/files", files={"file": ("通报.pdf", MINIMAL_PDF)}
    )
    assert reply.status_code == 201, reply.text
    elsewhere = {k: v for k, v in reply.json().items() if k != "new"}
    before = event_count(api)
    refused = act(api, claim("u-P0003", "P0003", "C9", elsewhere))
    assert refused.status_code == 422 and refused.json()["error"] == "invalid_value"
    assert "was uploaded to this cycle by this account" in refused.json()["message"]
    assert event_count(api) == before and listed(api, "u-P0003") == {}


# ---- who reads what ---------------------------------------------------------------------


def test_a_file_is_read_within_the_viewers_scope_only(api: Api, engine: sqlalchemy.Engine) -> None:
    in_progress(api)
    proof = uploaded(api, "u-P0003", MINIMAL_PDF, "通报.pdf")
    acted(api, claim("u-P0003", "P0003", "C9", proof))
    draft = uploaded(api, "u-P0003", png_1x1(), "草稿.png")
    attached_url = f"/cycles/{CYCLE}/files/{proof['sha256']}"
    draft_url = f"/cycles/{CYCLE}/files/{draft['sha256']}"

    for account in ("od", "lg", "aud", "as0", ADMIN, "u-P0003"):
        reply = api.as_(account).get(attached_url)
        assert reply.status_code == 200 and reply.content == MINIMAL_PDF, account
    other = api.as_("u-P0004").get(attached_url)
    assert other.status_code == 404 and other.json()["error"] == "not_found"
    assert proof["sha256"] not in other.text
    assert listed(api, "u-P0004") == {}
    nothing = api.as_("u-P0004").get(f"/cycles/{CYCLE}/files/{'0' * 64}").json()
    assert nothing["error"] == other.json()["error"]  # as if it did not exist

    # an upload nobody attached: its uploader's alone, even against org_dept
    own = listed(api, "u-P0003")
    assert own[draft["sha256"]]["events"] == [] and own[draft["sha256"]]["uploaded_by_you"]
    assert api.as_("u-P0003").get(draft_url).content == png_1x1()
    for account in ("od", "lg", "aud", "u-P0004"):
        assert draft["sha256"] not in listed(api, account), account
        assert api.as_(account).get(draft_url).status_code == 404, account

    # the auditor attaches nothing, so uploads nothing; neither may a stranger
    rows = row_counts(engine)
    refused = upload(api, "aud", MINIMAL_PDF, "审计.pdf")
    assert refused.status_code == 403 and refused.json()["error"] == "permission_denied"
    api.account("stranger")
    assert upload(api, "stranger", MINIMAL_PDF, "x.pdf").status_code == 403
    assert row_counts(engine) == rows
    assert api.client.get(attached_url).status_code == 401


def test_a_rater_attaches_nothing_and_uploads_nothing(api: Api) -> None:
    cycle = api.load(read_season(EXAMPLES / "leadership-team.season.json"))
    reply = api.as_("r0").post(f"/cycles/{cycle}/files", files={"file": ("票.pdf", MINIMAL_PDF)})
    assert reply.status_code == 403 and reply.json()["error"] == "permission_denied"
    assert "rater" in reply.json()["message"]
    assert api.as_("r0").get(f"/cycles/{cycle}/files").json() == []


# ---- limits, types and de-duplication ---------------------------------------------------


@pytest.fixture
def small(db: str) -> Iterator[Api]:
    """A server whose evidence files may be 1 MiB at most."""
    with TestClient(create_app(db, settings_for_tests(max_file_mb=1))) as client:
        yield Api(client)


def test_a_file_over_the_limit_is_413_and_stores_nothing(
    small: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(small)
    body = MINIMAL_PDF + b"\n%" + b"0" * (MIB - len(MINIMAL_PDF) - 2)
    assert len(body) == MIB
    rows = row_counts(engine)
    over = upload(small, "u-P0003", body + b"0", "大文件.pdf")
    assert over.status_code == 413, over.text
    assert over.json()["error"] == "too_large" and "1 MiB" in over.json()["message"]
    far_over = upload(small, "u-P0003", body * 3, "大文件.pdf")  # past the body limit itself
    assert far_over.status_code == 413 and far_over.json()["error"] == "too_large"
    assert row_counts(engine) == rows
    exact = upload(small, "u-P0003", body, "刚好.pdf")
    assert exact.status_code == 201 and exact.json()["size"] == MIB
    assert row_counts(engine) == (rows[0] + 1, rows[1] + 1)


def test_the_file_limit_does_not_raise_other_routes_limits(db: str) -> None:
    settings = settings_for_tests(max_file_mb=3, max_body_mb=1)
    with TestClient(create_app(db, settings)) as client:
        api = Api(client)
        in_progress(api)
        padding = b"0" * (MIB + MIB // 2)
        accepted = upload(api, "u-P0003", MINIMAL_PDF + b"\n%" + padding, "扫描件.pdf")
        assert accepted.status_code == 201, accepted.text
        action = claim("u-P0003", "P0003", "C9") | {"evidence": "x" * (MIB + MIB // 2)}
        refused = act(api, action)
        assert refused.status_code == 413 and refused.json()["error"] == "too_large"
        sheets = api.as_("od").post(f"/cycles/{CYCLE}/sheets", content=padding)
        assert sheets.status_code == 413


def test_a_disguised_or_empty_file_is_refused_and_stores_nothing(
    api: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(api)
    rows = row_counts(engine)
    for name, content in (("通报.pdf", EXECUTABLE), ("空.pdf", b""), ("a.docx", b"PK\x03\x04x")):
        reply = upload(api, "u-P0003", content, name)
        assert reply.status_code == 422, (name, reply.text)
        assert reply.json()["error"] == "invalid_value" and name in reply.json()["message"]
    no_name = upload(api, "u-P0003", MINIMAL_PDF, "")
    assert no_name.status_code == 422 and no_name.json()["error"] == "invalid_value"
    assert row_counts(engine) == rows


def test_the_same_bytes_are_stored_once_for_every_uploader(
    api: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(api)
    first = upload(api, "u-P0003", MINIMAL_PDF, "通报.pdf")
    again = upload(api, "u-P0004", MINIMAL_PDF, "同一份通报.pdf")
    assert (first.status_code, again.status_code) == (201, 201)
    assert (first.json()["new"], again.json()["new"]) == (True, False)
    assert first.json()["sha256"] == again.json()["sha256"]
    assert again.json()["name"] == "同一份通报.pdf"
    assert row_counts(engine) == (1, 2)
    repeated = upload(api, "u-P0003", MINIMAL_PDF, "通报.pdf")
    assert repeated.status_code == 201 and repeated.json()["new"] is False
    assert row_counts(engine) == (1, 2)
    # each uploader may attach it, under the name it chose
    first_entry = {k: v for k, v in first.json().items() if k != "new"}
    second_entry = {k: v for k, v in again.json().items() if k != "new"}
    acted(api, claim("u-P0003", "P0003", "C8", first_entry))
    acted(api, claim("u-P0004", "P0004", "C9", second_entry))
    events = listed(api, "od")[first_entry["sha256"]]["events"]
    assert [(e["actor"], e["name"]) for e in events] == [
        ("u-P0003", "通报.pdf"),
        ("u-P0004", "同一份通报.pdf"),
    ]
    assert api.as_("aud").get(f"/cycles/{CYCLE}/verify").json()["files_checked"] == 2


def test_the_name_form_field_overrides_the_files_own(api: Api) -> None:
    in_progress(api)
    reply = upload(api, "u-P0003", MINIMAL_PDF, "scan0001.pdf", shown="表彰 通报.pdf")
    assert reply.status_code == 201 and reply.json()["name"] == "表彰 通报.pdf"
    path = upload(api, "u-P0004", png_1x1(), "C:\\Users\\办公室\\照片.png")
    assert path.status_code == 201 and path.json()["name"] == "照片.png"


def test_a_chunked_upload_past_the_limit_is_413_and_stores_nothing(
    small: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(small)
    boundary = "evidence-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()

    def body() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield head + MINIMAL_PDF
        for _ in range(3 * 16):
            yield b"0" * (MIB // 16)
        yield f"\r\n--{boundary}--\r\n".encode()

    rows = row_counts(engine)
    speaker = small.as_("u-P0003")
    reply = small.client.post(
        f"/cycles/{CYCLE}/files",
        content=body(),
        headers={**speaker.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert reply.status_code == 413 and reply.json()["error"] == "too_large", reply.text
    assert row_counts(engine) == rows


def test_a_name_that_would_show_another_extension_is_refused(
    api: Api, engine: sqlalchemy.Engine
) -> None:
    in_progress(api)
    rows = row_counts(engine)
    reply = upload(api, "u-P0003", MINIMAL_PDF, "报告\u202efdp.exe")  # shows as 报告exe.pdf
    assert reply.status_code == 422 and "bidirectional" in reply.json()["message"]
    good = uploaded(api, "u-P0003", MINIMAL_PDF, "报告.pdf")
    named = claim("u-P0003", "P0003", "C-RTL", {**good, "name": "报告\u202efdp.exe"})
    refused = act(api, named)
    assert refused.status_code == 422 and "bidirectional" in refused.json()["message"]
    assert row_counts(engine)[0] == rows[0] + 1  # the good upload only


def test_nothing_is_uploaded_where_the_role_can_attach_nothing_now(
    api: Api, engine: sqlalchemy.Engine
) -> None:
    """A unit attaches in the mid-year (claims) and after publication (appeals): in
    review it can attach nothing, while org_dept can (corrections)."""
    verbs = [action["do"] for action in SEASON["actions"]]
    api.load(season_until(verbs.index("close_scoring") + 1))
    assert api.as_("od").get(f"/cycles/{CYCLE}").json()["stage"] == "review"
    rows = row_counts(engine)
    reply = upload(api, "u-P0003", MINIMAL_PDF, "迟交.pdf")
    assert reply.status_code == 409 and reply.json()["error"] == "wrong_stage", reply.text
    assert "review" in reply.json()["message"]
    assert row_counts(engine) == rows
    assert upload(api, "od", MINIMAL_PDF, "更正依据.pdf").status_code == 201


def test_nothing_is_uploaded_to_a_closed_cycle(api: Api, engine: sqlalchemy.Engine) -> None:
    api.load(copy.deepcopy(SEASON))
    assert api.as_("od").get(f"/cycles/{CYCLE}").json()["stage"] == "closed"
    rows = row_counts(engine)
    for account in ("od", "u-P0003", "lg"):
        late = upload(api, account, MINIMAL_PDF, "迟交.pdf")
        assert late.status_code == 409 and late.json()["error"] == "wrong_stage", late.text
    assert row_counts(engine) == rows
