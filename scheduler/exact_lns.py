"""Large neighbourhood search with the exact solve as the repair (``scheduler.exact``).

Days over ``EXACT_UP_TO`` requests have too many routes to list at once, and the local search
stalls on them: 120 requests and 30 volunteers (one day, 3 s) kept 143 of the 145 priority
VROOM assigns, and still did at 10 s. A handful of shifts, though, list in milliseconds. So,
repeatedly: pick a few shifts that overlap in time and live near each other (around a shift
that could take a left-out request, half of the time), free the requests they serve, add the
left-out requests they could take, and let SCIP choose the best routes for them, every other
visit staying where it is. SCIP's choice is optimal for that neighbourhood, so the plan only
gets better (more priority, then less travel). The neighbourhood grows while the listing
keeps up and shrinks when it gives up.
"""

from __future__ import annotations

import itertools
import random
import time

from scheduler.exact import solve_exactly
from scheduler.listing import MAX_VISITS
from scheduler.problem import Problem
from scheduler.timetable import score

FIRST_SIZE = 5  # shifts in the first neighbourhood
MIN_SIZE, MAX_SIZE = 2, 9
# Share of the neighbourhoods built around a left-out request (the rest around any shift).
LEFT_OUT_SHARE = 0.6
# Every WIDE_EVERY-th neighbourhood is every shift of the component, each over its own
# requests, the left-out ones it could take and the WIDE_NEAREST requests of other shifts
# nearest to its route: long chains of moves that serve one more request fit in it.
WIDE_EVERY = 4
WIDE_NEAREST = 8
# Shifts without a low visit limit (TRSP: technicians all day) list only their own route
# and the left-out requests they could take and this many others of the neighbourhood.
LONG_NEAREST = 2
# No neighbourhood gets more than this share of the time left (nor less than MIN_STEP_S).
STEP_SHARE = 0.25
MIN_STEP_S = 0.05


def _overlap(problem: Problem, a: int, b: int) -> bool:
    x, y = problem.vehicles[a], problem.vehicles[b]
    return x.start < y.end and y.start < x.end


def _neighbourhood(
    problem: Problem, vehicles: list[int], center: int, size: int, first: list[int]
) -> list[int]:
    """``first`` (up to half of ``size``), then shifts overlapping ``center`` in time, nearest
    home first (center included), ``size`` shifts in all."""
    home = problem.home(problem.vehicles[center].volunteer)
    near = [k for k in vehicles if _overlap(problem, center, k)]
    near.sort(key=lambda k: (problem.travel[home, problem.home(problem.vehicles[k].volunteer)], k))
    chosen = list(dict.fromkeys([center, *first[: size // 2]]))
    return list(dict.fromkeys(chosen + near))[:size]


def improve_exactly(
    problem: Problem,
    requests: list[int],
    routes: dict[int, list[int]],
    deadline: float,
    *,
    seed: int,
) -> dict[int, list[int]]:
    """``routes`` (vehicle -> requests, every vehicle of the component) improved until
    ``deadline`` (``time.perf_counter()``); returns the new routes."""
    rng = random.Random(seed)
    vehicles = sorted(routes)
    current = {k: list(route) for k, route in routes.items()}
    size = FIRST_SIZE
    listable = all_listable(problem, vehicles)
    wide = True  # possible until the listing gives up on it
    for step_number in itertools.count():
        if time.perf_counter() >= deadline - MIN_STEP_S:
            break
        served = {r for route in current.values() for r in route}
        left_out = [r for r in requests if r not in served and problem.allowed[r]]
        if listable and wide and step_number % WIDE_EVERY == 0:
            wide = _wide_step(problem, requests, current, left_out, deadline, WIDE_NEAREST)
            continue
        first: list[int] = []
        if left_out and rng.random() < LEFT_OUT_SHARE:
            # The shifts that could take a left-out request, one of them the center.
            first = list(problem.allowed[rng.choice(left_out)])
            rng.shuffle(first)
            center = first[0]
        else:
            center = rng.choice(vehicles)
        chosen = _neighbourhood(problem, vehicles, center, size, first)
        members = set(chosen)
        inside = [r for k in chosen for r in current[k]]
        could = [r for r in left_out if members.intersection(problem.allowed[r])]
        if not listable:  # long routes: each shift over a few candidates only
            sub = {k: current[k] for k in chosen}
            if _wide_step(problem, inside + could, sub, left_out, deadline, LONG_NEAREST):
                current.update(sub)
                size = min(MAX_SIZE, size + 1)
            else:
                size = max(MIN_SIZE, size - 1)
            continue
        now = time.perf_counter()
        step = max(MIN_STEP_S, (deadline - now) * STEP_SHARE)
        exact = solve_exactly(problem, inside + could, chosen, min(deadline, now + step))
        if exact is None:
            size = max(MIN_SIZE, size - 1)
            continue
        if exact.optimal:
            size = min(MAX_SIZE, size + 1)
        before = score(problem, ((k, current[k]) for k in chosen))
        if score(problem, exact.routes.items()) > before:
            current.update(exact.routes)
    return current


def all_listable(problem: Problem, vehicles: list[int]) -> bool:
    """Whether every shift has a visit limit low enough to list all its routes."""
    volunteers = problem.scenario.volunteers
    limits = [volunteers[problem.vehicles[k].volunteer].max_visits_per_shift for k in vehicles]
    return all(limit is not None and limit <= MAX_VISITS for limit in limits)


def _wide_step(
    problem: Problem,
    requests: list[int],
    current: dict[int, list[int]],
    left_out: list[int],
    deadline: float,
    nearest: int,
) -> bool:
    """Every shift of ``current`` at once, each over its own requests, the left-out ones
    it could take and the ``nearest`` others of ``requests`` (the requests free to move);
    ``current`` is updated when that is better. False when the routes could not be listed
    in time."""
    candidates: dict[int, list[int]] = {}
    for k, route in current.items():
        own = set(route)
        outside = [r for r in requests if r not in own and k in problem.allowed[r]]
        stops = [problem.home(problem.vehicles[k].volunteer), *route]
        outside.sort(key=lambda r: min(int(problem.travel[s, r]) for s in stops))
        extra = [r for r in outside if r in left_out] + [
            r for r in outside[: nearest * 2] if r not in left_out
        ][:nearest]
        candidates[k] = [*route, *extra]
    now = time.perf_counter()
    pool = sorted({r for rs in candidates.values() for r in rs})
    exact = solve_exactly(
        problem,
        pool,
        sorted(current),
        min(deadline, now + max(MIN_STEP_S, (deadline - now) * STEP_SHARE * 2)),
        candidates=candidates,
    )
    if exact is None:
        return False
    if score(problem, exact.routes.items()) > score(problem, current.items()):
        current.update(exact.routes)
    return True
