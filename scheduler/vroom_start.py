"""A first plan for one component from VROOM (pyvroom), the start of ``scheduler.pyvrp_search``.

VROOM builds a good plan fast (priority first, then travel) and takes everything a component
without locks has: shifts from home, time windows (several per request), visit limits,
capacity. Who may serve what is passed as it is in ``Problem.allowed``: each request gets one
VROOM "skill" per distinct set of shifts allowed to serve it, and each shift has the skills of
the sets it is in, so VROOM's rule (a vehicle holds every skill of a job) is exactly ours,
declined volunteers included. Times are the problem's ticks; its travel is already rounded
up, so VROOM's routes pass ``earliest_starts`` as they are, which is checked anyway.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from scheduler.problem import Problem, capacity_units, demand_units, has_capacity, served_by
from scheduler.timetable import earliest_starts

# VROOM's exploration level: 5 is its most thorough (and the peer's in bench.trsp); the
# timeout bounds it on large components.
EXPLORATION_LEVEL = 5


def vroom_routes(
    problem: Problem, requests: list[int], vehicles: list[int], seconds: float, threads: int = 1
) -> dict[int, list[int]] | None:
    """VROOM's routes (vehicle -> requests, every vehicle of the component) within about
    ``seconds`` on ``threads`` threads; None when it found nothing usable."""
    import vroom  # a compiled extension: loaded only by the members that use it

    homes = sorted({problem.vehicles[k].volunteer for k in vehicles})
    depot = {v: i for i, v in enumerate(homes)}
    places = [problem.home(v) for v in homes] + requests
    source = vroom.Input()
    source.set_durations_matrix("car", problem.travel[[[p] for p in places], places].tolist())
    volunteers = problem.scenario.volunteers
    sets: dict[frozenset[int], int] = {}
    skill_of = [sets.setdefault(frozenset(problem.allowed[r]), len(sets) + 1) for r in requests]
    serves = served_by(problem, requests, vehicles)
    with_load = has_capacity(problem, vehicles)
    total = sum(demand_units(problem, r) for r in requests)
    for i, k in enumerate(vehicles):
        shift = problem.vehicles[k]
        extra: dict[str, Any] = {}
        limit = volunteers[shift.volunteer].max_visits_per_shift
        if limit is not None:
            extra["max_tasks"] = limit
        if with_load:
            extra["capacity"] = [capacity_units(problem, k, total)]
        source.add_vehicle(
            vroom.Vehicle(
                i,
                start=depot[shift.volunteer],
                end=depot[shift.volunteer],
                skills={skill_of[j] for j in serves[k]},
                time_window=vroom.TimeWindow(shift.start, shift.end),
                **extra,
            )
        )
    for j, r in enumerate(requests):
        extra = {"delivery": [demand_units(problem, r)]} if with_load else {}
        source.add_job(
            vroom.Job(
                j,
                location=len(homes) + j,
                default_service=problem.service[r],
                skills={skill_of[j]},
                priority=problem.scenario.requests[r].priority,
                time_windows=[vroom.TimeWindow(lo, hi) for lo, hi in problem.starts[r]],
                **extra,
            )
        )
    solution = source.solve(
        exploration_level=EXPLORATION_LEVEL,
        nb_threads=threads,
        timeout=timedelta(seconds=max(0.01, seconds)),
    ).to_dict()
    routes: dict[int, list[int]] = {k: [] for k in vehicles}
    for route in solution.get("routes", []):
        k = vehicles[route["vehicle"]]
        visits = [requests[step["id"]] for step in route["steps"] if step["type"] == "job"]
        if earliest_starts(problem, k, visits) is not None:
            routes[k] = visits
    return routes if any(routes.values()) else None
