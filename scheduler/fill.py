"""Placing left-out requests into start routes: cheapest insertion, else one swap.

Used on the assignment-first start (``scheduler.seed``): its LP counts time loosely, so a few
shifts get requests that fit no order, and on a full day every other shift is already at its
visit limit. A request left out goes where inserting it costs least travel; failing that, it
takes the place of a request of no higher priority in a shift it fits, and that request moves
to a shift with room (or stays out, when it had lower priority); failing that too, it takes a
shift to itself and the requests there move elsewhere, when that serves more priority.
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


def _nearest_shifts(
    problem: Problem, routes: dict[int, list[int]], request: int, banned: set[int], count: int
) -> list[int]:
    """Up to ``count`` shifts that could serve ``request``, nearest home first."""
    home = {k: problem.home(problem.vehicles[k].volunteer) for k in problem.allowed[request]}
    return sorted(
        (k for k in problem.allowed[request] if k in routes and k not in banned),
        key=lambda k: (int(problem.travel[home[k], request]), k),
    )[:count]


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
    nearest = _nearest_shifts(problem, routes, request, banned, SWAP_BREADTH[depth])
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
            rest = [r for r in route if r != out]
            if not has_room(problem, k, rest, request):
                continue  # ``request`` weighs more than ``out``: the shift's capacity
            new_route = best_order(problem, k, [*rest, request])
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


def _served_priority(problem: Problem, routes: dict[int, list[int]]) -> int:
    requests = problem.scenario.requests
    return sum(requests[r].priority for route in routes.values() for r in route)


def _best_kept(problem: Problem, vehicle: int, route: list[int], request: int) -> list[int] | None:
    """The best order of ``request`` with the subset of ``route`` of most priority (then
    least travel) that fits with it, or None when ``request`` fits in no such order."""
    requests = problem.scenario.requests
    subsets = [
        list(kept)
        for size in range(min(len(route), PERMUTE_UP_TO - 1), -1, -1)
        for kept in itertools.combinations(route, size)
    ]
    subsets.sort(key=lambda kept: -sum(requests[r].priority for r in kept))
    for kept in subsets:
        if has_room(problem, vehicle, kept, request):
            order = best_order(problem, vehicle, [*kept, request])
            if order is not None:
                return order
    return None


def _clear_for(
    problem: Problem,
    routes: dict[int, list[int]],
    request: int,
    depth: int,
    banned: set[int],
    deadline: float,
) -> None:
    """Put ``request`` in a shift it fits with the most priority of that shift's requests
    kept, and move the others elsewhere (inserted, swapped in, or, ``depth`` permitting, by
    clearing room again), in the first shift where the day then serves more priority.

    A long visit far from every able volunteer may fit only alone or with few others, while
    the few shifts that could take it are busy: replacing one request at a time (``_swap_in``)
    never makes room for it, and the local search does not either.
    """
    requests = problem.scenario.requests
    nearest = _nearest_shifts(problem, routes, request, banned, SWAP_BREADTH[depth])
    before = _served_priority(problem, routes)
    for k in nearest:
        if time.perf_counter() >= deadline:
            return
        route = routes[k]
        if any(r in problem.locks for r in route):
            continue
        kept = _best_kept(problem, k, route, request)
        if kept is None:
            continue
        snapshot = dict(routes)
        routes[k] = kept
        for out in sorted(set(route) - set(kept), key=lambda r: (-requests[r].priority, r)):
            moved = _cheapest_insertion(problem, routes, out)
            if moved is not None:
                routes[moved[1]] = moved[2]
            elif not _swap_in(problem, routes, out, 0, banned | {k}, deadline) and depth > 0:
                _clear_for(problem, routes, out, depth - 1, banned | {k}, deadline)
        if _served_priority(problem, routes) > before:
            return
        routes.clear()
        routes.update(snapshot)


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
    also by swapping in and clearing room (slower: a full day leaves dozens of requests that
    fit nowhere). A request that clearing room pushed out gets its own turn after the others;
    each request has one turn."""
    scenario = problem.scenario
    tried: set[int] = set()
    while True:
        served = {r for route in routes.values() for r in route}
        left = sorted(
            (r for r in requests if r not in served and r not in tried),
            key=lambda r: (-scenario.requests[r].priority, r),
        )
        if not left:
            return
        for r in left:
            if time.perf_counter() >= deadline:
                return
            tried.add(r)
            best = _cheapest_insertion(problem, routes, r)
            if best is not None:
                routes[best[1]] = best[2]
            elif swaps and not _swap_in(problem, routes, r, SWAP_DEPTH, set(), deadline):
                _clear_for(problem, routes, r, SWAP_DEPTH, set(), deadline)
