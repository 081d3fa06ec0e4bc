"""Greedy baseline: each request goes to the nearest skilled volunteer who can still fit it.

Locked visits are placed first. Then requests are taken by priority (highest first), earliest
deadline, then id; each goes to the skilled volunteers in order of distance from their home,
and to the first of their shifts where it can be appended after the last visit already there
(the earliest start that respects the request's windows, the travel from the previous stop, the
trip home before the shift ends, the next locked visit, the visit limit and the capacity).
Starts are rounded up to whole seconds so the written plan needs none of the tolerance.
Deterministic: no randomness, ties broken by ids. Used by the benchmarks and as the fallback.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from scheduler.evaluate import objective
from scheduler.locks import locked_routes
from scheduler.plans import scenario_tzinfo
from scheduler.reasons import explain_unassigned
from scheduler.travel import travel_seconds
from scheduler.types import Interval, Location, Plan, Request, Route, Scenario, Visit, Volunteer


@dataclass
class _Stop:
    visit: Visit
    location: Location
    locked: bool


@dataclass
class _Day:
    """One volunteer shift being filled: its stops in time order."""

    volunteer: Volunteer
    index: int
    shift: Interval
    stops: list[_Stop] = field(default_factory=list)
    load: float = 0.0

    def has_room(self, request: Request) -> bool:
        limit = self.volunteer.max_visits_per_shift
        if limit is not None and len(self.stops) >= limit:
            return False
        capacity = self.volunteer.capacity
        return capacity is None or self.load + request.demand <= capacity + 1e-9

    def first_free_position(self) -> int:
        """Appending happens after the last visit that is not locked."""
        for position in range(len(self.stops), 0, -1):
            if not self.stops[position - 1].locked:
                return position
        return 0


def _ceil_second(moment: datetime) -> datetime:
    if moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def _slot(scenario: Scenario, day: _Day, request: Request) -> tuple[int, Visit] | None:
    """The earliest feasible (position, visit) for ``request`` at or after the free position."""
    if not day.has_room(request):
        return None
    home = day.volunteer.location
    duration = timedelta(minutes=request.duration_min)
    windows = sorted(request.windows or (day.shift,), key=lambda w: w.start)
    for position in range(day.first_free_position(), len(day.stops) + 1):
        before = day.stops[position - 1] if position else None
        after = day.stops[position] if position < len(day.stops) else None
        place = before.location if before else home
        free_at = before.visit.end if before else day.shift.start
        leg_in = travel_seconds(scenario.travel, place, request.location)
        arrive = _ceil_second(free_at + timedelta(seconds=leg_in))
        next_place = after.location if after else home
        deadline = after.visit.start if after else day.shift.end
        leg_out = timedelta(seconds=travel_seconds(scenario.travel, request.location, next_place))
        for window in windows:
            start = _ceil_second(max(arrive, window.start))
            end = start + duration
            if end <= window.end and end + leg_out <= deadline:
                return position, Visit(request=request.id, start=start, end=end)
    return None


def _order(requests: list[Request]) -> list[Request]:
    def key(request: Request) -> tuple[int, float, str]:
        ends = [w.end.timestamp() for w in request.windows]
        return (-request.priority, min(ends) if ends else float("inf"), request.id)

    return sorted(requests, key=key)


def greedy(scenario: Scenario) -> Plan:
    """A feasible plan built greedily (see the module docstring)."""
    began = time.perf_counter()
    tz = scenario_tzinfo(scenario)
    requests = {request.id: request for request in scenario.requests}
    days = {
        (volunteer.id, index): _Day(volunteer=volunteer, index=index, shift=shift)
        for volunteer in scenario.volunteers
        for index, shift in enumerate(volunteer.shifts)
    }
    for key, visits in locked_routes(scenario).items():
        day = days[key]
        for visit in visits:
            request = requests[visit.request]
            day.stops.append(_Stop(visit=visit, location=request.location, locked=True))
            day.load += request.demand
    placed = {lock.request for lock in scenario.locked}
    free = [request for request in scenario.requests if request.id not in placed]
    for request in _order(free):
        if _place(scenario, days, request):
            placed.add(request.id)
    routes = tuple(
        Route(
            volunteer=day.volunteer.id,
            shift=day.index,
            visits=tuple(
                Visit(s.visit.request, s.visit.start.astimezone(tz), s.visit.end.astimezone(tz))
                for s in day.stops
            ),
        )
        for day in days.values()
        if day.stops
    )
    missing = [request.id for request in scenario.requests if request.id not in placed]
    return Plan(
        scenario=scenario.name,
        routes=routes,
        unassigned=explain_unassigned(scenario, missing),
        objective=objective(scenario, routes),
        solver={
            "name": "greedy",
            "status": "greedy",
            "wall_s": round(time.perf_counter() - began, 3),
        },
    )


def _place(scenario: Scenario, days: dict[tuple[str, int], _Day], request: Request) -> bool:
    """Put ``request`` with the nearest skilled volunteer that has a slot; False if none."""
    skilled = [v for v in scenario.volunteers if request.servable_by(v) and v.shifts]
    skilled.sort(
        key=lambda v: (travel_seconds(scenario.travel, v.location, request.location), v.id)
    )
    for volunteer in skilled:
        for index in range(len(volunteer.shifts)):
            day = days[(volunteer.id, index)]
            slot = _slot(scenario, day, request)
            if slot is not None:
                position, visit = slot
                stop = _Stop(visit=visit, location=request.location, locked=False)
                day.stops.insert(position, stop)
                day.load += request.demand
                return True
    return False
