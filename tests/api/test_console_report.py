"""The console's report downloads (issue 14, item 5) over HTTP: HTML with a CSP of its
own and PDF for whoever reads every unit's results; refused to a unit."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from assess.api.app import create_app
from tests.api.conftest import settings_for_tests
from tests.conftest import store_agnostic

CYCLE = "2025-group-party-org"


def sign_in(client: TestClient, name: str) -> None:
    form = client.get("/sign-in")
    token = re.search(r'name="sign_in_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = client.post(
        "/sign-in",
        data={"username": name, "password": "demo", "sign_in_token": token[1], "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


@store_agnostic
def test_report_downloads_for_who_reads_everything(db: str) -> None:
    with TestClient(create_app(db, settings_for_tests(demo=True))) as client:
        sign_in(client, "od")
        results = client.get(f"/c/{CYCLE}/results")
        assert f"/c/{CYCLE}/report.pdf" in results.text
        page = client.get(f"/c/{CYCLE}/report.html")
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert "考核结果报告" in page.text and "<svg" in page.text
        pdf = client.get(f"/c/{CYCLE}/report.pdf", params={"version": 1})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-type"] == "application/pdf"
        assert client.get(f"/c/{CYCLE}/report.docx").status_code == 404


@store_agnostic
def test_a_unit_may_not_download_the_report(db: str) -> None:
    with TestClient(create_app(db, settings_for_tests(demo=True))) as client:
        sign_in(client, "unit")
        assert client.get(f"/c/{CYCLE}/report.html").status_code == 403
