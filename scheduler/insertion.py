"""A repair pass after any planner: put left-out requests where they still fit.

A short search (a campaign hamlet-day gets ~0.01 s a door) can stop with a request left out
although some shift still has room for it. This pass takes the left-out requests by priority
(highest first, then the fewest shifts able to take them, then id) and inserts each at the
cheapest feasible place in any shift (extra travel), re-timing only the route it joins: every
stop as early as its windows allow, which never makes a later stop infeasible. Routes that take
nothing keep their times. Locked visits never move (a request is not inserted before one).
Deterministic.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scheduler.evaluate import objective, requests_by_id
from scheduler.plans import scenario_tzinfo
from scheduler.reasons import can_ever_serve, explain_unassigned
from scheduler.travel import travel_seconds
from scheduler.types import Plan, Request, Route, Scenario, Visit, Volunteer


def _ceil_second(moment: datetime) -> datetime:
    if moment.microsecond:
        return moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment


def timed_route(
    scenario: Scenario, volunteer: Volunteer, shift: int, requests: list[Request]
) -> tuple[Visit, ...] | None:
    """Each request as early as its windows allow in this order, or None if one does not fit."""
    window_of_shift = volunteer.shifts[shift]
    place, free_at = volunteer.location, window_of_shift.start
    visits = []
    for request in requests:
        arrive = free_at + timedelta(
            seconds=travel_seconds(scenario.travel, place, request.location)
        )
        duration = timedelta(minutes=request.duration_min)
        start = None
        for window in sorted(request.windows or (window_of_shift,), key=lambda w: w.start):
            begin = _ceil_second(max(arrive, window.start))
            if begin + duration <= window.end:
                start = begin
                break
        if start is None:
            return None
        visits.append(Visit(request.id, start, start + duration))
        place, free_at = request.location, start + duration
    home = timedelta(seconds=travel_seconds(scenario.travel, place, volunteer.location))
    return tuple(visits) if free_at + home <= window_of_shift.end else None


def _room(volunteer: Volunteer, route: list[Request], request: Request) -> bool:
    limit = volunteer.max_visits_per_shift
    if limit is not None and len(route) >= limit:
        return False
    load = sum(r.demand for r in route) + request.demand
    return volunteer.capacity is None or load <= volunteer.capacity + 1e-9


def _travel(scenario: Scenario, volunteer: Volunteer, route: list[Request]) -> float:
    places = [volunteer.location, *(r.location for r in route), volunteer.location]
    return sum(
        travel_seconds(scenario.travel, a, b) for a, b in zip(places, places[1:], strict=False)
    )


def insert_left_out(scenario: Scenario, plan: Plan) -> Plan:
    """``plan`` with every left-out request that fits somewhere inserted (see the docstring)."""
    requests = requests_by_id(scenario)
    volunteers = {v.id: v for v in scenario.volunteers}
    locked = {lock.request for lock in scenario.locked}
    routes: dict[tuple[str, int], list[Request]] = {
        (v.id, i): [] for v in scenario.volunteers for i in range(len(v.shifts))
    }
    kept: dict[tuple[str, int], tuple[Visit, ...]] = {}
    for planned in plan.routes:
        routes[(planned.volunteer, planned.shift)] = [requests[v.request] for v in planned.visits]
        kept[(planned.volunteer, planned.shift)] = planned.visits
    able = {
        u.request: [
            (v.id, i)
            for v in scenario.volunteers
            for i in can_ever_serve(scenario, v, requests[u.request])
        ]
        for u in plan.unassigned
        if u.request in requests
    }
    order = sorted(able, key=lambda r: (-requests[r].priority, len(able[r]), r))
    changed: dict[tuple[str, int], tuple[Visit, ...]] = {}
    for request_id in order:
        request = requests[request_id]
        best: tuple[float, tuple[str, int], list[Request], tuple[Visit, ...]] | None = None
        for key in able[request_id]:
            volunteer, stops = volunteers[key[0]], routes[key]
            if not _room(volunteer, stops, request):
                continue
            before = _travel(scenario, volunteer, stops)
            first = max((n + 1 for n, r in enumerate(stops) if r.id in locked), default=0)
            for position in range(first, len(stops) + 1):
                trial = [*stops[:position], request, *stops[position:]]
                visits = timed_route(scenario, volunteer, key[1], trial)
                if visits is None:
                    continue
                extra = _travel(scenario, volunteer, trial) - before
                if best is None or extra < best[0]:
                    best = (extra, key, trial, visits)
        if best is not None:
            _extra, key, trial, visits = best
            routes[key], changed[key] = trial, visits
    if not changed:
        return plan
    tz = scenario_tzinfo(scenario)
    new_routes = []
    for key, stops in routes.items():
        visits = changed.get(key, kept.get(key, ()))
        if stops:
            new_routes.append(
                Route(
                    key[0],
                    key[1],
                    tuple(
                        Visit(v.request, v.start.astimezone(tz), v.end.astimezone(tz))
                        for v in visits
                    ),
                )
            )
    placed = {v.request for r in new_routes for v in r.visits}
    missing = [u.request for u in plan.unassigned if u.request not in placed]
    return Plan(
        scenario=plan.scenario,
        routes=tuple(new_routes),
        unassigned=explain_unassigned(scenario, missing),
        objective=objective(scenario, new_routes),
        solver={**plan.solver, "inserted": len(plan.unassigned) - len(missing)},
        version=plan.version,
    )
