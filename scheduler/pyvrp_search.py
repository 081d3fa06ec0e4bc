"""One component improved by PyVRP's iterated local search, from a start plan.

A portfolio member (``scheduler.component``): VROOM's plan (``scheduler.vroom_start``) is a
strong start, and PyVRP's search (ruin and recreate with granular neighbourhoods over
relocate, swap, SWAP* and tail exchanges) goes on from it for the rest of the time. On the TRSP
instances this pair served as many as VROOM and travelled 2-5% less at 3 s, where OR-Tools'
guided search from its own start travelled more (``bench/RESULTS.md``).

The mapping: each volunteer's home is a depot, each shift a vehicle type of one vehicle (its
window, home to home); a request is an optional client whose prize is its priority times more
than any travel it could save, so serving comes first; a request with several start ranges is
one client per range in a mutually exclusive group. Who may serve what: shifts with the same
set of allowed requests share a routing profile in which the others cost more than any prize.
Visit limits and capacity are load dimensions. The routes found are checked again
(``earliest_starts``, ``Problem.allowed``) before they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from scheduler.problem import Problem, capacity_units, demand_units, has_capacity, served_by
from scheduler.timetable import earliest_starts

# A client's prize per point of priority, in multiples of the longest leg: more than the
# travel one visit can add, so the search never trades a visit for travel.
PRIZE_LEGS = 20
# Profiles (one matrix per set of allowed requests) are skipped beyond this many cells.
MAX_MATRIX_CELLS = 8_000_000

if TYPE_CHECKING:
    import pyvrp

Routes = dict[int, list[int]]


def improve_with_pyvrp(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    start: Routes | None,
    seconds: float,
    *,
    seed: int,
) -> Routes | None:
    """The best routes PyVRP finds in ``seconds`` from ``start`` (every vehicle of the
    component as a key), or None when the component does not fit its model or nothing valid
    was found."""
    import pyvrp
    from pyvrp.stop import MaxRuntime

    if not fits(problem, requests, vehicles):
        return None
    homes = sorted({problem.vehicles[k].volunteer for k in vehicles})
    depot = {v: i for i, v in enumerate(homes)}
    places = [problem.home(v) for v in homes] + requests
    serves = served_by(problem, requests, vehicles)
    profiles = {s: n for n, s in enumerate(dict.fromkeys(serves.values()))}
    travel = problem.travel[np.ix_(places, places)].astype(np.int64)
    longest = int(travel.max()) + 1
    matrices: list[Any] = []
    for allowed in profiles:
        matrix = travel.copy()
        barred = [len(homes) + j for j in range(len(requests)) if j not in allowed]
        matrix[:, barred] = longest * PRIZE_LEGS * 200
        np.fill_diagonal(matrix, 0)
        matrices.append(matrix)
    volunteers = problem.scenario.volunteers
    limits = [volunteers[problem.vehicles[k].volunteer].max_visits_per_shift for k in vehicles]
    with_visits = any(limit is not None for limit in limits)
    with_load = has_capacity(problem, vehicles)
    total = sum(demand_units(problem, r) for r in requests)

    def loads(visits: int, load: int) -> list[int]:
        return ([visits] if with_visits else []) + ([load] if with_load else [])

    clients: list[pyvrp.Client] = []
    owner: list[int] = []  # request of each client
    groups: list[pyvrp.ClientGroup] = []
    for j, r in enumerate(requests):
        ranges = problem.starts[r]
        first = len(clients)
        for lo, hi in ranges:
            clients.append(
                pyvrp.Client(
                    location=len(homes) + j,
                    delivery=loads(1, demand_units(problem, r)),
                    service_duration=problem.service[r],
                    tw_early=lo,
                    tw_late=hi,
                    prize=problem.scenario.requests[r].priority * longest * PRIZE_LEGS,
                    required=False,
                    group=len(groups) if len(ranges) > 1 else None,
                )
            )
            owner.append(r)
        if len(ranges) > 1:
            groups.append(pyvrp.ClientGroup(list(range(first, len(clients))), required=False))
    kinds = [
        pyvrp.VehicleType(
            capacity=loads(
                len(requests) if limit is None else limit, capacity_units(problem, k, total)
            ),
            start_depot=depot[problem.vehicles[k].volunteer],
            end_depot=depot[problem.vehicles[k].volunteer],
            tw_early=problem.vehicles[k].start,
            tw_late=problem.vehicles[k].end,
            profile=profiles[serves[k]],
        )
        for k, limit in zip(vehicles, limits, strict=True)
    ]
    data = pyvrp.ProblemData(
        [pyvrp.Location(0, 0) for _ in places],
        clients,
        [pyvrp.Depot(location=i) for i in range(len(homes))],
        kinds,
        matrices,
        matrices,
        groups,
    )
    initial = None if start is None else _solution(data, problem, vehicles, start, owner)
    result = pyvrp.solve(
        data, MaxRuntime(max(0.01, seconds)), seed=seed, collect_stats=False,
        initial_solution=initial,
    )  # fmt: skip
    routes: Routes = {k: [] for k in vehicles}
    for route in result.best.routes():
        k = vehicles[route.vehicle_type()]
        routes[k] = [owner[a.idx] for a in route if a.is_client()]
    return routes if _valid(problem, requests, routes) else None


def fits(problem: Problem, requests: list[int], vehicles: list[int]) -> bool:
    """Whether the component's matrices (one per set of allowed requests) stay within
    ``MAX_MATRIX_CELLS``."""
    homes = {problem.vehicles[k].volunteer for k in vehicles}
    profiles = set(served_by(problem, requests, vehicles).values())
    return len(profiles) * (len(homes) + len(requests)) ** 2 <= MAX_MATRIX_CELLS


def _solution(
    data: pyvrp.ProblemData, problem: Problem, vehicles: list[int], start: Routes, owner: list[int]
) -> pyvrp.Solution:
    """``start`` as a PyVRP solution: each visit as the client of the start range it falls in."""
    import pyvrp

    copies: dict[int, list[int]] = {}
    for c, r in enumerate(owner):
        copies.setdefault(r, []).append(c)
    routes = []
    for i, k in enumerate(vehicles):
        visits = start.get(k, [])
        starts = earliest_starts(problem, k, visits) if visits else None
        if not visits or starts is None:
            continue
        chosen = [
            next(c for c, (_, hi) in zip(copies[r], problem.starts[r], strict=True) if t <= hi)
            for r, t in zip(visits, starts, strict=True)
        ]
        routes.append(pyvrp.Route(data, chosen, i))
    return pyvrp.Solution(data, routes)


def _valid(problem: Problem, requests: list[int], routes: Routes) -> bool:
    """Every visit allowed, once, and every route timed within its windows and shift."""
    seen = [r for route in routes.values() for r in route]
    if len(seen) != len(set(seen)) or not set(seen) <= set(requests):
        return False
    return all(
        all(k in problem.allowed[r] for r in route)
        and earliest_starts(problem, k, route) is not None
        for k, route in routes.items()
        if route
    )
