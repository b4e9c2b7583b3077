"""`assess stats` (SPEC §10) through the CLI."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES
from tests.e2e.test_cli import run, text

LEADERSHIP = EXAMPLES / "leadership-team.season.json"


def test_stats_json_table_and_bad_version(db: str) -> None:
    assert run(db, "import", str(LEADERSHIP)).returncode == 0
    document = json.loads(text(run(db, "stats", "2025-leadership-team", "--version", "1")))
    assert document["version"] == 1 and document["categories"][0]["category"] == "*"
    assert "quota" in document["categories"][1]
    table = run(db, "stats", "2025-leadership-team", "--format", "table")
    assert table.returncode == 0 and "分类统计" in text(table) and "评分人倾向" in text(table)
    bad = run(db, "stats", "2025-leadership-team", "--version", "99")
    assert bad.returncode == 2
    assert len(bad.stderr.decode("utf-8").strip().splitlines()) == 1
