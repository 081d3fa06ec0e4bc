"""Small components solved exactly: every route each shift can drive, then the best set.

Volunteers on commune days take a handful of visits a shift, so all the routes a shift can
drive can be listed: a depth-first walk over its requests in every order, kept while each
visit starts inside a window (as ``scheduler.timetable.earliest_starts`` times it) and the
volunteer is home by the shift's end, within the visit limit and capacity; of the orders of
one set of requests only the one of least travel is kept. Choosing at most one route per
shift, each request at most once (locked ones exactly once), for the most priority and then
the least travel, is a set-packing MIP that SCIP solves in a fraction of a second for a
50-request day. The search (``scheduler.search``) on such a day stops in a local optimum 2-7%
above it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.fill import fill
from scheduler.problem import Problem

# Only shifts of at most this many visits are listed (the visit limit, or what the capacity
# allows): longer routes have too many orders to list in time.
MAX_VISITS = 5
# The listing gives up beyond this many partial routes (orders) in all.
MAX_LABELS = 300_000
# SCIP's gap: none relative, less than one tick of travel absolute, so the plan is optimal.
SCIP_PARAMETERS = "limits/gap = 0\nlimits/absgap = 0.5\n"
# SCIP first gets the routes whose reduced cost in the LP relaxation is within this share of
# the relaxation's travel (at least MIN_MARGIN ticks) of zero: on 50-request days the
# relaxation's bound is within 0-2.5% of the optimum's travel.
MARGIN_SHARE = 0.02
MIN_MARGIN = 300.0
Status = linear_solver_pb2.MPSolverResponseStatus


class Column(NamedTuple):  # thousands per shift: a named tuple is quick to make
    vehicle: int
    route: tuple[int, ...]  # problem request indexes, in visit order
    travel: int  # ticks


@dataclass(frozen=True)
class Exact:
    routes: dict[int, list[int]]  # problem vehicle -> requests in visit order
    optimal: bool


class _GiveUp(Exception):
    pass


def _visit_limit(problem: Problem, vehicle: int, candidates: list[int]) -> int:
    volunteer = problem.scenario.volunteers[problem.vehicles[vehicle].volunteer]
    limit = len(candidates)
    if volunteer.max_visits_per_shift is not None:
        limit = min(limit, volunteer.max_visits_per_shift)
    if volunteer.capacity is not None and candidates:
        smallest = min(problem.scenario.requests[r].demand for r in candidates)
        if smallest > 0:
            limit = min(limit, int(volunteer.capacity / smallest + 1e-9))
    return limit


def _shift_routes(
    problem: Problem,
    vehicle: int,
    candidates: list[int],
    limit: int,
    labels: list[int],
    labels_until: float,
) -> list[Column]:
    """Every feasible route of ``vehicle`` over ``candidates``, least travel per set."""
    shift = problem.vehicles[vehicle]
    end = shift.end
    shift_capacity = problem.scenario.volunteers[shift.volunteer].capacity
    requests = problem.scenario.requests
    demand = [requests[r].demand for r in candidates]
    nodes = [*candidates, problem.home(shift.volunteer)]
    travel = problem.travel[nodes][:, nodes].tolist()
    back = [row[-1] for row in travel]
    service = [problem.service[r] for r in candidates]
    # A locked visit starts at its time: a window of one instant.
    windows = [
        [(lock.start, lock.start)] if (lock := problem.locks.get(r)) else problem.starts[r]
        for r in candidates
    ]
    single = [w[0] if len(w) == 1 else None for w in windows]
    latest = [w[-1][1] for w in windows]
    n = len(candidates)
    # Who can follow whom at all (still in time and home by the end): most pairs cannot, and
    # the walk looks only at those that can. The earliest a visit can end takes the shortest
    # leg into it, not the leg from home: travel need not obey the triangle inequality.
    done_first = [
        max(shift.start + min(travel[x][i] for x in range(n + 1) if x != i), windows[i][0][0])
        + service[i]
        for i in range(n)
    ]
    follows = [
        [
            j
            for j in range(n)
            if j != i
            and done_first[i] + travel[i][j] <= latest[j]
            and max(done_first[i] + travel[i][j], windows[j][0][0]) + service[j] + back[j] <= end
        ]
        for i in range(n)
    ]
    follows.append(list(range(n)))  # from home
    best: dict[int, tuple[int, tuple[int, ...]]] = {}

    def extend(
        order: tuple[int, ...], mask: int, place: int, clock: int, load: float, km: int
    ) -> None:
        row = travel[place]
        deeper = len(order) + 1 < limit
        for i in follows[place]:
            arrive = clock + row[i]
            if arrive > latest[i] or mask >> i & 1:
                continue
            window = single[i]
            if window is not None:
                begin = arrive if arrive > window[0] else window[0]
            else:
                begin = next(max(arrive, lo) for lo, hi in windows[i] if hi >= arrive)
            done = begin + service[i]
            if done + back[i] > end:
                continue
            weight = load + demand[i]
            if shift_capacity is not None and weight > shift_capacity + 1e-9:
                continue
            labels[0] += 1
            if labels[0] > MAX_LABELS or (
                labels[0] % 4096 == 0 and time.perf_counter() > labels_until
            ):
                raise _GiveUp
            longer = (*order, i)
            key = mask | 1 << i
            total = km + row[i] + back[i]
            known = best.get(key)
            if known is None or total < known[0]:
                best[key] = (total, longer)
            if deeper:
                extend(longer, key, i, done, weight, km + row[i])

    extend((), 0, n, shift.start, 0.0, 0)
    return [
        Column(vehicle, tuple(candidates[i] for i in order), total)
        for total, order in best.values()
    ]


def list_routes(
    problem: Problem, requests: list[int], vehicles: list[int], deadline: float
) -> list[Column] | None:
    """Every feasible route of every shift over ``requests``; None when a shift may take more
    than ``MAX_VISITS`` visits, or the listing runs past ``MAX_LABELS`` or ``deadline``."""
    chosen = set(vehicles)
    by_vehicle: dict[int, list[int]] = {k: [] for k in vehicles}
    for r in requests:
        for k in problem.allowed[r]:
            if k in chosen:
                by_vehicle[k].append(r)
    limits = {k: _visit_limit(problem, k, rs) for k, rs in by_vehicle.items()}
    if any(limit > MAX_VISITS for limit in limits.values()):
        return None
    columns: list[Column] = []
    labels = [0]
    try:
        for k, candidates in by_vehicle.items():
            if time.perf_counter() >= deadline:
                return None
            if candidates and limits[k] > 0:
                columns += _shift_routes(problem, k, candidates, limits[k], labels, deadline)
    except _GiveUp:
        return None
    return columns


def _values(problem: Problem, columns: list[Column]) -> list[float]:
    """Each route's worth: one unit of priority outweighs the travel of any choice of routes
    (at most one per shift), so the most priority comes first and then the least travel."""
    priority = [r.priority for r in problem.scenario.requests]
    longest: dict[int, int] = {}
    for c in columns:
        longest[c.vehicle] = max(longest.get(c.vehicle, 0), c.travel)
    weight = 1 + sum(longest.values())
    return [float(weight * sum(priority[r] for r in c.route) - c.travel) for c in columns]


def _packing(
    problem: Problem, requests: list[int], columns: list[Column], values: list[float], integer: bool
) -> linear_solver_pb2.MPModelProto:
    """At most one route per shift, each request at most once (a locked one exactly once)."""
    model = linear_solver_pb2.MPModelProto(maximize=True)
    by_vehicle: dict[int, list[int]] = {}
    by_request: dict[int, list[int]] = {r: [] for r in requests}
    for j, (c, value) in enumerate(zip(columns, values, strict=True)):
        model.variable.add(
            lower_bound=0, upper_bound=1, is_integer=integer, objective_coefficient=value
        )
        by_vehicle.setdefault(c.vehicle, []).append(j)
        for r in c.route:
            by_request[r].append(j)
    for js in by_vehicle.values():
        model.constraint.add(upper_bound=1, var_index=js, coefficient=[1.0] * len(js))
    for r, js in by_request.items():
        low = 1 if r in problem.locks else 0
        model.constraint.add(
            lower_bound=low, upper_bound=1, var_index=js, coefficient=[1.0] * len(js)
        )
    return model


def _solve(
    model: linear_solver_pb2.MPModelProto, integer: bool, deadline: float
) -> linear_solver_pb2.MPSolutionResponse:
    kind = linear_solver_pb2.MPModelRequest
    solver = kind.SCIP_MIXED_INTEGER_PROGRAMMING if integer else kind.GLOP_LINEAR_PROGRAMMING
    request = kind(
        model=model,
        solver_type=solver,
        solver_time_limit_seconds=max(0.01, deadline - time.perf_counter()),
        solver_specific_parameters=SCIP_PARAMETERS if integer else "",
    )
    response = linear_solver_pb2.MPSolutionResponse()
    pywraplp.Solver.SolveWithProto(request, response)
    return response


def _rounded(
    problem: Problem,
    requests: list[int],
    columns: list[Column],
    fractions: list[float],
    deadline: float,
) -> list[int]:
    """A plan near the LP's (indexes of its columns): routes by decreasing LP value while they
    share no shift and no request, then the requests left out placed by ``scheduler.fill``."""
    routes: dict[int, list[int]] = {}
    served: set[int] = set()
    for j in sorted(range(len(columns)), key=lambda j: -fractions[j]):
        c = columns[j]
        if fractions[j] > 1e-6 and c.vehicle not in routes and served.isdisjoint(c.route):
            routes[c.vehicle] = list(c.route)
            served.update(c.route)
    for c in columns:
        routes.setdefault(c.vehicle, [])
    fill(problem, requests, routes, deadline, swaps=True)
    wanted = {k: frozenset(route) for k, route in routes.items() if route}
    return [
        j
        for j, c in enumerate(columns)
        if c.vehicle in wanted
        and len(c.route) == len(wanted[c.vehicle])
        and wanted[c.vehicle].issuperset(c.route)
    ]


def solve_exactly(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    deadline: float,
    list_until: float | None = None,
) -> Exact | None:
    """The best routes for ``requests`` on ``vehicles``: optimal when proved before
    ``deadline``, else the best found; None when the routes cannot be listed by
    ``list_until`` (when given) or no plan is found in time.

    The LP relaxation is nearly integral on commune days (its bound within 2.5% of the
    optimum's travel), so most routes cannot be in a plan better than one near the LP's: a
    route whose reduced cost exceeds the gap between the LP bound and a plan's value never is
    (reduced-cost fixing). SCIP solves with the routes that gap allows, starting from the
    rounded LP plan and the routes within a small margin, then, when the plan it finds is
    farther from the bound than that margin, once more with every route the gap allows.
    """
    columns = list_routes(problem, requests, vehicles, min(deadline, list_until or deadline))
    if columns is None:
        return None
    values = _values(problem, columns)
    relaxed = _solve(_packing(problem, requests, columns, values, False), False, deadline)
    if relaxed.status != Status.MPSOLVER_OPTIMAL:
        return None
    bound = relaxed.objective_value
    tolerance = 1 + 1e-6 * abs(bound)
    fractions = list(relaxed.variable_value)
    start = _rounded(problem, requests, columns, fractions, deadline)
    served = {r for j in start for r in columns[j].route}
    travel = sum(c.travel * x for c, x in zip(columns, fractions, strict=True))
    margin = max(MIN_MARGIN, MARGIN_SHARE * travel)
    best: tuple[list[int], float] | None = None
    if all(r in served for r in requests if r in problem.locks):
        best = (start, sum(values[j] for j in start))
        margin = min(margin, bound - best[1])
    while True:
        reduced = relaxed.reduced_cost
        kept = sorted(
            {j for j in range(len(columns)) if reduced[j] >= -margin - tolerance}
            | set(best[0] if best else [])
        )
        response = _solve(
            _packing(
                problem, requests, [columns[j] for j in kept], [values[j] for j in kept], True
            ),
            True,
            deadline,
        )
        if response.status not in (Status.MPSOLVER_OPTIMAL, Status.MPSOLVER_FEASIBLE):
            break
        value = response.objective_value
        if best is None or value > best[1]:
            chosen = [j for j, x in zip(kept, response.variable_value, strict=True) if x > 0.5]
            best = (chosen, value)
        if response.status != Status.MPSOLVER_OPTIMAL:
            break
        # Optimal among the kept routes; a plan with a route left out would be worth less
        # than this one, since the route's reduced cost exceeds the gap to the bound.
        if len(kept) == len(columns) or bound - best[1] <= margin:
            return Exact(_routes(columns, best[0], vehicles), True)
        margin = bound - best[1]
    if best is None:
        return None
    return Exact(_routes(columns, best[0], vehicles), False)


def _routes(columns: list[Column], chosen: list[int], vehicles: list[int]) -> dict[int, list[int]]:
    routes: dict[int, list[int]] = {k: [] for k in vehicles}
    for j in chosen:
        routes[columns[j].vehicle] = list(columns[j].route)
    return routes
