"""A cycle's charts (issue 13): grade (tier) distribution per category against the
quotas, a histogram of the finals, and each scoring body's completion, drawn on the
server as SVG with the numbers beside them as tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from assess.api.console import labels, svg
from assess.api.console.web import ConsoleRoute, ConsoleViewer, page, services_of
from assess.application.charts import distribution, histogram
from assess.application.progress import NO_ITEM, progress
from assess.application.stats import ALL, stats
from assess.domain.errors import DomainError
from assess.domain.schemes import PERFORMANCE_EVALUATION

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

# A submitter whose mean is this far (points, either way) from every submitter's mean of
# the same key is flagged on the page: a presentation threshold, not a rule of SPEC §10.
LEAN_FLAG = Decimal(5)
STAT_KEYS = {"item": "考核项目评分"}


@router.get("/c/{cycle_id}/charts", response_class=HTMLResponse)
def charts(request: Request, viewer: ConsoleViewer) -> HTMLResponse:
    app = services_of(request).app
    state = viewer.state
    bodies = [
        {**group, "label": _group_label(group)} for group in progress(app, viewer.cycle)["groups"]
    ]
    context: dict[str, Any] = {
        "completion": bodies,
        "completion_chart": _completion_chart(bodies),
        "withheld": None,
        "groups": [],
        "bins": [],
    }
    # The distribution reveals every unit's standing: only for who reads every unit's
    # results (SPEC §4); a unit before publication reads its own row alone.
    try:
        only = viewer.results_unit()
    except DomainError as error:
        if error.code != "permission_denied":
            raise
        only = "—"
    if only is not None:
        context["withheld"] = "结果公示前，分布图只向有权查看全部结果的人员显示。"
    elif state.summary.get("version"):
        document, _ = app.results_page(viewer.cycle)
        rows = document["results"]
        quotas = app.inspect(viewer.cycle, lambda cycle: cycle.rules.get("quotas"))
        groups = distribution(document["scheme"], rows, quotas)
        bins = histogram(rows)
        context.update(
            version=document["version"],
            groups=[{**group, "chart": grade_chart(group)} for group in groups],
            bins=bins,
            histogram_chart=histogram_chart(bins, len(rows)),
        )
        context["statistics"] = _statistics(
            stats(app, viewer.cycle, document["version"]), document["scheme"]
        )
    return page(
        request,
        "charts.html",
        viewer=viewer,
        summary=state.summary,
        steps=labels.steps(state.stage),
        tab="charts",
        **context,
    )


def grade_chart(group: dict[str, Any]) -> Any:
    name = labels.category_label(group["category"])
    rows = []
    for grade in group["grades"]:
        quota = grade["quota"]
        over = quota is not None and grade["count"] > quota
        text = f"{grade['count']}" + (f"（名额 {quota}）" if quota is not None else "")
        rows.append(
            svg.Bar(
                label=grade["label"],
                value=grade["count"],
                whole=group["units"],
                text=text,
                marker=quota,
                kind="bar over" if over else "bar",
            )
        )
    described = "；".join(
        f"{g['label']} {g['count']} 个" + (f"，名额 {g['quota']}" if g["quota"] is not None else "")
        for g in group["grades"]
    )
    return svg.bars(f"{name}等次分布", f"共 {group['units']} 个单位：{described}。", rows)


def histogram_chart(bins: list[dict[str, Any]], units: int) -> Any:
    names = [f"{b['low']}–{b['high']}" for b in bins]
    described = "；".join(f"{n} 分 {b['count']} 个" for n, b in zip(names, bins, strict=True))
    return svg.columns(
        "最终得分分布", f"共 {units} 个单位：{described}。", names, [b["count"] for b in bins]
    )


def _completion_chart(bodies: list[dict[str, Any]]) -> Any:
    rows = [
        svg.Bar(
            label=entry["label"],
            value=entry["present"],
            whole=entry["required"],
            text=f"{entry['present']}/{entry['required']}（{_percent(entry)}）",
            kind="done",
        )
        for entry in bodies
    ]
    described = "；".join(
        f"{e['label']} 已录入 {e['present']} 项，应录入 {e['required']} 项" for e in bodies
    )
    return svg.bars("各评分主体录入进度", (described or "无应录入项") + "。", rows)


def _group_label(group: dict[str, Any]) -> str:
    """Who enters a group's entries: the body, else the roles (the verb policy's)."""
    if group["body"]:
        return str(labels.body_label(group["body"]))
    if group["group"] == NO_ITEM:
        return "适用项目（待设定）"
    return "、".join(str(labels.FILTERS["role_label"](role)) for role in group["roles"])


def _percent(entry: dict[str, Any]) -> str:
    """The share present, in whole percent rounded down (exact integers, no float)."""
    if not entry["required"]:
        return "—"
    return f"{100 * entry['present'] // entry['required']}%"


def _statistics(document: dict[str, Any], scheme: str) -> dict[str, Any]:
    """SPEC §10's statistics as the page shows them: categories (all units first), the
    submitters by lean (largest either way first, flagged from LEAN_FLAG) and the
    self-evaluation gaps (already the flagged ones, largest first)."""
    categories = [
        {**entry, "label": "全部单位" if entry["category"] == ALL else None}
        for entry in document["categories"]
    ]
    leans = sorted(
        document["submitters"],
        key=lambda entry: (-abs(Decimal(entry["lean"])), entry["key"], entry["actor"]),
    )
    return {
        "version": document["version"],
        "categories": categories,
        "quotas": any("quota" in entry for entry in categories),
        "submitters": [
            {
                **entry,
                "key_label": _key_label(entry["key"]),
                "flagged": abs(Decimal(entry["lean"])) >= LEAN_FLAG,
            }
            for entry in leans
        ],
        "lean_flag": LEAN_FLAG,
        "self_gaps": document["self_gaps"],
        "gaps_apply": scheme == PERFORMANCE_EVALUATION,
    }


def _key_label(key: str) -> str:
    return STAT_KEYS.get(key) or labels.METHODS.get(key) or labels.COMPONENTS.get(key) or key
