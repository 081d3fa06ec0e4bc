"""Server-drawn SVG: bar charts for the dashboard and the board's time lines.

Only presentation attributes (no style attributes), so the strict CSP holds. All text is
escaped. The SVGs scale with ``viewBox`` so they fit a 360 px phone without scrolling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from markupsafe import Markup, escape

from dispatch.clock import to_local

STATUS_COLOURS = {
    "offered": "#7aa7e0",
    "accepted": "#2e8b57",
    "in_progress": "#f2a541",
    "done": "#8a9aa6",
}
BAR = "#0b6e4f"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(items: Sequence[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """One bar per (label, value), the label above its bar: readable at 360 px as on desktop."""
    row_h, width, value_w = 48, 400, 56
    height = max(1, len(items)) * row_h + 12
    top = max((value for _label, value in items), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="15">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        y = 6 + index * row_h
        bar_w = (width - value_w) * (value / top)
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="0" y="{y + 16}" fill="#1b1f23">{escape(_short(label, 46))}</text>'
            f'<rect x="0" y="{y + 22}" width="{max(bar_w, 2):.1f}" height="18" fill="{BAR}" '
            f'rx="3"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{bar_w + 6:.1f}" y="{y + 36}" fill="#1b1f23">{escape(shown)}</text>'
        )
    if not items:
        parts.append('<text x="0" y="24" fill="#52606d">—</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def board_timeline(
    rows: Sequence[tuple[str, Sequence[tuple[datetime, datetime, str, str, str]]]],
    first_hour: int = 7,
    last_hour: int = 21,
    link: Callable[[str], str] | None = None,
) -> Markup:
    """One line per volunteer: (name, [(start, end, status, label, request id)])."""
    row_h, label_w, width = 44, 190, 1000
    span_w = width - label_w - 24  # room for the last hour's label
    hours = last_hour - first_hour
    height = 30 + max(1, len(rows)) * row_h

    def x_of(moment: datetime) -> float:
        local = to_local(moment)
        h = local.hour + local.minute / 60 - first_hour
        return label_w + span_w * min(max(h, 0), hours) / hours

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="board" font-family="sans-serif" font-size="14">'
    ]
    for hour in range(first_hour, last_hour + 1):
        x = label_w + span_w * (hour - first_hour) / hours
        parts.append(
            f'<line x1="{x:.1f}" y1="22" x2="{x:.1f}" y2="{height}" stroke="#dde3e6"/>'
            f'<text x="{x:.1f}" y="16" text-anchor="middle" fill="#52606d">{hour}h</text>'
        )
    for index, (name, visits) in enumerate(rows):
        y = 26 + index * row_h
        parts.append(
            f'<text x="6" y="{y + 26}" fill="#1b1f23">{escape(_short(name, 22))}</text>'
            f'<line x1="{label_w}" y1="{y + row_h - 2}" x2="{width}" y2="{y + row_h - 2}" '
            f'stroke="#eef2f0"/>'
        )
        for start, end, status, label, request_id in visits:
            x1, x2 = x_of(start), x_of(end)
            colour = STATUS_COLOURS.get(status, "#b0bec5")
            tip = f"{to_local(start):%H:%M}–{to_local(end):%H:%M} {label}"
            rect = (
                f'<rect x="{x1:.1f}" y="{y + 6}" width="{max(x2 - x1, 4):.1f}" '
                f'height="{row_h - 14}" rx="4" fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
            if link is not None:
                rect = f'<a href="{escape(link(request_id))}">{rect}</a>'
            parts.append(rect)
    parts.append("</svg>")
    return Markup("".join(parts))
