"""VROOM (pyvroom) on one of our scenarios, with its solution turned back into our Plan.

Mapping: one VROOM vehicle per volunteer shift (start = end = the volunteer's home, time window
= the shift, skills as integer ids, ``max_tasks`` = max visits per shift, capacity if given);
one job per request (service = visit length, skills, priority, one VROOM window per window of
ours long enough for the visit: VROOM windows bound the service *start*, ours hold the whole
visit, so ours ``[a, b]`` is VROOM's ``[a, b - duration]``). Durations are whole seconds from
the scenario's travel model, rounded up so VROOM's plan stays feasible under our rules.
Times are seconds after the first midnight of the scenario (VROOM needs non-negative ints).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from scheduler.evaluate import objective
from scheduler.travel import travel_seconds
from scheduler.types import Plan, Route, Scenario, Unassigned, Visit


def _origin(scenario: Scenario) -> datetime:
    times = [s.start for v in scenario.volunteers for s in v.shifts]
    times += [w.start for r in scenario.requests for w in r.windows]
    first = min(times)
    return first.replace(hour=0, minute=0, second=0, microsecond=0)


def _secs(origin: datetime, t: datetime) -> int:
    return int((t - origin).total_seconds())


def build_input(scenario: Scenario) -> tuple[Any, list[tuple[str, int]], datetime]:
    """The VROOM problem, the (volunteer id, shift index) of each vehicle, and time zero."""
    import vroom

    origin = _origin(scenario)
    places = [v.location for v in scenario.volunteers] + [r.location for r in scenario.requests]
    durations = [[math.ceil(travel_seconds(scenario.travel, a, b)) for b in places] for a in places]
    skill_ids: dict[str, int] = {}

    def ids(skills: frozenset[str]) -> set[int]:
        return {skill_ids.setdefault(s, len(skill_ids) + 1) for s in sorted(skills)}

    with_capacity = any(v.capacity is not None for v in scenario.volunteers)
    problem = vroom.Input()
    problem.set_durations_matrix("car", durations)
    vehicles: list[tuple[str, int]] = []
    for home, volunteer in enumerate(scenario.volunteers):
        for index, shift in enumerate(volunteer.shifts):
            extra: dict[str, Any] = {}
            if volunteer.max_visits_per_shift is not None:
                extra["max_tasks"] = volunteer.max_visits_per_shift
            if with_capacity:
                cap = volunteer.capacity
                extra["capacity"] = [2**31 - 1 if cap is None else int(cap)]
            problem.add_vehicle(
                vroom.Vehicle(
                    len(vehicles),
                    start=home,
                    end=home,
                    skills=ids(volunteer.skills),
                    time_window=vroom.TimeWindow(
                        _secs(origin, shift.start), _secs(origin, shift.end)
                    ),
                    **extra,
                )
            )
            vehicles.append((volunteer.id, index))
    first_request = len(scenario.volunteers)
    for i, request in enumerate(scenario.requests):
        service = round(request.duration_min * 60)
        windows = [
            vroom.TimeWindow(_secs(origin, w.start), _secs(origin, w.end) - service)
            for w in request.windows
            if _secs(origin, w.end) - service >= _secs(origin, w.start)
        ]
        if request.windows and not windows:
            continue  # no window is long enough: VROOM could not serve it either
        extra = {"delivery": [int(request.demand)]} if with_capacity else {}
        problem.add_job(
            vroom.Job(
                i,
                location=first_request + i,
                default_service=service,
                skills=ids(request.skills),
                priority=request.priority,
                time_windows=windows,
                **extra,
            )
        )
    return problem, vehicles, origin


def to_plan(
    scenario: Scenario,
    solution: dict[str, Any],
    vehicles: Sequence[tuple[str, int]],
    origin: datetime,
    wall_s: float,
) -> Plan:
    """VROOM's routes as our Plan; a visit starts at VROOM's arrival plus its waiting time."""
    requests = scenario.requests
    routes = []
    served: set[str] = set()
    for route in solution.get("routes", []):
        volunteer, shift = vehicles[route["vehicle"]]
        visits = []
        for step in route["steps"]:
            if step["type"] != "job":
                continue
            request = requests[step["id"]]
            start = origin + timedelta(seconds=step["arrival"] + step.get("waiting_time", 0))
            visits.append(Visit(request.id, start, start + timedelta(minutes=request.duration_min)))
            served.add(request.id)
        if visits:
            routes.append(Route(volunteer, shift, tuple(visits)))
    unassigned = tuple(
        Unassigned(r.id, "not planned by VROOM") for r in requests if r.id not in served
    )
    return Plan(
        scenario=scenario.name,
        routes=tuple(routes),
        unassigned=unassigned,
        objective=objective(scenario, routes),
        solver={"name": "vroom", "wall_s": round(wall_s, 3)},
    )


def solve_vroom(
    scenario: Scenario,
    *,
    exploration_level: int = 5,
    threads: int | None = None,
    timeout_s: float | None = None,
) -> tuple[Plan, float]:
    """VROOM's plan and its wall time in seconds (building the input included). ``threads``
    defaults to every core of the machine, as a user running VROOM would give it."""
    import time

    from bench.common import machine_cores

    threads = machine_cores() if threads is None else threads
    started = time.perf_counter()
    problem, vehicles, origin = build_input(scenario)
    timeout = None if timeout_s is None else timedelta(seconds=timeout_s)
    solution = problem.solve(
        exploration_level=exploration_level, nb_threads=threads, timeout=timeout
    )
    wall = time.perf_counter() - started
    return to_plan(scenario, solution.to_dict(), vehicles, origin, wall), wall
