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

# Routes up to this many visits try every order (120); the start orders longer ones by
# cheapest insertion (scheduler.seed), and requests do not swap into them.
PERMUTE_UP_TO = 5
# Swaps chain this many times at most; at each step (deepest first) only this many of the
# request's shifts are tried, nearest home first.
SWAP_DEPTH = 1
SWAP_BREADTH = (8, 24)


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


def _room_for(problem: Problem, routes: dict[int, list[int]], request: int, skip: int) -> bool:
    """Whether some other shift that could serve ``request`` is below its limits (cheap)."""
    return any(
        has_room(problem, k, routes[k], request)
        for k in problem.allowed[request]
        if k != skip and k in routes
    )


def _swap_in(
    problem: Problem,
    routes: dict[int, list[int]],
    request: int,
    depth: int,
    banned: set[int],
    deadline: float,
) -> bool:
    """Put ``request`` in place of one of no higher priority in a shift it fits, which then
    moves to a shift with room or, ``depth`` permitting, swaps in further along."""
    requests = problem.scenario.requests
    priority = requests[request].priority
    home = {k: problem.home(problem.vehicles[k].volunteer) for k in problem.allowed[request]}
    nearest = sorted(
        (k for k in problem.allowed[request] if k not in banned and k in routes),
        key=lambda k: (int(problem.travel[home[k], request]), k),
    )[: SWAP_BREADTH[depth]]
    for k in nearest:
        route = routes[k]
        if time.perf_counter() >= deadline:
            return False
        if len(route) > PERMUTE_UP_TO:
            continue
        for out in route:
            if requests[out].priority > priority or out in problem.locks:
                continue
            if (
                requests[out].priority == priority
                and depth == 0
                and not _room_for(problem, routes, out, k)
            ):
                continue  # nothing gained unless ``out`` goes somewhere else
            new_route = best_order(problem, k, [*(r for r in route if r != out), request])
            if new_route is None:
                continue
            routes[k] = new_route
            moved = _cheapest_insertion(problem, routes, out, skip=k)
            if moved is not None:
                routes[moved[1]] = moved[2]
                return True
            if depth > 0 and _swap_in(problem, routes, out, depth - 1, banned | {k}, deadline):
                return True
            if requests[out].priority < priority:
                return True  # a gain even if ``out`` stays out
            routes[k] = route
    return False


def fill(
    problem: Problem,
    requests: list[int],
    routes: dict[int, list[int]],
    deadline: float,
    *,
    swaps: bool,
) -> None:
    """Place the left-out ``requests`` into ``routes`` (changed in place), highest priority
    first, until ``deadline`` (``time.perf_counter()``); by insertion only, or with ``swaps``
    also by swapping in (slower: a full day leaves dozens of requests that fit nowhere)."""
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
        elif swaps:
            _swap_in(problem, routes, r, SWAP_DEPTH, set(), deadline)
