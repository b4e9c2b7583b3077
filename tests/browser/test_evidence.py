"""Evidence files (佐证材料) in the browser: a unit claims a commendation with a photo chosen
by the picker and a PDF dropped on the form, after a disguised file refused the whole form
with nothing stored; the audit page shows the thumbnail and the link, and the download
keeps the Chinese name and the bytes; another unit's account gets 404. org_dept answers
an appeal with a document, which the case file lists for both sides."""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from assess.api.middleware import BodyLimit, upload_limits
from assess.infrastructure.file_store import files as files_table
from tests.browser.conftest import DEMO_PASSWORD, Live, shot
from tests.browser.test_review import CYCLE, review_season
from tests.conftest import store_agnostic
from tests.seasons import header

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(64)
PHOTO, NOTICE = "表彰大会照片.png", "省委表彰通报.pdf"


def png(width: int = 8, height: int = 6) -> bytes:
    """A real (red) PNG, so that the thumbnail is drawn."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    """An Office Open XML word document, as the sniffer knows one (its times: the zip's)."""
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return package.getvalue()


def mid_year_season(live: Live) -> None:
    """group-party-org in 年中督查 with units P1 and P2: the `unit` account holds P1's
    actor, a second account `unit2` P2's."""
    units = [{"id": unit, "name": f"{unit}党委", "category": "直属"} for unit in ("P1", "P2")]
    season = header("group-party-org", units, actions=[{"do": "publish_items", "by": "od"}])
    services = live.services
    services.app.import_season(season, account="test")
    services.accounts.bind("unit", CYCLE, "u-P1")
    services.accounts.add("unit2", DEMO_PASSWORD, actors={CYCLE: "u-P2"}, exempt=True)


def stored_files(live: Live) -> int:
    with live.services.app.files.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(files_table)).scalar())


def drop(page: Any, form: str, name: str, content: bytes, media_type: str) -> None:
    """Drops a file on the form's zone, as a file dragged from the desktop."""
    page.evaluate(
        """([selector, name, data, type]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const dropped = new DataTransfer();
            dropped.items.add(new File([bytes], name, { type }));
            document.querySelector(selector).dispatchEvent(
                new DragEvent("drop", { dataTransfer: dropped, bubbles: true, cancelable: true }));
        }""",
        [f"{form} [data-dropzone]", name, base64.b64encode(content).decode(), media_type],
    )


def fill_claim(page: Any, title: str) -> None:
    page.click("#form-claim_commendation > summary")
    page.select_option("#claim_commendation-level", "provincial")
    page.fill("#claim_commendation-title", title)
    page.fill("#claim_commendation-evidence", "省委组织部 2025 年 6 月通报")


@store_agnostic
def test_a_unit_attaches_a_photo_and_a_dropped_pdf_to_a_claim(tabs: Any, live: Live) -> None:
    mid_year_season(live)
    unit = tabs()
    unit.sign_in("unit")
    page = unit.tab
    page.goto(f"/c/{CYCLE}")
    events = len(live.services.app.events_of(CYCLE))

    # A program named .pdf, beside a good photo: refused in Chinese, nothing stored at all.
    fill_claim(page, "先进基层党组织")
    page.set_input_files(
        "#claim_commendation-files",
        files=[
            {"name": PHOTO, "mimeType": "image/png", "buffer": png()},
            {"name": "通报.pdf", "mimeType": "application/pdf", "buffer": EXECUTABLE},
        ],
    )
    with page.expect_navigation():
        page.click("#form-claim_commendation button[type=submit]")
    refusal = page.inner_text("#outcome")
    assert "申报表彰加分未完成" in refusal and "“通报.pdf”不是" in refusal, refusal
    assert len(live.services.app.events_of(CYCLE)) == events
    assert stored_files(live) == 0 and live.services.app.files.uploads(CYCLE) == []
    shot(unit, "evidence-refused")

    # The photo by the picker, the notice dropped on the zone: both go with the claim.
    fill_claim(page, "先进基层党组织")
    page.set_input_files(
        "#claim_commendation-files",
        files=[{"name": PHOTO, "mimeType": "image/png", "buffer": png()}],
    )
    drop(page, "#form-claim_commendation", NOTICE, PDF, "application/pdf")
    chosen = page.locator("#form-claim_commendation .chosen li")
    assert chosen.count() == 2 and NOTICE in chosen.nth(1).inner_text()
    assert page.evaluate("document.querySelector('#claim_commendation-files').files.length") == 2
    shot(unit, "evidence-chosen")
    with page.expect_navigation():
        page.click("#form-claim_commendation button[type=submit]")
    assert "已完成：申报表彰加分" in page.inner_text("#outcome")
    claimed = live.services.app.events_of(CYCLE)[-1]
    assert [entry["name"] for entry in claimed.data["attachments"]] == [PHOTO, NOTICE]
    assert stored_files(live) == 2
    assert page.locator("#evidence .evidence-file").count() == 2

    page.goto(f"/c/{CYCLE}/audit")
    page.wait_for_load_state("networkidle")
    row = page.locator(f"tr[data-position='{claimed.originator_version}']")
    thumb = row.locator(f"img.thumb[alt='{PHOTO}']")
    assert thumb.evaluate("image => image.complete && image.naturalWidth === 8")
    link = row.locator("a.evidence-doc")
    assert "PDF" in link.inner_text() and NOTICE in link.inner_text()
    shot(unit, "evidence-audit-unit")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == NOTICE
    assert Path(download.value.path()).read_bytes() == PDF

    # Another unit's account: the file is not there for it, as one that does not exist.
    sha256 = claimed.data["attachments"][1]["sha256"]
    other = tabs()
    other.sign_in("unit2")
    assert other.tab.request.get(f"/c/{CYCLE}/files/{sha256}").status == 404
    assert other.tab.request.get(f"/c/{CYCLE}/files/{'0' * 64}").status == 404
    assert page.request.get(f"/c/{CYCLE}/files/{sha256}").status == 200


@store_agnostic
def test_org_dept_answers_an_appeal_with_a_document_the_case_file_lists(
    tabs: Any, live: Live
) -> None:
    review_season(
        live,
        {"do": "approve_results", "by": "lg"},
        {"do": "publish_results", "by": "od"},
        {"do": "file_appeal", "by": "u-P1", "appeal": "AP-P1-1", "reason": "请予复核"},
    )
    answer = docx()
    office = tabs()
    office.sign_in("od")
    page = office.tab
    page.goto(f"/c/{CYCLE}/appeals/AP-P1-1")
    assert page.locator("#case-files").count() == 0  # nothing attached yet
    page.check("input[name=outcome][value=dismissed]")
    page.fill("#answer", "经复核，原结果无误，维持原结果。")
    page.set_input_files(
        "#resolve_appeal-files",
        files=[{"name": "复核意见.docx", "mimeType": "application/octet-stream", "buffer": answer}],
    )
    page.click("#resolve-button")
    page.wait_for_url("**done=resolve_appeal")
    assert page.inner_text("#appeal-status") == "已驳回"
    listed = page.inner_text("#case-files")
    assert "复核意见.docx" in listed and "DOCX" in listed
    assert "复核意见.docx" in page.inner_text("#answer-files")  # beside the answer too
    shot(office, "evidence-case-file-org_dept")

    unit = tabs()
    unit.sign_in("unit")
    unit.tab.goto(f"/c/{CYCLE}/appeals/AP-P1-1")
    link = unit.tab.locator("#case-files a.evidence-doc")
    assert "复核意见.docx" in link.inner_text()
    href = link.get_attribute("href")
    assert href is not None and unit.tab.request.get(href).body() == answer


def test_exactly_the_console_forms_with_files_get_the_larger_body_limit() -> None:
    """Ten files of 20 MiB each may go with a form of a verb that takes them; every other
    console post keeps the 16 MiB of any request."""
    limits = BodyLimit(None, 16, upload_limits(20))  # type: ignore[arg-type]
    carrying = [
        "/c/x/do/claim_commendation",
        "/c/x/do/record_supervision",
        "/c/x/do/record_criticism",
        "/c/x/review/apply_veto",
        "/c/x/review/propose_adjustment",
        "/c/x/review/correct_score",
        "/c/x/appeals",
        "/c/x/appeals/AP-1/resolve",
        "/c/x/appeals/AP-1/preview",
    ]
    assert {limits.limit_of(path) for path in carrying} == {201}
    assert limits.limit_of("/cycles/x/files") == 21
    others = ["/c/x/do/add_unit", "/c/x/review/apply_cap", "/c/x/entry", "/c/x/appeals/AP-1"]
    assert {limits.limit_of(path) for path in others} == {16}
