"""`assess report` (issue 14, item 5): the printable Chinese report as PDF and HTML,
checked with poppler's tools — it renders, it holds every unit's name and final, and
it embeds a CJK font — and refused in one line without a CJK font or a known suffix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assess.api import report as report_module
from tests.conftest import EXAMPLES, store_agnostic
from tests.e2e.test_cli import run, text

SEASON = EXAMPLES / "group-party-org.season.json"
RESULTS = json.loads((EXAMPLES / "group-party-org.results.json").read_text(encoding="utf-8"))
CYCLE = RESULTS["cycle"]
POPPLER = ("pdftoppm", "pdftotext", "pdffonts")
MISSING = [tool for tool in POPPLER if shutil.which(tool) is None]
needs_poppler = pytest.mark.skipif(
    bool(MISSING) and os.environ.get("REQUIRE_BROWSER") != "1",
    reason=f"poppler-utils not installed ({', '.join(MISSING)} missing)",
)


def tool(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, timeout=120, check=True)
    return done.stdout.decode("utf-8")


def stderr_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.decode("utf-8").strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@needs_poppler
@store_agnostic
def test_pdf_renders_with_every_unit_and_an_embedded_cjk_font(db: str, tmp_path: Path) -> None:
    assert run(db, "import", str(SEASON)).returncode == 0
    pdf = tmp_path / "report.pdf"
    written = run(db, "report", CYCLE, "-o", str(pdf))
    assert written.returncode == 0, written.stderr
    assert pdf.read_bytes().startswith(b"%PDF")

    tool("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page"))
    assert [p.name for p in tmp_path.glob("page*.png")] and all(
        p.stat().st_size > 1000 for p in tmp_path.glob("page*.png")
    )

    words = tool("pdftotext", "-layout", str(pdf), "-")
    assert "考核结果报告" in words and RESULTS["digest"] in words.replace("\n", "")
    for row in RESULTS["results"]:
        assert row["name"] in words, row["name"]
        assert row["final"] in words, (row["name"], row["final"])
    assert "一票否决" in words and "申诉及答复" in words and "各版本变化" in words

    fonts = tool("pdffonts", str(pdf)).splitlines()[2:]
    cjk = [line for line in fonts if "NotoSansCJK" in line.split()[0].replace("-", "")]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), cjk  # the `emb` column


@store_agnostic
def test_html_report_holds_the_same_and_a_past_version(db: str, tmp_path: Path) -> None:
    assert run(db, "import", str(SEASON)).returncode == 0
    page = tmp_path / "report.html"
    assert run(db, "report", CYCLE, "-o", str(page)).returncode == 0
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and 'lang="zh-CN"' in html
    assert html.count("<svg") >= 2 and RESULTS["digest"] in html
    assert "Noto Sans CJK SC" in html and "<script" not in html
    for row in RESULTS["results"]:
        assert row["name"] in html and row["final"] in html

    first = tmp_path / "first.html"
    assert run(db, "report", CYCLE, "--version", "1", "-o", str(first)).returncode == 0
    older = first.read_text(encoding="utf-8")
    assert "第 1 版（最新为第 8 版）" in older and "各版本变化" not in older


@store_agnostic
def test_without_a_cjk_font_the_pdf_is_refused_and_html_still_works(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(db, "import", str(SEASON)).returncode == 0
    monkeypatch.setattr(report_module, "cjk_font_installed", lambda: False)
    refused = run(db, "report", CYCLE, "-o", str(tmp_path / "r.pdf"))
    assert refused.returncode == 2
    assert "apt-get install fonts-noto-cjk" in stderr_line(refused)
    assert not (tmp_path / "r.pdf").exists()
    assert run(db, "report", CYCLE, "-o", str(tmp_path / "r.html")).returncode == 0


@store_agnostic
def test_bad_suffix_and_version_are_refused_in_one_line(db: str, tmp_path: Path) -> None:
    assert run(db, "import", str(SEASON)).returncode == 0
    for args in (("-o", str(tmp_path / "r.docx")), ("-o", str(tmp_path / "report"))):
        refused = run(db, "report", CYCLE, *args)
        assert refused.returncode == 2 and ".pdf or .html" in stderr_line(refused)
    missing = run(db, "report", CYCLE, "--version", "99", "-o", str(tmp_path / "r.html"))
    assert missing.returncode == 2 and stderr_line(missing)
    assert not text(missing)
