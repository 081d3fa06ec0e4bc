"""Placing left-out requests into start routes: cheapest insertion, else one swap.

Used on the assignment-first start (``scheduler.seed``): its LP counts time loosely, so a few
shifts get requests that fit no order, and on a full day every other shift is already at its
visit limit. A request left out goes where inserting it costs least travel; failing that, it
takes the place of a request of no higher priority in a shift it fits, and that request moves
to a shift with room (or stays out, when it had lower priority).
"""

from __future__ import annotations

import itertools
import time

from scheduler.problem import Problem
from scheduler.timetable import earliest_starts, route_travel

# Routes up to this many visits try every order when a request swaps in.
PERMUTE_UP_TO = 5


def has_room(problem: Problem, vehicle: int, route: list[int], request: int) -> bool:
    volunteer = problem.scenario.volunteers[problem.vehicles[vehicle].volunteer]
    limit = volunteer.max_visits_per_shift
    if limit is not None and len(route) >= limit:
        return False
    if volunteer.capacity is None:
        return True
    requests = problem.scenario.requests
    load = sum(requests[r].demand for r in route) + requests[request].demand
    return load <= volunteer.capacity + 1e-9


def best_order(problem: Problem, vehicle: int, requests: list[int]) -> list[int] | None:
    """The order of ``requests`` with least travel that keeps every window, or None."""
    best: tuple[int, list[int]] | None = None
    for order in itertools.permutations(requests):
        route = list(order)
        if earliest_starts(problem, vehicle, route) is not None:
            travel = route_travel(problem, vehicle, route)
            if best is None or travel < best[0]:
                best = (travel, route)
    return None if best is None else best[1]


def _cheapest_insertion(
    problem: Problem, routes: dict[int, list[int]], request: int, skip: int = -1
) -> tuple[int, int, list[int]] | None:
    """(extra travel, vehicle, new route) of the cheapest feasible insertion, or None."""
    best: tuple[int, int, list[int]] | None = None
    for k in problem.allowed[request]:
        route = routes.get(k)
        if k == skip or route is None or not has_room(problem, k, route, request):
            continue
        base = route_travel(problem, k, route)
        for i in range(len(route) + 1):
            option = route[:i] + [request] + route[i:]
            if earliest_starts(problem, k, option) is None:
                continue
            extra = route_travel(problem, k, option) - base
            if best is None or extra < best[0]:
                best = (extra, k, option)
    return best


def _swap_in(problem: Problem, routes: dict[int, list[int]], request: int) -> bool:
    """Put ``request`` in place of one of no higher priority, which moves elsewhere if it can."""
    priority = problem.scenario.requests
    for k in problem.allowed[request]:
        route = routes.get(k)
        if route is None or len(route) >= PERMUTE_UP_TO:
            continue
        for out in route:
            if priority[out].priority > priority[request].priority or out in problem.locks:
                continue
            rest = [r for r in route if r != out]
            new_route = best_order(problem, k, [*rest, request])
            if new_route is None:
                continue
            moved = _cheapest_insertion(problem, routes, out, skip=k)
            if moved is None and priority[out].priority == priority[request].priority:
                continue
            routes[k] = new_route
            if moved is not None:
                routes[moved[1]] = moved[2]
            return True
    return False


def fill(
    problem: Problem, requests: list[int], routes: dict[int, list[int]], deadline: float
) -> None:
    """Place the left-out ``requests`` into ``routes`` (changed in place), highest priority
    first, until ``deadline`` (``time.perf_counter()``)."""
    served = {r for route in routes.values() for r in route}
    scenario = problem.scenario
    left = sorted(
        (r for r in requests if r not in served),
        key=lambda r: (-scenario.requests[r].priority, r),
    )
    for r in left:
        if time.perf_counter() >= deadline:
            return
        best = _cheapest_insertion(problem, routes, r)
        if best is not None:
            routes[best[1]] = best[2]
        else:
            _swap_in(problem, routes, r)
