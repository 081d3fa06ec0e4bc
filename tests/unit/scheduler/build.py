"""Tiny builders for scheduler unit tests: matrix scenarios on one day, times in minutes.

``at(m)`` is 2026-11-30 07:00+07:00 plus ``m`` minutes, so tests read as "window 30..90".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scheduler.types import (
    Interval,
    Lock,
    Matrix,
    MatrixLoc,
    Request,
    Scenario,
    Volunteer,
)

ICT = timezone(timedelta(hours=7))
ORIGIN = datetime(2026, 11, 30, 7, 0, tzinfo=ICT)


def at(minutes: float) -> datetime:
    return ORIGIN + timedelta(minutes=minutes)


def span(start_min: float, end_min: float) -> Interval:
    return Interval(at(start_min), at(end_min))


def line_matrix(points: list[float], seconds_per_unit: float = 60.0) -> Matrix:
    """Places on a line at the given positions; travel = distance × seconds_per_unit."""
    return Matrix(tuple(tuple(abs(a - b) * seconds_per_unit for b in points) for a in points))


def volunteer(
    vid: str,
    loc: int,
    skills: set[str] | None = None,
    shifts: list[tuple[float, float]] | None = None,
    max_visits: int | None = None,
    capacity: float | None = None,
) -> Volunteer:
    return Volunteer(
        id=vid,
        location=MatrixLoc(loc),
        skills=frozenset(skills or set()),
        shifts=tuple(span(a, b) for a, b in (shifts or [(0, 480)])),
        max_visits_per_shift=max_visits,
        capacity=capacity,
    )


def request(
    rid: str,
    loc: int,
    skills: set[str] | None = None,
    duration: float = 30,
    windows: list[tuple[float, float]] | None = None,
    priority: int = 1,
    demand: float = 1.0,
) -> Request:
    return Request(
        id=rid,
        location=MatrixLoc(loc),
        skills=frozenset(skills or set()),
        duration_min=duration,
        windows=tuple(span(a, b) for a, b in (windows or [])),
        priority=priority,
        demand=demand,
    )


def scenario(
    matrix: Matrix,
    volunteers: list[Volunteer],
    requests: list[Request],
    locked: list[Lock] | None = None,
    name: str = "test",
) -> Scenario:
    return Scenario(
        name=name,
        travel=matrix,
        volunteers=tuple(volunteers),
        requests=tuple(requests),
        locked=tuple(locked or []),
        timezone="Asia/Ho_Chi_Minh",
    )
