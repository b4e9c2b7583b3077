"""Evidence files (issue 15): a file's type is judged by its content, on real minimal files
of each accepted type; an action's `attachments` are checked against the uploads, and a
refused list stores nothing."""

from __future__ import annotations

import hashlib
import io
import struct
import zipfile
import zlib
from typing import Any

import pytest
from openpyxl import Workbook

from assess.application.files import DOCX, JPEG, OFD, PDF, PNG, XLSX, sniff, upload
from assess.application.service import AssessApp
from assess.domain.attachments import MEDIA_TYPES, MOST_PER_ACTION, Uploaded
from assess.domain.cycle import Cycle, cycle_uuid
from assess.domain.errors import DomainError
from tests.seasons import header

# ---- real minimal files ----------------------------------------------------------------

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 3 3]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# A 1×1 grey baseline JPEG (JFIF), 159 bytes.
MINIMAL_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb00430050373c463c32504641465a55505f78c882"
    "786e6e78f5afb991c8ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
    "ffffffffffffc0000b080001000101011100ffc40014000100000000000000000000000000000000ffc4"
    "0014100100000000000000000000000000000000ffda0008010100003f003fffd9"
)


def png_1x1() -> bytes:
    """A real 1×1 greyscale PNG: signature, IHDR, IDAT, IEND, each with its CRC."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


def zipped(parts: dict[str, bytes]) -> bytes:
    """A zip of the parts, the same bytes each time (dated, not stamped with now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(zipfile.ZipInfo(name, (2025, 3, 1, 9, 0, 0)), content)
    return out.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
    b"</Types>"
)


def minimal_docx() -> bytes:
    document = (
        b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
        b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
        + "表彰通报".encode()
        + b"</w:t></w:r></w:p></w:body></w:document>"
    )
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": document})


def real_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位", "得分"])
    sheet.append(["P0000", 95])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def minimal_ofd() -> bytes:
    return zipped({"OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>'})


ACCEPTED = {
    "pdf": (MINIMAL_PDF, PDF),
    "jpeg": (MINIMAL_JPEG, JPEG),
    "png": (png_1x1(), PNG),
    "docx": (minimal_docx(), DOCX),
    "xlsx": (real_xlsx(), XLSX),
    "ofd": (minimal_ofd(), OFD),
}
REFUSED = {
    "executable named .pdf": ("通报.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56 + b"PE\x00"),
    "plain zip": ("材料.zip", zipped({"readme.txt": b"hello"})),
    "zip named .docx without its document": (
        "报告.docx",
        zipped({"[Content_Types].xml": CONTENT_TYPES, "word/styles.xml": b"<w:styles/>"}),
    ),
    "OFD.xml in a folder only": ("公文.ofd", zipped({"Doc_0/OFD.xml": b"<ofd:OFD/>"})),
    "truncated zip": ("报告.docx", minimal_docx()[:40]),
    "text": ("说明.pdf", "这是一段文字，不是PDF。".encode()),
    "html": ("page.png", b"<html><script>alert(1)</script></html>"),
}


@pytest.mark.parametrize("kind", ACCEPTED)
def test_each_accepted_type_is_known_by_its_content(kind: str) -> None:
    content, media_type = ACCEPTED[kind]
    assert media_type in MEDIA_TYPES
    assert sniff(content) == media_type


def test_the_types_are_told_apart_and_all_six_are_covered() -> None:
    found = {sniff(content) for content, _ in ACCEPTED.values()}
    assert found == set(MEDIA_TYPES)


@pytest.mark.parametrize("case", REFUSED)
def test_anything_else_is_no_type(case: str) -> None:
    _, content = REFUSED[case]
    assert sniff(content) is None


class KeptFiles:
    """What `upload` hands a store: recorded, so that a refusal is seen to store nothing."""

    def __init__(self) -> None:
        self.put_calls: list[tuple[str, str]] = []

    def put(
        self, digest: str, media_type: str, content: bytes, cycle: str, account: str, name: str
    ) -> bool:
        self.put_calls.append((digest, media_type))
        return True


@pytest.mark.parametrize("case", [*REFUSED, "empty"])
def test_a_refused_upload_stores_nothing(case: str) -> None:
    name, content = REFUSED.get(case, ("空.pdf", b""))
    kept = KeptFiles()
    with pytest.raises(DomainError) as caught:
        upload(kept, "c", "u-P1", name, content, 20)  # type: ignore[arg-type]
    assert caught.value.code == "invalid_value"
    assert name in caught.value.message
    assert kept.put_calls == []


def test_an_upload_is_named_by_its_last_part_and_typed_by_content() -> None:
    kept = KeptFiles()
    done = upload(kept, "c", "u-P1", "C:\\材料\\表彰 通报.png", MINIMAL_PDF, 20)  # type: ignore[arg-type]
    assert (done.name, done.media_type, done.size) == ("表彰 通报.png", PDF, len(MINIMAL_PDF))
    assert done.sha256 == hashlib.sha256(MINIMAL_PDF).hexdigest()
    assert kept.put_calls == [(done.sha256, PDF)]


# ---- an action's attachments, checked in the domain -----------------------------------

CYCLE = "t-group-party-org"
UNITS = [{"id": unit, "name": f"{unit}党委", "category": "直属"} for unit in ("P1", "P2")]


def digest_of(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


UPLOADED = {digest_of(f"file {n}"): Uploaded(100 + n, PDF) for n in range(MOST_PER_ACTION + 1)}
FIRST = next(iter(UPLOADED))


def entry(digest: str = FIRST, **changes: Any) -> dict[str, Any]:
    known = UPLOADED.get(digest, Uploaded(100, PDF))
    return {"sha256": digest, "name": "表彰通报.pdf", "media_type": known.media_type,
            "size": known.size, **changes}  # fmt: skip


def claim(attachments: Any) -> dict[str, Any]:
    return {
        "do": "claim_commendation",
        "by": "u-P1",
        "unit": "P1",
        "claim": "C1",
        "level": "provincial",
        "title": "先进基层党组织",
        "evidence": "表彰文件",
        "attachments": attachments,
    }


@pytest.fixture
def cycle() -> Cycle:
    """Scheme A in progress (items published), replayed afresh for each test."""
    app = AssessApp()
    season = header(
        "group-party-org", UNITS, actions=[{"do": "publish_items", "by": "od", "at": "2025-03-01"}]
    )
    app.import_season(season)
    found: object = app.repository.get(cycle_uuid(CYCLE))
    assert isinstance(found, Cycle)
    return found


def test_an_uploaded_file_is_recorded_by_the_event(cycle: Cycle) -> None:
    listed = [entry(digest) for digest in list(UPLOADED)[:MOST_PER_ACTION]]
    listed[0]["sha256"] = FIRST.upper()  # a digest in capitals is the same file
    cycle.perform(claim(listed), account="u-P1", files=UPLOADED)
    (event,) = cycle.collect_events()
    recorded = event.data["attachments"]  # type: ignore[attr-defined]
    assert [item["sha256"] for item in recorded] == list(UPLOADED)[:MOST_PER_ACTION]
    assert recorded[1] == entry(list(UPLOADED)[1])


def test_an_action_without_attachments_records_none(cycle: Cycle) -> None:
    action = claim(None)
    del action["attachments"]
    cycle.perform(action, account="u-P1", files=UPLOADED)
    (event,) = cycle.collect_events()
    assert "attachments" not in event.data  # type: ignore[attr-defined]


OTHERS = {FIRST: UPLOADED[FIRST]}  # what the same account uploaded elsewhere: nothing here


@pytest.mark.parametrize(
    ("attachments", "files", "message"),
    [
        pytest.param([entry(d) for d in UPLOADED], UPLOADED, "at most 10", id="eleven"),
        pytest.param([entry(), entry()], UPLOADED, "a second time", id="repeated"),
        pytest.param(
            [entry(), entry(FIRST.upper())], UPLOADED, "a second time", id="repeated-in-capitals"
        ),
        pytest.param([entry("ab" * 31)], UPLOADED, "64 hexadecimal", id="short-digest"),
        pytest.param([entry("g" * 64)], UPLOADED, "64 hexadecimal", id="non-hex-digest"),
        pytest.param([entry(size=101)], UPLOADED, "size must be 100", id="other-size"),
        pytest.param([entry(size="100")], UPLOADED, "size must be 100", id="size-as-text"),
        pytest.param([entry(size=True)], UPLOADED, "size must be", id="size-as-boolean"),
        pytest.param([entry(media_type=PNG)], UPLOADED, "media_type must be", id="other-type"),
        pytest.param([entry(pages=3)], UPLOADED, "does not take the field 'pages'", id="unknown"),
        pytest.param([entry(name="材料/通报.pdf")], UPLOADED, "without folders", id="folder"),
        pytest.param([entry(name="..\\通报.pdf")], UPLOADED, "without folders", id="backslash"),
        pytest.param([entry(name="  ")], UPLOADED, "name must be", id="blank-name"),
        pytest.param([entry(digest_of("never"))], UPLOADED, "was uploaded", id="unknown-digest"),
        pytest.param([entry()], {}, "was uploaded", id="not-uploaded-by-this-account"),
        pytest.param([], UPLOADED, "non-empty list", id="empty-list"),
        pytest.param("表彰通报.pdf", UPLOADED, "non-empty list", id="not-a-list"),
        pytest.param(["表彰通报.pdf"], UPLOADED, "must be an object", id="not-an-object"),
    ],
)
def test_refused_attachments_are_invalid_and_store_nothing(
    cycle: Cycle, attachments: Any, files: dict[str, Uploaded], message: str
) -> None:
    version = cycle.version
    with pytest.raises(DomainError) as caught:
        cycle.perform(claim(attachments), account="u-P1", files=files)
    assert caught.value.code == "invalid_value"
    assert message in caught.value.message
    assert cycle.collect_events() == [] and cycle.version == version
    assert "C1" not in cycle.claims
