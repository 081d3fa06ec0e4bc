"""Feasibility checker implementing exactly the rules of the formats README.

``check(scenario, plan)`` returns one readable line per violation; ``[]`` means feasible. One
second of rounding is tolerated per travel leg (times are written in whole seconds), and a
visit's ``end`` may differ from ``start + duration_min`` by less than a second for the same
reason. The stated objective must match the recomputed one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta

from scheduler.evaluate import objective, requests_by_id, volunteers_by_id
from scheduler.travel import travel_seconds
from scheduler.types import Plan, Request, Route, Scenario, Visit, Volunteer

LEG_TOLERANCE_S = 1.0
# Plans may state travel rounded (the example states 0.1 s); anything beyond is a wrong claim.
OBJECTIVE_TOLERANCE_S = 0.5


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def visit_end(request: Request, visit: Visit) -> timedelta:
    """How far ``end`` is from ``start + duration_min`` (zero for a correct visit)."""
    expected = visit.start + timedelta(minutes=request.duration_min)
    return visit.end - expected


def in_some_window(request: Request, visit: Visit) -> bool:
    """The whole visit lies inside one window; a request without windows takes any time."""
    if not request.windows:
        return True
    return any(w.start <= visit.start and visit.end <= w.end for w in request.windows)


def route_problems(
    scenario: Scenario, route: Route, volunteer: Volunteer, requests: Mapping[str, Request]
) -> list[str]:
    """Violations inside one route; its volunteer, shift index and requests must be known."""
    shift = volunteer.shifts[route.shift]
    where = f"route volunteer {_q(volunteer.id)} shift {route.shift}"
    problems = []
    limit = volunteer.max_visits_per_shift
    if limit is not None and len(route.visits) > limit:
        problems.append(f"{where}: {len(route.visits)} visits, more than {limit} allowed")
    if volunteer.capacity is not None:
        load = sum(requests[v.request].demand for v in route.visits)
        if load > volunteer.capacity + 1e-9:
            problems.append(f"{where}: demand {load:g} exceeds capacity {volunteer.capacity:g}")
    place, free_at = volunteer.location, shift.start
    after = "shift start"
    for visit in route.visits:
        request = requests[visit.request]
        at = f"{where}, visit {_q(visit.request)}"
        missing = sorted(request.skills - volunteer.skills)
        if missing:
            problems.append(f"{at}: volunteer lacks skill(s) {', '.join(missing)}")
        if volunteer.id in request.excluded_volunteers:
            problems.append(f"{at}: volunteer is excluded from this request")
        if abs(visit_end(request, visit).total_seconds()) >= 1.0:
            problems.append(f"{at}: end is not start + {request.duration_min:g} min")
        if not in_some_window(request, visit):
            problems.append(f"{at}: visit {visit.start}..{visit.end} lies in no window")
        leg = travel_seconds(scenario.travel, place, request.location)
        gap = (visit.start - free_at).total_seconds()
        if gap + LEG_TOLERANCE_S < leg:
            when = f"{gap:.0f} s after" if gap >= 0 else f"{-gap:.0f} s before"
            problems.append(f"{at}: starts {when} {after} but travel takes {leg:.0f} s")
        place, free_at, after = request.location, visit.end, f"the end of {_q(visit.request)}"
    if route.visits:
        leg = travel_seconds(scenario.travel, place, volunteer.location)
        spare = (shift.end - free_at).total_seconds()
        if spare + LEG_TOLERANCE_S < leg:
            problems.append(
                f"{where}: last visit ends {spare:.0f} s before shift end "
                f"but the trip home takes {leg:.0f} s"
            )
    return problems


def check(scenario: Scenario, plan: Plan) -> list[str]:
    """Every way ``plan`` breaks the formats README rules for ``scenario``."""
    volunteers = volunteers_by_id(scenario)
    requests = requests_by_id(scenario)
    problems: list[str] = []
    routed: dict[str, Route] = {}
    used_shifts: set[tuple[str, int]] = set()
    ids_known = True
    for route in plan.routes:
        where = f"route volunteer {_q(route.volunteer)} shift {route.shift}"
        volunteer = volunteers.get(route.volunteer)
        shift_ok = volunteer is not None and 0 <= route.shift < len(volunteer.shifts)
        if volunteer is None:
            problems.append(f"{where}: unknown volunteer")
        elif not shift_ok:
            problems.append(f"{where}: volunteer has no shift {route.shift}")
        elif (route.volunteer, route.shift) in used_shifts:
            problems.append(f"{where}: more than one route for this shift")
        used_shifts.add((route.volunteer, route.shift))
        requests_ok = True
        for visit in route.visits:
            if visit.request not in requests:
                problems.append(f"{where}: unknown request {_q(visit.request)}")
                requests_ok = False
            elif visit.request in routed:
                problems.append(f"{where}: request {_q(visit.request)} is visited twice")
            routed[visit.request] = route
        ids_known = ids_known and shift_ok and requests_ok
        if volunteer is not None and shift_ok and requests_ok:
            problems.extend(route_problems(scenario, route, volunteer, requests))
    problems.extend(_unassigned_problems(scenario, plan, routed))
    problems.extend(_lock_problems(scenario, plan, routed))
    if ids_known:
        problems.extend(_objective_problems(scenario, plan))
    return problems


def _unassigned_problems(scenario: Scenario, plan: Plan, routed: Mapping[str, Route]) -> list[str]:
    known = {request.id for request in scenario.requests}
    problems = []
    listed: set[str] = set()
    for item in plan.unassigned:
        at = f"unassigned {_q(item.request)}"
        if item.request not in known:
            problems.append(f"{at}: unknown request")
        elif item.request in routed:
            problems.append(f"{at}: request is both routed and unassigned")
        elif item.request in listed:
            problems.append(f"{at}: listed twice")
        listed.add(item.request)
    for request in scenario.requests:
        if request.id not in routed and request.id not in listed:
            problems.append(f"request {_q(request.id)}: neither routed nor unassigned")
    return problems


def _lock_problems(scenario: Scenario, plan: Plan, routed: Mapping[str, Route]) -> list[str]:
    problems = []
    for lock in scenario.locked:
        at = f"locked request {_q(lock.request)}"
        route = routed.get(lock.request)
        if route is None:
            problems.append(f"{at}: not in the routes")
            continue
        visit = next(v for v in route.visits if v.request == lock.request)
        if route.volunteer != lock.volunteer:
            problems.append(
                f"{at}: routed to {_q(route.volunteer)}, locked to {_q(lock.volunteer)}"
            )
        if abs((visit.start - lock.start).total_seconds()) >= 1.0:
            problems.append(f"{at}: starts {visit.start}, locked at {lock.start}")
    return problems


def _objective_problems(scenario: Scenario, plan: Plan) -> list[str]:
    actual = objective(scenario, plan.routes)
    stated = plan.objective
    problems = []
    if stated.assigned != actual.assigned:
        problems.append(f"objective: assigned {stated.assigned}, recomputed {actual.assigned}")
    if stated.assigned_priority != actual.assigned_priority:
        problems.append(
            f"objective: assigned_priority {stated.assigned_priority}, "
            f"recomputed {actual.assigned_priority}"
        )
    if abs(stated.travel_seconds - actual.travel_seconds) > OBJECTIVE_TOLERANCE_S:
        problems.append(
            f"objective: travel_seconds {stated.travel_seconds}, "
            f"recomputed {actual.travel_seconds:.3f}"
        )
    return problems
