"""Tables and CSV for people and spreadsheets; labels in Chinese as the regulations say."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from assess.domain.schemes import SCHEME_MODULES

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


def cycles_table(cycles: list[dict[str, Any]]) -> None:
    """One row per cycle; a corrupt one (see `AssessApp.cycles`) shows why in place of
    its title."""
    table = Table(title="cycles")
    for column in ("cycle", "scheme", "year", "stage", "version", "events", "title"):
        table.add_column(
            column, justify="right" if column in ("year", "version", "events") else "left"
        )
    for entry in cycles:
        corrupt = entry.get("error") is not None
        table.add_row(
            entry["cycle"],
            entry["scheme"] or "—",
            str(entry["year"] or "—"),
            "[red]corrupt[/red]" if corrupt else entry["stage"],
            str(entry["version"] or "—"),
            str(entry["events"] or "—"),
            Text(entry["error"] if corrupt else entry["title"]),
        )
    console().print(table)


def audit_table(rows: list[dict[str, Any]]) -> None:
    """The `request` column (idempotency keys) only when some event was stored by a
    keyed request."""
    keyed = any(row.get("request") for row in rows)
    table = Table(title="audit")
    columns = ["#", "recorded", "at", "actor", "role", "account", "verb", "summary", "reason"]
    if keyed:
        columns.insert(6, "request")
    for column in columns:
        table.add_column(column, justify="right" if column == "#" else "left", overflow="fold")
    for row in rows:
        cells: list[str | Text] = [
            str(row["position"]),
            row["recorded"][:19],
            row["at"] or "",
            row["actor"],
            row["role"],
            row["account"] or "",
            row["verb"],
            row["summary"],
            row["reason"],
        ]
        if keyed:
            cells.insert(6, Text(row["request"] or ""))  # a key may hold [markup]
        table.add_row(*cells)
    console().print(table)


def verification(report: dict[str, Any]) -> None:
    figures = {
        "events replayed": report["events"],
        "results versions": report["versions"],
        "digests matched": report["digests_matched"],
        "snapshots checked": report["snapshots_checked"],
        "files checked": report["files_checked"],
        "chain head": report["head"],
    }
    if report.get("expected_head_at") is not None:
        figures["expected head"] = f"the chain of event {report['expected_head_at']}"
    _verdict(f"cycle {report['cycle']}", report["ok"], figures)
    if not report["ok"]:
        console().print(
            f"  first failure at event {report['position']}: {report['failure']}",
            markup=False,
            highlight=False,
        )


def directory_verification(report: dict[str, Any]) -> None:
    counts = {"events replayed": report["events"], "chain head": report["head"]}
    _verdict("account directory", report["ok"], counts)
    for finding in report["findings"]:
        console().print(f"  {finding}", markup=False, highlight=False)


def _verdict(what: str, ok: bool, figures: dict[str, Any]) -> None:
    """A verification's verdict and its figures, one per line."""
    out = console()
    out.print(f"{what}: " + ("[green]verified[/green]" if ok else "[red]FAILED[/red]"))
    for label, value in figures.items():
        out.print(f"  {label:<17} {value}")


def _change_text(changes: dict[str, list[Any]]) -> str:
    return "; ".join(f"{key} {old} → {new}" for key, (old, new) in changes.items())


def diff_table(document: dict[str, Any]) -> None:
    table = Table(
        title=f"{document['cycle']}: version {document['from']['version']} → "
        f"{document['to']['version']}",
        caption=f"{len(document['changes'])} units changed",
    )
    for column in ("unit", "name", "changes", "caused by"):
        table.add_column(column, overflow="fold")
    for entry in document["changes"]:
        causes = [f"#{e['position']} {e['verb']} ({e['actor']})" for e in entry["events"]]
        table.add_row(
            entry["unit"],
            entry["name"],
            _change_text(entry["changes"]),
            "\n".join(causes) or "knock-on: other units' changes",
        )
    console().print(table)


def _row_line(row: dict[str, Any]) -> str:
    components = " ".join(
        f"{COMPONENT_LABELS.get(key, key)} {value}" for key, value in row["components"].items()
    )
    flags = " 一票否决" if row["vetoed"] else ""
    return (
        f"{components} | 得分 {row['score']} 加分 {row['extra']} 总分 {row['final']} | "
        f"排名 {row['rank']} 类别排名 {row['category_rank']} {row['grade_label']}{flags}"
    )


def case_file(document: dict[str, Any]) -> None:
    out = console()
    appeal = document["appeal"]
    out.print(
        f"appeal {appeal['appeal']} by {appeal['filed_by']} for unit {appeal['unit']} "
        f"({appeal['filed_at'] or 'no date'}), {appeal['status']}: {appeal['reason']}"
    )
    published = document["results_at_publication"]
    out.print(f"published (version {published['version']}): {_row_line(published['row'])}")
    current = document["current"]
    if current["version"] != published["version"]:
        out.print(f"now (version {current['version']}): {_row_line(current['row'])}")
    out.print("inputs:")
    for entry in document["inputs"]:
        out.print(f"  #{entry['position']} {entry['verb']} by {_who(entry)}: {entry['summary']}")
    if document["supervision"]:
        out.print("supervision findings:")
        for entry in document["supervision"]:
            out.print(f"  #{entry['position']} by {_who(entry)}: {entry['findings']}")
    if document.get("files"):
        out.print("evidence files:")
        for entry in document["files"]:
            out.print(
                f"  #{entry['position']} {entry['name']} ({entry['media_type']}, "
                f"{entry['size']} bytes) sha256 {entry['sha256']}"
            )
    resolution = document["resolution"]
    if resolution:
        out.print(
            f"answer (#{resolution['position']}, {resolution['outcome']}): {resolution['answer']}"
        )
        for correction in resolution.get("corrections", []):
            out.print(f"  correction: {correction}")


def preview(document: dict[str, Any]) -> None:
    out = console()
    out.print(
        f"preview of appeal {document['appeal']} (unit {document['unit']}) "
        f"against version {document['from_version']} — nothing stored"
    )
    out.print(f"before: {_row_line(document['before'])}")
    out.print(f"after:  {_row_line(document['after'])}")
    for entry in document["changes"]:
        marker = "" if entry["unit"] == document["unit"] else " (knock-on)"
        out.print(f"  {entry['unit']} {entry['name']}{marker}: {_change_text(entry['changes'])}")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _listing(title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Table:
    table = Table(title=title)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row.get(column)) for column in columns))
    return table


ITEM_COLUMNS = ("item", "title", "kind", "weight", "body", "applies_to", "declared_by")


def structure_tables(document: dict[str, Any]) -> None:
    out = console()
    out.print(
        f"{SCHEME_TITLES[document['scheme']]} · {document['cycle']} · {document['stage']}"
        f" · {_cell(document['title'])}"
        + (f" · 组织单位 {document['run_by']}" if document.get("run_by") else ""),
        markup=False,
    )
    out.print(_listing("units", ("unit", "name", "category", "parent"), document["units"]))
    if document["items"]:
        out.print(_listing("items", ITEM_COLUMNS, document["items"]))
    if document["actors"] is not None:
        out.print(
            _listing("actors", ("actor", "role", "unit", "body", "retired"), document["actors"])
        )


def todo_table(document: dict[str, Any]) -> None:
    title = f"to do · {document['cycle']} · {document['actor']} · {document['stage']}"
    if not document["missing"]:
        console().print(f"{title}: nothing to enter (无待办)")
        return
    columns = ("unit", "component", "item", "method")
    used = tuple(c for c in columns if any(c in entry for entry in document["missing"]))
    console().print(_listing(title, used or ("unit",), document["missing"]))


def _who(entry: dict[str, Any]) -> str:
    """The actor, and the account that acted for it where the event records one."""
    return f"{entry['actor']} ({entry['account']})" if entry.get("account") else entry["actor"]


def _grade_text(scheme: str, grades: dict[str, int]) -> str:
    labels = SCHEME_MODULES[scheme].GRADE_LABELS
    return " ".join(f"{labels.get(code, code)} {count}" for code, count in grades.items())


def tree_table(document: dict[str, Any]) -> None:
    """A year's cycles, each with the cycles run by its units (下级考核)."""
    if not document["cycles"]:
        console().print(f"{document['year']}年度: no cycles (无考核)")
        return
    table = Table(title=f"{document['year']}年度 考核层级")
    columns = ("考核", "方案", "名称", "组织单位", "阶段", "版本", "单位数", "等次", "下级考核")
    for column in columns:
        table.add_column(column, justify="right" if column in ("版本", "单位数") else "left")
    for entry in document["cycles"]:
        table.add_row(
            Text(entry["cycle"]),
            Text(entry["scheme"]),
            Text(entry["title"] or "—"),
            Text(entry["run_by"] or "—"),
            entry["stage"],
            str(entry["version"] or "—"),
            str(entry["units"]),
            _grade_text(entry["scheme"], entry["grades"]) or "—",
            Text(", ".join(entry["below"]) or "—"),
        )
    console().print(table)


def history_table(document: dict[str, Any]) -> None:
    """A unit's lines across cycles and years."""
    if not document["entries"]:
        console().print(f"{document['unit']}: no results in any cycle (无考核结果)", markup=False)
        return
    table = Table(title=f"{document['unit']} 历年考核")
    columns = ("年度", "考核", "名称", "类别", "版本", "阶段", "总分", "排名", "类别排名", "等次")
    for column in (*columns, "备注"):
        right = column in ("年度", "版本", "总分", "排名", "类别排名")
        table.add_column(column, justify="right" if right else "left")
    for entry in document["entries"]:
        table.add_row(
            str(entry["year"] or "—"),
            Text(entry["cycle"]),
            Text(entry["name"]),
            Text(CATEGORY_LABELS.get(entry["category"], entry["category"])),
            str(entry["version"]),
            entry["stage"],
            entry["final"],
            str(entry["rank"]),
            str(entry["category_rank"]),
            entry["grade_label"],
            "一票否决" if entry["vetoed"] else "",
        )
    console().print(table)


STATS_FIGURES = ("min", "max", "mean", "median", "stdev")


def stats_tables(document: dict[str, Any]) -> None:
    """SPEC §10 in three tables: categories, submitters, self-evaluation gaps."""
    out = console()
    out.print(
        f"统计 · {document['cycle']} · 第 {document['version']} 版 · {document['digest'][:12]}",
        markup=False,
    )
    quota = any("quota" in entry for entry in document["categories"])
    table = Table(title="分类统计")
    headers = ["类别", "单位数", "等次分布", "最低", "最高", "平均", "中位数", "标准差"]
    for header in headers + (["名额(优秀/一般)", "实际(优秀/一般)"] if quota else []):
        table.add_column(header, overflow="fold")
    for entry in document["categories"]:
        grades = " ".join(f"{code} {count}" for code, count in entry["grades"].items())
        cells = [
            "全部" if entry["category"] == "*" else entry["category"],
            str(entry["units"]),
            grades,
            *(_cell(entry["final"][key]) for key in STATS_FIGURES),
        ]
        if quota:
            given = entry["quota"]
            cells += [
                f"{given['top']}/{given['bottom']}",
                f"{given['top_given']}/{given['bottom_given']}",
            ]
        table.add_row(*cells)
    out.print(table)
    table = Table(title="评分人倾向")
    for header in ("评分项", "评分人", "角色", "条数", "平均", "总平均", "偏差"):
        table.add_column(header, overflow="fold")
    for entry in document["submitters"]:
        table.add_row(
            entry["key"],
            entry["actor"],
            entry["role"],
            str(entry["count"]),
            entry["mean"],
            entry["overall_mean"],
            entry["lean"],
        )
    out.print(table)
    if document["self_gaps"]:
        table = Table(title="自评差距")
        for header in ("单位", "自评", "他评", "差距"):
            table.add_column(header)
        for entry in document["self_gaps"]:
            table.add_row(entry["unit"], entry["self"], entry["others"], entry["gap"])
        out.print(table)


def files_tables(document: dict[str, Any]) -> None:
    """A cycle's evidence files (佐证材料): those attached, with the events that attach
    them, then the uploads no event attaches yet."""
    from assess.domain.attachments import MEDIA_TYPES

    out = console()
    if not document["attached"] and not document["not_attached"]:
        out.print(f"cycle {document['cycle']}: no evidence files (佐证材料)", markup=False)
        return
    attached = Table(title=f"佐证材料 · {document['cycle']}")
    for column in ("文件名 name", "类型 type", "大小 bytes", "sha256", "所附事项 events"):
        attached.add_column(column, justify="right" if "bytes" in column else "left")
    for file in document["attached"]:
        events = "\n".join(
            f"#{e['position']} {e['verb']} {e['actor']}"
            + (f" ({e['name']})" if e["name"] != file["name"] else "")
            for e in file["events"]
        )
        attached.add_row(
            Text(file["name"]),
            MEDIA_TYPES.get(file["media_type"], file["media_type"]),
            f"{file['size']:,}",
            file["sha256"][:12],
            Text(events),
        )
    if document["attached"]:
        out.print(attached)
    if not document["not_attached"]:
        return
    waiting = Table(title="已上传、尚未附于任何事项 uploaded, not attached")
    for column in (
        "文件名 name",
        "类型 type",
        "大小 bytes",
        "sha256",
        "上传账号 account",
        "上传时间",
    ):
        waiting.add_column(column, justify="right" if "bytes" in column else "left")
    for upload in document["not_attached"]:
        waiting.add_row(
            Text(upload["name"]),
            MEDIA_TYPES.get(upload["media_type"], upload["media_type"]),
            f"{upload['size']:,}",
            upload["sha256"][:12],
            Text(upload["account"]),
            upload["uploaded"][:19],
        )
    out.print(waiting)
