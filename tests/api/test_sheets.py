"""GET /cycles/{id}/template and POST /cycles/{id}/sheets (issue 14) over HTTP."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.api.conftest import Api
from tests.integration.test_sheets import _seasons, _split

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(api: Api, cycle: str, actor: str, data: bytes) -> object:
    files = {"file": ("as.xlsx", data, XLSX)}
    return api.as_(actor).post(f"/cycles/{cycle}/sheets", files=files)


def test_download_fill_and_upload(api: Api) -> None:
    base, _ = _split(_seasons()["performance-evaluation"], "as")
    cycle = api.load(base)
    reply = api.as_("as").get(f"/cycles/{cycle}/template")
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(reply.content))
    assert book["_meta"]["B2"].value == "as"
    sheet = book["组织评价"]
    sheet["D3"], sheet["E3"] = 88, "abc"
    out = io.BytesIO()
    book.save(out)
    before = len(api.services.app.events_of(cycle))
    refused = _upload(api, cycle, "as", out.getvalue())
    assert refused.status_code == 422  # type: ignore[attr-defined]
    body = refused.json()  # type: ignore[attr-defined]
    assert body["error"] == "invalid_value"
    assert body["message"].splitlines() == [
        "组织评价!D3: 88 不是 100/85/70/40 之一",
        "组织评价!E3: “abc” 不是数字",
    ]
    assert len(api.services.app.events_of(cycle)) == before
    # another actor's upload of this template: refused, by its actor
    other = _upload(api, cycle, "r", out.getvalue())
    assert other.status_code == 422  # type: ignore[attr-defined]
    assert "模板是为 as 生成的，不是 r" in other.json()["message"]  # type: ignore[attr-defined]
    sheet["D3"], sheet["E3"] = 85, 70
    out = io.BytesIO()
    book.save(out)
    done = _upload(api, cycle, "as", out.getvalue())
    assert done.status_code == 200, done.text  # type: ignore[attr-defined]
    assert done.json()["events"] == 1  # type: ignore[attr-defined]


def test_a_keyed_upload_sent_twice_is_stored_once(api: Api) -> None:
    base, _ = _split(_seasons()["performance-evaluation"], "as")
    cycle = api.load(base)
    book = load_workbook(io.BytesIO(api.as_("as").get(f"/cycles/{cycle}/template").content))
    book["组织评价"]["D3"] = 85
    out = io.BytesIO()
    book.save(out)
    files = {"file": ("as.xlsx", out.getvalue(), XLSX)}
    headers = {**api.as_("as").headers, "Idempotency-Key": "sheet-1"}
    first = api.client.post(f"/cycles/{cycle}/sheets", files=files, headers=headers)
    stored = len(api.services.app.events_of(cycle))
    again = api.client.post(f"/cycles/{cycle}/sheets", files=files, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert again.content == first.content and first.json()["events"] == 1
    assert len(api.services.app.events_of(cycle)) == stored
