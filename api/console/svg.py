"""Charts drawn on the server as SVG (issue 13: no chart library, pages stay light and
CSP-clean). Each chart is a horizontal or vertical bar chart with a <title> and <desc>
for screen readers (`role="img"`, `aria-labelledby`); the page beside it carries the
same numbers as a table. Geometry is integer arithmetic on counts: no floats."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from markupsafe import Markup, escape

_ids = count(1)

ROW = 28  # a bar's band, px
LABEL = 160  # the labels' column
WIDTH = 640
BAR_AREA = WIDTH - LABEL - 150  # the rest holds the figure after the bar


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    whole: int  # the bar's full length (a share: value of whole)
    text: str  # the figure shown after the bar
    marker: int | None = None  # a quota line, on the same scale as value
    kind: str = "bar"  # a CSS class: bar, done, quota-over


def bars(title: str, desc: str, rows: list[Bar]) -> Markup:
    """Horizontal bars, one per row, each as long as value/whole of the bar area."""
    key = f"chart{next(_ids)}"
    height = ROW * max(len(rows), 1) + 8
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-t">{escape(title)}</title>',
        f'<desc id="{key}-d">{escape(desc)}</desc>',
    ]
    for i, row in enumerate(rows):
        y = 4 + i * ROW
        length = _length(row.value, row.whole)
        parts.append(
            f'<text class="label" x="{LABEL - 8}" y="{y + 18}" text-anchor="end">'
            f"{escape(row.label)}</text>"
            f'<rect class="track" x="{LABEL}" y="{y + 4}" width="{BAR_AREA}" height="{ROW - 8}"/>'
            f'<rect class="{escape(row.kind)}" x="{LABEL}" y="{y + 4}" width="{length}" '
            f'height="{ROW - 8}"/>'
            f'<text class="figure" x="{LABEL + BAR_AREA + 8}" y="{y + 18}">'
            f"{escape(row.text)}</text>"
        )
        if row.marker is not None:
            x = LABEL + _length(row.marker, row.whole)
            parts.append(f'<line class="quota" x1="{x}" x2="{x}" y1="{y}" y2="{y + ROW}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(title: str, desc: str, labels: list[str], values: list[int]) -> Markup:
    """Vertical bars (a histogram): one column per label, as tall as value/max."""
    key = f"chart{next(_ids)}"
    top, base, left = 24, 200, 36
    step = (WIDTH - left - 8) // max(len(values), 1)
    most = max(values, default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {base + 40}" width="100%" role="img" '
        f'aria-labelledby="{key}-t {key}-d" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-t">{escape(title)}</title>',
        f'<desc id="{key}-d">{escape(desc)}</desc>',
        f'<line class="axis" x1="{left}" x2="{WIDTH - 8}" y1="{base}" y2="{base}"/>',
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + i * step
        height = (base - top) * value // most
        parts.append(
            f'<rect class="bar" x="{x + 3}" y="{base - height}" width="{step - 6}" '
            f'height="{height}"/>'
            f'<text class="figure" x="{x + step // 2}" y="{base - height - 6}" '
            f'text-anchor="middle">{value}</text>'
            f'<text class="label small" x="{x + step // 2}" y="{base + 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _length(value: int, whole: int) -> int:
    if whole <= 0:
        return 0
    return BAR_AREA * min(value, whole) // whole
