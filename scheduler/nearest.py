"""The nearest time a request left out of a plan could have, with every planned visit kept.

When nobody can come in a resident's windows, the resident is offered the nearest time some
volunteer could: this looks, in every shift of every volunteer with the skills, at each gap
between the plan's visits (from home to the first visit, between two visits, from the last one
back home) and places the visit, if it fits the gap with its travel, at the start nearest the
request's windows. The plan itself is not changed; nothing moves to make room.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from scheduler.travel import travel_seconds
from scheduler.types import Interval, Location, Plan, Request, Scenario, Visit, Volunteer


@dataclass(frozen=True)
class Slot:
    volunteer: str
    shift: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class _Gap:
    volunteer: str
    shift: int
    lo: datetime  # earliest start
    hi: datetime  # latest start


def distance(windows: tuple[Interval, ...], start: datetime, duration: timedelta) -> timedelta:
    """How far a visit starting at ``start`` falls outside the nearest window (0: inside)."""
    if not windows:
        return timedelta(0)
    end = start + duration
    return min(max(timedelta(0), w.start - start, end - w.end) for w in windows)


def nearest_slot(
    scenario: Scenario,
    plan: Plan,
    request_id: str,
    *,
    earliest: datetime,
    step: timedelta = timedelta(minutes=5),
) -> Slot | None:
    """The slot for ``request_id`` nearest its windows, starting no earlier than ``earliest``;
    None when it fits no gap of any shift. Starts are rounded to ``step`` when that still fits.
    Ties go to the earlier start."""
    request = next(r for r in scenario.requests if r.id == request_id)
    duration = timedelta(minutes=request.duration_min)
    best: tuple[timedelta, datetime, Slot] | None = None
    for gap in _gaps(scenario, plan, request, earliest):
        for start in _candidates(request.windows, gap, duration, step):
            key = (distance(request.windows, start, duration), start)
            if best is None or key < best[:2]:
                best = (*key, Slot(gap.volunteer, gap.shift, start, start + duration))
    return None if best is None else best[2]


def _candidates(
    windows: tuple[Interval, ...], gap: _Gap, duration: timedelta, step: timedelta
) -> Iterator[datetime]:
    """Starts in the gap that may be nearest: each window's edges pulled into the gap."""
    points = [gap.lo, gap.hi]
    for window in windows:
        points += [window.start, window.end - duration]
    for point in points:
        clamped = min(max(point, gap.lo), gap.hi)
        yield _rounded(clamped, gap, step)


def _rounded(moment: datetime, gap: _Gap, step: timedelta) -> datetime:
    """``moment`` on a round minute (up, else down) if that stays in the gap."""
    base = moment.replace(second=0, microsecond=0)
    down = base - timedelta(minutes=base.minute % int(step.total_seconds() // 60 or 1))
    up = down if down == moment else down + step
    if up <= gap.hi:
        return up
    return down if down >= gap.lo else moment


def _gaps(scenario: Scenario, plan: Plan, request: Request, earliest: datetime) -> Iterator[_Gap]:
    by_id = {r.id: r for r in scenario.requests}
    routes = {(route.volunteer, route.shift): route.visits for route in plan.routes}
    duration = timedelta(minutes=request.duration_min)
    for volunteer in scenario.volunteers:
        if not request.servable_by(volunteer):
            continue
        for index, shift in enumerate(volunteer.shifts):
            visits = sorted(routes.get((volunteer.id, index), ()), key=lambda v: v.start)
            if not _has_room(volunteer, visits, request, by_id):
                continue
            for before, after in _neighbours(visits):
                lo, hi = _bounds(scenario, volunteer, shift, before, after, request, by_id)
                hi -= duration
                lo = max(lo, earliest)
                if lo <= hi:
                    yield _Gap(volunteer.id, index, lo, hi)


def _neighbours(visits: list[Visit]) -> Iterator[tuple[Visit | None, Visit | None]]:
    """(visit before, visit after) of each place a new visit could go; None is home."""
    chain: list[Visit | None] = [None, *visits, None]
    yield from zip(chain, chain[1:], strict=False)


def _bounds(
    scenario: Scenario,
    volunteer: Volunteer,
    shift: Interval,
    before: Visit | None,
    after: Visit | None,
    request: Request,
    by_id: dict[str, Request],
) -> tuple[datetime, datetime]:
    """(earliest start, latest end) of the new visit between ``before`` and ``after``."""

    def place(visit: Visit | None) -> Location:
        return volunteer.location if visit is None else by_id[visit.request].location

    there = travel_seconds(scenario.travel, place(before), request.location)
    back = travel_seconds(scenario.travel, request.location, place(after))
    free_from = shift.start if before is None else before.end
    due_by = shift.end if after is None else after.start
    return free_from + timedelta(seconds=there), due_by - timedelta(seconds=back)


def _has_room(
    volunteer: Volunteer, visits: list[Visit], request: Request, by_id: dict[str, Request]
) -> bool:
    if volunteer.max_visits_per_shift is not None and len(visits) >= volunteer.max_visits_per_shift:
        return False
    if volunteer.capacity is None:
        return True
    load = sum(by_id[v.request].demand for v in visits) + request.demand
    return load <= volunteer.capacity + 1e-9
