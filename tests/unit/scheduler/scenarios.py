"""Scenario builders for scheduler tests: JSON documents, the example files, random scenarios.

``small_document()`` is a valid matrix scenario as plain JSON (what ``parse_scenario`` reads), to
be broken one field at a time; ``random_scenarios()`` is a hypothesis strategy of small valid
scenarios on a metric matrix (places in a plane), optionally with locks taken from a plan.
"""

from __future__ import annotations

import copy
import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from scheduler.types import Interval, Matrix, MatrixLoc, Request, Scenario, Volunteer

FORMATS = Path(__file__).resolve().parents[2] / "fixtures" / "formats"
ICT = timezone(timedelta(hours=7))
DAY = datetime(2026, 11, 30, 7, 0, tzinfo=ICT)


def load_fixture(name: str) -> Any:
    """One of the copied ``shared/formats`` files: example-scenario.json, plan.schema.json..."""
    return json.loads((FORMATS / name).read_text(encoding="utf-8"))


def stamp(minutes: float) -> str:
    """2026-11-30 07:00+07:00 plus ``minutes``, as the formats write it."""
    return (DAY + timedelta(minutes=minutes)).isoformat()


def small_document() -> dict[str, Any]:
    """Two volunteers, three requests, one lock, three places a few minutes apart."""
    return copy.deepcopy(
        {
            "version": 1,
            "name": "small",
            "timezone": "Asia/Ho_Chi_Minh",
            "travel": {"model": "matrix", "seconds": [[0, 300, 600], [300, 0, 300], [600, 300, 0]]},
            "volunteers": [
                {
                    "id": "v1",
                    "location": {"loc": 0},
                    "skills": ["vneid", "e_payment"],
                    "shifts": [{"start": stamp(0), "end": stamp(240)}],
                    "max_visits_per_shift": 4,
                    "capacity": 10,
                },
                {
                    "id": "v2",
                    "location": {"loc": 2},
                    "skills": ["vneid"],
                    "shifts": [{"start": stamp(0), "end": stamp(240)}],
                },
            ],
            "requests": [
                {
                    "id": "r1",
                    "location": {"loc": 1},
                    "skills": ["vneid"],
                    "duration_min": 30,
                    "windows": [{"start": stamp(0), "end": stamp(120)}],
                    "priority": 5,
                    "demand": 1,
                    "received_at": stamp(-600),
                },
                {
                    "id": "r2",
                    "location": {"loc": 2},
                    "skills": ["e_payment"],
                    "duration_min": 20,
                    "windows": [],
                },
                {
                    "id": "r3",
                    "location": {"loc": 1},
                    "skills": [],
                    "duration_min": 15,
                },
            ],
            "locked": [{"request": "r1", "volunteer": "v1", "start": stamp(10)}],
        }
    )


# -- random scenarios (hypothesis) ---------------------------------------------------------

SKILLS = ("a", "b", "c")


@st.composite
def _intervals(draw: st.DrawFn, count_max: int, length_max: int) -> tuple[Interval, ...]:
    out = []
    for _ in range(draw(st.integers(0, count_max))):
        start = draw(st.integers(0, 600))
        length = draw(st.integers(0, length_max))
        out.append(
            Interval(DAY + timedelta(minutes=start), DAY + timedelta(minutes=start + length))
        )
    return tuple(out)


@st.composite
def _shifts(draw: st.DrawFn) -> tuple[Interval, ...]:
    """Up to two shifts of one volunteer, in order and not overlapping."""
    out = []
    cursor = 0
    for _ in range(draw(st.sampled_from([1, 2, 2, 0]))):
        start = cursor + draw(st.integers(0, 300))
        cursor = start + draw(st.integers(0, 360))
        out.append(Interval(DAY + timedelta(minutes=start), DAY + timedelta(minutes=cursor)))
    return tuple(out)


@st.composite
def random_scenarios(draw: st.DrawFn) -> Scenario:
    """Up to 6 places, 3 volunteers, 9 requests; travel = scaled distance in a plane."""
    places = draw(
        st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=6)
    )
    scale = draw(st.sampled_from([15.0, 60.0, 97.3]))
    seconds = tuple(
        tuple(math.dist(a, b) * scale for b in places) for a in places
    )  # metric, so dropping stops from a feasible route keeps it feasible
    loc = st.integers(0, len(places) - 1).map(MatrixLoc)
    # Mostly able volunteers and easy requests, so that plans have routes worth checking.
    skills = st.sampled_from([frozenset(SKILLS), frozenset("ab"), frozenset("a"), frozenset()])
    needs = st.sampled_from([frozenset(), frozenset("a"), frozenset("b"), frozenset("ac")])
    volunteers = tuple(
        Volunteer(
            id=f"v{i}",
            location=draw(loc),
            skills=draw(skills),
            shifts=draw(_shifts()),
            max_visits_per_shift=draw(st.none() | st.integers(0, 4)),
            capacity=draw(st.none() | st.floats(0, 5, allow_nan=False)),
        )
        for i in range(draw(st.integers(1, 3)))
    )
    requests = tuple(
        Request(
            id=f"r{i}",
            location=draw(loc),
            skills=draw(needs),
            duration_min=draw(st.sampled_from([0, 10, 30, 45, 90, 12.5])),
            windows=draw(_intervals(2, 300)),
            priority=draw(st.integers(1, 100)),
            demand=draw(st.sampled_from([0.0, 1.0, 2.0, 0.5])),
        )
        for i in range(draw(st.integers(0, 9)))
    )
    return Scenario(
        name="random",
        travel=Matrix(seconds),
        volunteers=volunteers,
        requests=requests,
        timezone=draw(st.sampled_from([None, "Asia/Ho_Chi_Minh", "UTC"])),
    )
