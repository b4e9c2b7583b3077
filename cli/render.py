"""Tables and CSV for people and spreadsheets; labels in Chinese as the regulations say."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console
from rich.table import Table

SCHEME_TITLES = {
    "group-party-org": "集团公司基层党组织党建工作考核",
    "leadership-team": "镇街及市直单位领导班子抓基层党建工作考核",
    "performance-evaluation": "党建工作绩效考评",
}
COMPONENT_LABELS = {
    "research_h1": "上半年调研",
    "research_h2": "下半年调研",
    "daily": "日常考核",
    "year_end": "年终考核",
    "debrief": "述职评议",
    "democratic_self": "民主测评(自评)",
    "democratic_staff": "民主测评(干部职工)",
    "democratic": "民主测评",
    "annual": "年度考评",
    "performance": "党建实绩",
    "self": "自评",
    "org": "组织评价",
    "social": "社会评价",
}
CATEGORY_LABELS = {"town": "镇街", "municipal": "市直单位"}
EXTRA_LABELS = {
    "group-party-org": "附加分",
    "leadership-team": "创新加分",
    "performance-evaluation": "实绩分析",
}


def console() -> Console:
    return Console(highlight=False, soft_wrap=False, width=200)


def component_keys(rows: list[dict[str, Any]]) -> list[str]:
    keys: list[str] = []
    for row in rows:
        for key in row["components"]:
            if key not in keys:
                keys.append(key)
    return [key for key in COMPONENT_LABELS if key in keys]


def results_table(document: dict[str, Any]) -> None:
    rows = document["results"]
    components = component_keys(rows)
    table = Table(
        title=f"{SCHEME_TITLES[document['scheme']]} · {document['cycle']}"
        f" · 第{document['version']}版",
        caption=f"digest {document['digest']}",
    )
    table.add_column("排名", justify="right")
    table.add_column("类别排名", justify="right")
    table.add_column("单位")
    table.add_column("名称")
    table.add_column("类别")
    for key in components:
        table.add_column(COMPONENT_LABELS[key], justify="right")
    table.add_column("得分", justify="right")
    table.add_column(EXTRA_LABELS[document["scheme"]], justify="right")
    table.add_column("总分", justify="right")
    table.add_column("等次")
    table.add_column("备注")
    for row in rows:
        notes = [label for flag, label in (("vetoed", "一票否决"), ("capped", "封顶")) if row[flag]]
        table.add_row(
            str(row["rank"]),
            str(row["category_rank"]),
            row["unit"],
            row["name"],
            CATEGORY_LABELS.get(row["category"], row["category"]),
            *(row["components"].get(key, "—") for key in components),
            row["score"],
            row["extra"],
            row["final"],
            row["grade_label"],
            " ".join(notes),
        )
    console().print(table)


def results_csv(document: dict[str, Any]) -> str:
    rows = document["results"]
    components = component_keys(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["unit", "name", "category", *components, "score", "extra", "final", "rank"]
        + ["category_rank", "grade", "grade_label", "vetoed", "capped"]
    )
    for row in rows:
        writer.writerow(
            [row["unit"], row["name"], row["category"]]
            + [row["components"].get(key, "") for key in components]
            + [row["score"], row["extra"], row["final"], row["rank"], row["category_rank"]]
            + [row["grade"], row["grade_label"], row["vetoed"], row["capped"]]
        )
    return out.getvalue()


def cycles_table(cycles: list[dict[str, Any]]) -> None:
    table = Table(title="cycles")
    for column in ("cycle", "scheme", "year", "stage", "version", "events", "title"):
        table.add_column(
            column, justify="right" if column in ("year", "version", "events") else "left"
        )
    for entry in cycles:
        table.add_row(
            entry["cycle"],
            entry["scheme"],
            str(entry["year"]),
            entry["stage"],
            str(entry["version"] or "—"),
            str(entry["events"]),
            entry["title"],
        )
    console().print(table)


def audit_table(rows: list[dict[str, Any]]) -> None:
    table = Table(title="audit")
    for column in ("#", "recorded", "at", "actor", "role", "verb", "summary", "reason"):
        table.add_column(column, justify="right" if column == "#" else "left", overflow="fold")
    for row in rows:
        table.add_row(
            str(row["position"]),
            row["recorded"][:19],
            row["at"] or "",
            row["actor"],
            row["role"],
            row["verb"],
            row["summary"],
            row["reason"],
        )
    console().print(table)
