"""CSV exports open safely in Excel (OWASP CSV injection): a text cell that starts like a
formula gets a leading `'`; a figure, even a negative one, stays a number."""

from __future__ import annotations

import csv
import io

from assess.application.exports import audit_csv, results_csv, safe_cell
from tests.api.conftest import Api
from tests.conftest import store_agnostic
from tests.seasons import CLOSE, group_season, with_actions

NAMES = {"P1": '=HYPERLINK("http://evil","x")', "P2": "-x", "P3": "@SUM(A1)"}


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_text_cells_are_neutralised_and_figures_kept() -> None:
    for text in ("=1+2", "+x", "-x", "@x", "\tx", "\rx", "-", "=-5.00"):
        assert safe_cell(text) == "'" + text
    for kept in ("-5.00", "+3", "88.28", "0", 1, -5, True, "城关镇", "a=b", ""):
        assert safe_cell(kept) == kept
    row = {"unit": "-P1", "name": "=cmd", "category": "+c", "components": {"daily": "-5.00"}}
    row |= {"score": "-5.00", "extra": "-1.50", "final": "-6.50", "rank": 1, "category_rank": 1}
    row |= {"grade": "poor", "grade_label": "@差", "vetoed": False, "capped": False}
    header, line = _rows(results_csv([row]))
    cells = dict(zip(header, line, strict=True))
    assert (cells["unit"], cells["name"], cells["category"]) == ("'-P1", "'=cmd", "'+c")
    assert (cells["daily"], cells["extra"], cells["final"]) == ("-5.00", "-1.50", "-6.50")
    assert cells["grade_label"] == "'@差"
    record = {"position": 1, "event": "CycleCreated", "verb": "", "recorded": "2025-01-01"}
    record |= {"actor": "=x", "role": "org_dept", "account": "-acct", "at": None}
    record |= {"data": {"name": "=x"}, "previous": "0" * 64, "chain": "f" * 64}
    _, audit_line = _rows(audit_csv([record]))
    assert audit_line[4:7] == ["'=x", "org_dept", "'-acct"]
    assert audit_line[7] == ""  # no idempotency key
    assert audit_line[9] == '{"name": "=x"}'  # JSON, opening with `{`: no formula


@store_agnostic
def test_the_results_csv_over_http_neutralises_unit_names(api: Api) -> None:
    season = with_actions(group_season({unit: ("90", "80", "85") for unit in NAMES}), CLOSE)
    for unit in season["units"]:
        unit["name"] = NAMES[unit["id"]]
    cycle = api.run(season)
    reply = api.as_("od").get(f"/cycles/{cycle}/results", params={"format": "csv"})
    header, *lines = _rows(reply.content)
    by_unit = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert {unit: cells["name"] for unit, cells in by_unit.items()} == {
        unit: "'" + name for unit, name in NAMES.items()
    }
    rows = api.as_("od").get(f"/cycles/{cycle}/results").json()["results"]
    assert {row["unit"]: row["final"] for row in rows} == {
        unit: cells["final"] for unit, cells in by_unit.items()
    }
