"""The coverage map: a colour per share, escaped names, no style attributes (strict CSP)."""

from __future__ import annotations

from dispatch.services.coverage import Counts, Place
from web.coverage_map import NO_HOUSEHOLDS, SCALE, colour, coverage_map


def _place(name: str, households: int, reached: int, lat: float) -> Place:
    return Place(name, name, lat, 105.0, Counts(households=households, reached=reached))


def test_colour_steps() -> None:
    assert colour(0.0, 10) == SCALE[0][1]
    assert colour(0.5, 10) == SCALE[2][1]
    assert colour(1.0, 10) == SCALE[-1][1]
    assert colour(0.0, 0) == NO_HOUSEHOLDS


def test_map_draws_each_hamlet_escaped_and_without_style() -> None:
    svg = str(
        coverage_map(
            [_place("Ấp <1>", 100, 90, 9.7), _place("Ấp 2", 40, 4, 9.68)],
            "map",
            ["a", "b", "c", "d", "e"],
        )
    )
    assert svg.count("<circle") == 2 and "&lt;1&gt;" in svg and "<1>" not in svg
    assert "style=" not in svg and "<script" not in svg
    assert "90/100 (90%)" in svg and SCALE[-1][1] in svg and SCALE[0][1] in svg


def test_counts_add_and_share() -> None:
    total = Counts()
    total.add(Counts(households=10, reached=5, misses=2))
    total.add(Counts(households=30, reached=5, misses=1))
    assert (total.households, total.reached, total.misses) == (40, 10, 3)
    assert total.share(total.reached) == 0.25 and Counts().share(0) == 0.0
