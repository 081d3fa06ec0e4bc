"""An assignment-first start for the routing search: cluster first, route second.

On commune days the routes are short (two to four visits per shift) and every volunteer
starts from their own home, so the plan is mostly a question of *who* serves which request;
the order inside a shift is easy. The routing search's own first solution (cheapest insertion,
one request at a time) fills the shifts near the first requests it takes and then sends
volunteers far away for the rest, and local search on a model of this size moves too slowly
to undo that. So the start is built the other way round:

1. A linear program assigns requests to shifts: each request to at most one shift that could
   serve it alone, each shift within its visit limit, capacity, and time (every visit costs
   its length plus the shortest leg that can lead into it), maximising assigned priority
   first and then minimising the round trips from the volunteers' homes.
2. The LP solution is rounded: pairs by decreasing LP value, each taken while its request is
   free and its shift has room.
3. Each shift's requests are put in the order with the least travel that keeps every window
   (all orders for short routes, cheapest insertion for longer ones). A set that fits no order
   is cut from the LP (its clashing pair on every shift, else the set on that shift) and the
   LP solved again, a few rounds; the best rounding is kept.
4. Requests still left out are inserted or swapped in (``scheduler.fill``).

Measured on the generated 300-request day: the start alone assigns 406 priority with 43.0 h
of travel in 0.7 s; the search from it ends at 407 priority and 40.1 h at VROOM's wall time
(20 s), against 406 and 45.8 h from the search's own first solution (VROOM: 407, 42.2 h).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from scheduler.fill import PERMUTE_UP_TO, best_order, fill
from scheduler.problem import Problem
from scheduler.timetable import earliest_starts, route_travel, score

# Rounds of solving the LP again without the shift sets that fit no order.
CUT_ROUNDS = 5
# After the LP rounds, swapping left-out requests in may take this share of the time again.
SWAP_SHARE = 0.25
# Measured cost of building the LP: 2.6 s for 49,402 request-shift pairs (1,000 requests,
# two days), rounded up.
BUILD_SECONDS_PER_PAIR = 60e-6
# LP values below this count as zero.
EPSILON = 1e-6


@dataclass
class _Room:
    seconds: int
    visits: int | None
    load: float | None


def _leg_in(problem: Problem, requests: list[int]) -> dict[int, int]:
    """Per request, the shortest trip into it from another request of the component."""
    if len(requests) < 2:
        return {r: 0 for r in requests}
    legs = problem.travel[np.ix_(requests, requests)].astype(np.float64)
    np.fill_diagonal(legs, np.inf)
    return {r: int(v) for r, v in zip(requests, legs.min(axis=0), strict=True)}


def _pairs(problem: Problem, requests: list[int], vehicles: list[int]) -> list[tuple[int, int]]:
    members = set(vehicles)
    return [(r, k) for r in requests for k in problem.allowed[r] if k in members]


def _room(problem: Problem, vehicle: int) -> _Room:
    shift = problem.vehicles[vehicle]
    volunteer = problem.scenario.volunteers[shift.volunteer]
    return _Room(shift.end - shift.start, volunteer.max_visits_per_shift, volunteer.capacity)


def _round_trip(problem: Problem, request: int, vehicle: int) -> int:
    home = problem.home(problem.vehicles[vehicle].volunteer)
    return int(problem.travel[home, request] + problem.travel[request, home])


def _time_used(problem: Problem, request: int, vehicle: int, leg_in: dict[int, int]) -> int:
    home = problem.home(problem.vehicles[vehicle].volunteer)
    return problem.service[request] + min(int(problem.travel[home, request]), leg_in[request])


class _AssignmentLP:
    """The assignment LP over ``pairs`` (request, vehicle), kept to be solved again with cuts."""

    def __init__(
        self,
        problem: Problem,
        pairs: list[tuple[int, int]],
        vehicles: list[int],
        leg_in: dict[int, int],
    ) -> None:
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.pairs = pairs
        self.index = {pair: i for i, pair in enumerate(pairs)}
        lp = self.lp
        requests = problem.scenario.requests
        # A locked visit must keep its shift (``allowed`` holds only that one).
        self.x = [lp.NumVar(1.0 if r in problem.locks else 0.0, 1.0, "") for r, _ in pairs]
        x = self.x
        by_request: dict[int, list[int]] = {}
        by_vehicle: dict[int, list[int]] = {k: [] for k in vehicles}
        for i, (r, k) in enumerate(pairs):
            by_request.setdefault(r, []).append(i)
            by_vehicle[k].append(i)
        for ids in by_request.values():
            if len(ids) > 1:
                lp.Add(sum(x[i] for i in ids) <= 1)
        for k, ids in by_vehicle.items():
            if not ids:
                continue
            room = _room(problem, k)
            used = [_time_used(problem, pairs[i][0], k, leg_in) for i in ids]
            lp.Add(sum(u * x[i] for u, i in zip(used, ids, strict=True)) <= room.seconds)
            if room.visits is not None:
                lp.Add(sum(x[i] for i in ids) <= room.visits)
            if room.load is not None:
                lp.Add(sum(requests[pairs[i][0]].demand * x[i] for i in ids) <= room.load)
        costs = [_round_trip(problem, r, k) for r, k in pairs]
        # Priority first: one unit of priority outweighs the round trips of any assignment
        # (each request counted at its dearest shift); kept this small for the LP's tolerances.
        dearest: dict[int, int] = {}
        for (r, _), c in zip(pairs, costs, strict=True):
            dearest[r] = max(dearest.get(r, 0), c)
        weight = sum(dearest.values()) + 1
        lp.Maximize(
            sum(
                (weight * requests[r].priority - c) * v
                for (r, _), c, v in zip(pairs, costs, x, strict=True)
            )
        )

    def solve(self, time_limit_s: float) -> list[float] | None:
        self.lp.SetTimeLimit(max(1, round(time_limit_s * 1000)))
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            return None
        return [v.solution_value() for v in self.x]

    def forbid(self, vehicles: list[int], requests: list[int]) -> None:
        """No longer give any of ``vehicles`` all of ``requests`` together."""
        for k in vehicles:
            ids = [self.index[(r, k)] for r in requests if (r, k) in self.index]
            if len(ids) == len(requests):
                self.lp.Add(sum(self.x[i] for i in ids) <= len(ids) - 1)


def _cut(problem: Problem, lp: _AssignmentLP, vehicle: int, requests: list[int]) -> None:
    """Forbid what made ``requests`` fit no order on ``vehicle``: each pair of them that fits
    in neither order (their windows clash), on every shift; else the whole set on this one."""
    clashes = [
        [a, b]
        for a, b in itertools.combinations(requests, 2)
        if earliest_starts(problem, vehicle, [a, b]) is None
        and earliest_starts(problem, vehicle, [b, a]) is None
    ]
    for pair in clashes:
        shared = set(problem.allowed[pair[0]]).intersection(problem.allowed[pair[1]])
        lp.forbid(sorted(shared), pair)
    if not clashes:
        lp.forbid([vehicle], requests)


def _round(
    problem: Problem,
    pairs: list[tuple[int, int]],
    values: list[float],
    leg_in: dict[int, int],
) -> dict[int, list[int]]:
    """Pairs by decreasing LP value (locked first), each kept while both ends have room."""
    order = sorted(
        range(len(pairs)),
        key=lambda i: (pairs[i][0] not in problem.locks, -values[i], pairs[i]),
    )
    rooms: dict[int, _Room] = {}
    taken: set[int] = set()
    chosen: dict[int, list[int]] = {}
    for i in order:
        r, k = pairs[i]
        if values[i] < EPSILON or r in taken:
            continue
        room = rooms.setdefault(k, _room(problem, k))
        used = _time_used(problem, r, k, leg_in)
        demand = problem.scenario.requests[r].demand
        if (
            used > room.seconds
            or room.visits == 0
            or (room.load is not None and demand > room.load)
        ):
            continue
        room.seconds -= used
        room.visits = None if room.visits is None else room.visits - 1
        room.load = None if room.load is None else room.load - demand
        taken.add(r)
        chosen.setdefault(k, []).append(r)
    return chosen


def _insert(problem: Problem, vehicle: int, requests: list[int]) -> list[int]:
    """Cheapest feasible insertion, locked visits first, then by priority and first start."""
    scenario = problem.scenario

    def rank(r: int) -> tuple[bool, int, int, int]:
        return (r not in problem.locks, -scenario.requests[r].priority, problem.starts[r][0][0], r)

    route: list[int] = []
    for r in sorted(requests, key=rank):
        options = [route[:i] + [r] + route[i:] for i in range(len(route) + 1)]
        feasible = [o for o in options if earliest_starts(problem, vehicle, o) is not None]
        if feasible:
            route = min(feasible, key=lambda o: route_travel(problem, vehicle, o))
    return route


def _order(problem: Problem, vehicle: int, requests: list[int]) -> list[int]:
    """The requests of one shift in a feasible order of least travel, dropping what fits no
    order (lowest priority, then longest round trip first; locked visits last)."""
    if len(requests) > PERMUTE_UP_TO:
        return _insert(problem, vehicle, requests)
    scenario = problem.scenario
    keep = sorted(
        requests,
        key=lambda r: (
            r not in problem.locks,
            -scenario.requests[r].priority,
            _round_trip(problem, r, vehicle),
            r,
        ),
    )
    while keep:
        route = best_order(problem, vehicle, keep)
        if route is not None:
            return route
        keep.pop()
    return []


def assignment_start(
    problem: Problem, requests: list[int], vehicles: list[int], *, time_limit_s: float
) -> dict[int, list[int]] | None:
    """Start routes (vehicle -> request indexes) for the search over ``requests`` and
    ``vehicles``, or None when the assignment does not apply: the shifts all start from one
    place (a depot, where who serves what says nothing about travel), building the LP would
    take longer than ``time_limit_s`` (it has no time limit of its own), or it found no
    optimum within that time."""
    homes = {problem.vehicles[k].volunteer for k in vehicles}
    places = {problem.scenario.volunteers[v].location for v in homes}
    if len(places) < 2:
        return None
    pairs = _pairs(problem, requests, vehicles)
    if not pairs or len(pairs) * BUILD_SECONDS_PER_PAIR > time_limit_s:
        return None
    leg_in = _leg_in(problem, requests)
    deadline = time.perf_counter() + time_limit_s
    lp = _AssignmentLP(problem, pairs, vehicles, leg_in)
    best: tuple[tuple[int, int], dict[int, list[int]]] | None = None
    for _ in range(CUT_ROUNDS):
        values = lp.solve(deadline - time.perf_counter())
        if values is None:
            break
        chosen = _round(problem, pairs, values, leg_in)
        routes = {k: _order(problem, k, chosen.get(k, [])) for k in vehicles}
        misfits = [(k, rs) for k, rs in chosen.items() if len(routes[k]) < len(rs)]
        fill(problem, requests, routes, deadline, swaps=False)
        rank = score(problem, routes.items())
        if best is None or rank > best[0]:
            best = (rank, routes)
        if not misfits or time.perf_counter() >= deadline:
            break
        for k, rs in misfits:
            _cut(problem, lp, k, rs)
    if best is None:
        return None
    routes = best[1]
    fill(problem, requests, routes, deadline + time_limit_s * SWAP_SHARE, swaps=True)
    return routes
