"""A server-drawn SVG map of hamlets coloured by coverage (share of households reached).

Like ``web.charts``: presentation attributes only (the strict CSP forbids style attributes and
inline scripts), text escaped, ``viewBox`` so it fits a 360 px phone. Hamlets are placed by
their centres (an equirectangular projection is exact enough over a commune); each circle's
area follows the number of households.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from dispatch.services.coverage import Place

# From "nobody reached" to "everyone": red, orange, yellow, light green, green.
SCALE = ((0.2, "#c0392b"), (0.4, "#e67e22"), (0.6, "#f1c40f"), (0.8, "#7dcea0"), (1.01, "#1e8449"))
NO_HOUSEHOLDS = "#b0bec5"


def colour(share: float, households: int) -> str:
    if not households:
        return NO_HOUSEHOLDS
    return next(c for limit, c in SCALE if share < limit)


def coverage_map(places: Sequence[Place], title: str, legend: Sequence[str]) -> Markup:
    """``legend``: five labels for the colour steps, lowest first."""
    width, height, pad = 400, 300, 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 40}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    if places:
        lats = [p.lat for p in places]
        lons = [p.lon for p in places]
        mid = math.cos(math.radians(sum(lats) / len(lats)))
        span = max((max(lons) - min(lons)) * mid, max(lats) - min(lats), 1e-3)
        scale = min(width, height) - 2 * pad
        biggest = max(p.counts.households for p in places) or 1
        for place in places:
            x = pad + ((place.lon - min(lons)) * mid / span) * scale
            y = pad + ((max(lats) - place.lat) / span) * scale
            c = place.counts
            radius = 8 + 22 * math.sqrt(c.households / biggest)
            share = c.share(c.reached)
            tip = f"{place.name}: {c.reached}/{c.households} ({share:.0%})"
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" '
                f'fill="{colour(share, c.households)}" stroke="#1b1f23" stroke-width="1">'
                f"<title>{escape(tip)}</title></circle>"
                f'<text x="{x:.1f}" y="{y + radius + 13:.1f}" text-anchor="middle" '
                f'fill="#1b1f23">{escape(place.name[:22])} {share:.0%}</text>'
            )
    else:
        parts.append('<text x="10" y="30" fill="#52606d">—</text>')
    for index, (label, (_limit, fill)) in enumerate(zip(legend, SCALE, strict=False)):
        x = 6 + index * 79
        parts.append(
            f'<rect x="{x}" y="{height + 14}" width="14" height="14" fill="{fill}"/>'
            f'<text x="{x + 18}" y="{height + 26}" fill="#1b1f23">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
