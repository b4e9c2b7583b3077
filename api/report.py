"""The printable report of a cycle (issue 14, item 5): one self-contained HTML page in
Chinese — the season, its version, digest and chain head; grade (tier) distribution per
category against the quotas and a histogram of the finals as SVG; the ranking; vetoes,
caps and appeals with their reasons and answers; statistics highlights (SPEC §10); and
what changed from each version to the next — and a PDF of that page by WeasyPrint.

The PDF needs a CJK font (fontconfig's `fc-list :lang=zh`): without one it is refused
rather than printed as empty boxes; the HTML report does not need one."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from assess.api.console import labels
from assess.api.console.charts import grade_chart, histogram_chart
from assess.api.console.web import HERE
from assess.application.appeals import appeals_of
from assess.application.charts import distribution, histogram
from assess.application.service import AssessApp
from assess.application.stats import stats
from assess.domain.errors import DomainError

# The font the report asks for first; the others are fallbacks fontconfig may know.
FONTS = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei"'
NO_CJK_FONT = (
    "no Chinese (CJK) font is installed, so the PDF would show empty boxes: "
    "install one with `apt-get install fonts-noto-cjk` (the HTML report works without it)"
)
# The charts' colours, inside each SVG: WeasyPrint styles an inline SVG from its own
# <style> only (the console's charts.css, in the same colours, is not linked here).
SVG_STYLE = (
    "<style>.track{fill:#eef1f4}.bar{fill:#1a5fb4}.bar.over{fill:#a11a1a}"
    ".quota{stroke:#8a5300;stroke-width:3;stroke-dasharray:4 2}"
    ".axis{stroke:#4f5968;stroke-width:1}"
    f"text{{fill:#1d2330;font-size:14px;font-family:{FONTS},sans-serif}}"
    "text.small{font-size:11px}</style>"
)
SVG_OPEN = 'xmlns="http://www.w3.org/2000/svg">'
LEANS_SHOWN = 5  # the submitters with the largest |lean|
KNOCK_ON_NAMED = 10  # units whose only change is their rank, named before "等"

_templates = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters.update(labels.FILTERS)


def report_html(app: AssessApp, cycle_id: str, version: int | None = None) -> str:
    """The report of a results version (the latest by default); a version that does
    not exist is refused as `results` refuses it."""
    document = app.results(cycle_id, version)
    number = document["version"]
    latest = app.cycle(cycle_id)
    position = next(e["position"] for e in latest.versions if e["version"] == number)
    cycle = app.cycle(cycle_id, position=position)
    rows = document["results"]
    groups = distribution(document["scheme"], rows, cycle.rules.get("quotas"))
    bins = histogram(rows)
    figures = stats(app, cycle_id, number)
    names = {unit: entry.get("name", unit) for unit, entry in cycle.units.items()}
    context = {
        "title": cycle.title or cycle_id,
        "cycle": cycle_id,
        "scheme": cycle.scheme,
        "year": cycle.year,
        "stage": latest.stage,
        "version": number,
        "latest": latest.versions[-1]["version"],
        "digest": document["digest"],
        "head": cycle.head,
        "rows": sorted(rows, key=lambda row: (row["rank"], row["unit"])),
        "groups": [{**group, "chart": _styled(grade_chart(group))} for group in groups],
        "histogram": _styled(histogram_chart(bins, len(rows))),
        "bins": bins,
        "vetoes": [
            {
                "unit": unit,
                "name": names.get(unit, unit),
                "basis": labels.VETO_BASES.get(str(entry.get("basis")), entry.get("basis")),
                "reason": entry.get("reason", ""),
            }
            for unit, entry in sorted(cycle.vetoes.items())
        ],
        "caps": [
            {
                "unit": unit,
                "name": names.get(unit, unit),
                "conditions": [labels.CAP_CONDITIONS.get(c, c) for c in conditions],
            }
            for unit, conditions in sorted(cycle.caps.items())
            if conditions
        ],
        "appeals": _appeals(app, cycle_id, position, names),
        "categories": figures["categories"],
        "leans": sorted(
            figures["submitters"], key=lambda e: (-abs(Decimal(e["lean"])), e["actor"], e["key"])
        )[:LEANS_SHOWN],
        "self_gaps": [
            {**gap, "name": names.get(gap["unit"], gap["unit"])} for gap in figures["self_gaps"]
        ],
        "changes": [_changes(app.diff(cycle_id, k - 1, k)) for k in range(2, number + 1)],
        "fonts": FONTS,
    }
    return _templates.get_template("report.html").render(**context)


def _styled(chart: Markup) -> Markup:
    return Markup(str(chart).replace(SVG_OPEN, SVG_OPEN + SVG_STYLE, 1))


def _appeals(
    app: AssessApp, cycle_id: str, position: int, names: dict[str, str]
) -> list[dict[str, Any]]:
    """Appeals filed by the version's event, each with its answer if answered by then."""
    answers = {
        event.data["appeal"]: event.data
        for event in app.events_of(cycle_id)
        if type(event).__name__ == "AppealResolved" and event.originator_version <= position
    }
    found = []
    for appeal in appeals_of(app, cycle_id):
        if appeal["position"] > position:
            continue
        answer = answers.get(appeal["appeal"])
        found.append(
            {
                **appeal,
                "name": names.get(appeal["unit"], appeal["unit"]),
                "outcome": labels.OUTCOMES.get(answer["outcome"], answer["outcome"])
                if answer
                else labels.APPEAL_STATUSES["pending"],
                "answer": answer.get("answer", "") if answer else "",
            }
        )
    return found


def _changes(diff: dict[str, Any]) -> dict[str, Any]:
    """A diff, short: the units changed by an action (fields, verbs and reasons), then
    the units whose figures moved only as a knock-on (their names, at most ten)."""
    direct, knock_on = [], []
    for change in diff["changes"]:
        if change.get("knock_on") and not change.get("events"):
            knock_on.append(change["name"])
            continue
        fields = "；".join(
            f"{labels.changed_field_label(key)} {_shown(a)}→{_shown(b)}"
            for key, (a, b) in change["changes"].items()
        )
        why = "；".join(
            labels.FILTERS["verb_label"](event["verb"])
            + (f"（{event['reason']}）" if event.get("reason") else "")
            for event in change.get("events", [])
        )
        direct.append(
            {"name": change["name"], "unit": change["unit"], "fields": fields, "why": why}
        )
    return {
        "from": diff["from"]["version"],
        "to": diff["to"]["version"],
        "direct": direct,
        "knock_on": knock_on[:KNOCK_ON_NAMED],
        "more": max(0, len(knock_on) - KNOCK_ON_NAMED),
    }


def _shown(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    return "—" if value is None else str(value)


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font covering Chinese."""
    if shutil.which("fc-list") is None:
        return False
    found = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, timeout=30, check=False
    )
    return found.returncode == 0 and bool(found.stdout.strip())


def report_pdf(html: str) -> bytes:
    """The report's HTML as a PDF; refused (invalid_value) when no CJK font is
    installed, since the text would print as empty boxes."""
    if not cjk_font_installed():
        raise DomainError("invalid_value", NO_CJK_FONT)
    from weasyprint import HTML  # imported when used: it is slow to import

    return bytes(HTML(string=html).write_pdf())
