"""Results pages, CSV, audit filters and pagination, appeals and their case files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assess.demo import generate_season
from tests.api.conftest import Api


@pytest.fixture
def demo(api: Api) -> str:
    """Scheme B with 16 units, through publication, appeals and close."""
    return api.load(generate_season("leadership-team", 16, seed=2, complications=True))


def test_results_pages_cover_every_row_once(api: Api, demo: str) -> None:
    url = f"/cycles/{demo}/results"
    whole = api.as_("aud").get(url).json()
    assert whole["total"] == 16 and whole["limit"] == 100 and len(whole["results"]) == 16
    pages = [
        api.as_("aud").get(url, params={"offset": o, "limit": 5}).json() for o in (0, 5, 10, 15)
    ]
    assert [len(page["results"]) for page in pages] == [5, 5, 5, 1]
    assert [row for page in pages for row in page["results"]] == whole["results"]
    assert {page["digest"] for page in pages} == {whole["digest"]}
    beyond = api.as_("aud").get(url, params={"offset": 40}).json()
    assert beyond["results"] == [] and beyond["total"] == 16


def test_results_by_category_and_as_csv(api: Api, demo: str) -> None:
    url = f"/cycles/{demo}/results"
    towns = api.as_("aud").get(url, params={"category": "town"}).json()
    assert towns["total"] == 4 and {row["category"] for row in towns["results"]} == {"town"}
    csv = api.as_("aud").get(url, params={"format": "csv", "category": "municipal", "limit": 1})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbfunit,name,category,democratic_self,")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 13 and all(",municipal," in line for line in lines[1:])


def test_audit_filters_and_pages(api: Api, demo: str) -> None:
    url = f"/cycles/{demo}/audit"
    everything = api.as_("aud").get(url, params={"limit": 1000}).json()
    assert everything["total"] == 161 == len(everything["rows"])
    positions = [row["position"] for row in everything["rows"]]
    assert positions == sorted(positions) and positions[0] == 1
    page = api.as_("aud").get(url, params={"offset": 150, "limit": 20}).json()
    assert [row["position"] for row in page["rows"]] == positions[150:]
    ballots = api.as_("aud").get(url, params={"verb": "submit_ballots", "actor": "r0"}).json()
    assert ballots["total"] > 0
    assert {(row["verb"], row["actor"]) for row in ballots["rows"]} == {("submit_ballots", "r0")}
    unit = api.as_("aud").get(url, params={"unit": "M0006"}).json()
    assert unit["total"] < everything["total"] and all(
        "M0006" in row["summary"] or row["verb"] in ("resolve_appeal", "recognize_innovation")
        for row in unit["rows"]
    )


def test_audit_time_range(api: Api, demo: str) -> None:
    url = f"/cycles/{demo}/audit"
    now = datetime.now(UTC)
    later = api.as_("aud").get(url, params={"since": (now + timedelta(minutes=1)).isoformat()})
    assert later.json()["total"] == 0
    before = api.as_("aud").get(url, params={"until": (now + timedelta(minutes=1)).isoformat()})
    assert before.json()["total"] == 161
    naive = api.as_("aud").get(url, params={"since": "2000-01-01T00:00:00"})
    assert naive.json()["total"] == 161
    assert api.as_("aud").get(url, params={"since": "yesterday"}).status_code == 422


def test_appeals_and_a_full_case_file(api: Api, demo: str) -> None:
    listed = api.as_("od").get(f"/cycles/{demo}/appeals").json()
    assert {entry["status"] for entry in listed} == {"upheld", "dismissed"}
    upheld = next(entry for entry in listed if entry["status"] == "upheld")
    case = api.as_("od").get(f"/cycles/{demo}/appeals/{upheld['appeal']}").json()
    unit = upheld["unit"]
    assert case["appeal"] == upheld
    published = case["results_at_publication"]
    assert published["row"]["unit"] == unit
    at_publication = (
        api.as_("od")
        .get(f"/cycles/{demo}/results", params={"version": published["version"], "limit": 1000})
        .json()
    )
    assert published["digest"] == at_publication["digest"]
    assert case["resolution"]["outcome"] == "upheld" and case["resolution"]["answer"]
    after = case["results_after_resolution"]
    assert after["version"] == case["resolution"]["version"] > published["version"]
    assert after["row"]["unit"] == unit
    verbs = [row["verb"] for row in case["events"]]
    assert "file_appeal" in verbs and "resolve_appeal" in verbs


def test_a_unit_sees_its_own_appeals_only(api: Api, demo: str) -> None:
    listed = api.as_("od").get(f"/cycles/{demo}/appeals").json()
    mine, other = listed[0], listed[1]
    owner = f"u-{mine['unit']}"
    assert api.as_(owner).get(f"/cycles/{demo}/appeals").json() == [mine]
    assert api.as_(owner).get(f"/cycles/{demo}/appeals/{mine['appeal']}").status_code == 200
    hidden = api.as_(owner).get(f"/cycles/{demo}/appeals/{other['appeal']}")
    assert hidden.status_code == 404
