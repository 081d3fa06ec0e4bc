"""Small components solved exactly: the best set of the routes each shift can drive.

Every feasible route of every shift is listed (``scheduler.listing``). Choosing at most one
route per shift, each request at most once (locked ones exactly once), for the most priority
and then the least travel, is a set-packing MIP that SCIP solves in a fraction of a second for
a 50-request day. The search (``scheduler.search``) on such a day stops in a local optimum 2-7%
above it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ortools.linear_solver import linear_solver_pb2, pywraplp

from scheduler.fill import fill
from scheduler.listing import Column, list_routes
from scheduler.problem import Problem

# SCIP's gap: none relative, less than one tick of travel absolute, so the plan is optimal.
SCIP_PARAMETERS = "limits/gap = 0\nlimits/absgap = 0.5\n"
# SCIP first gets the routes whose reduced cost in the LP relaxation is within this share of
# the relaxation's travel (at least MIN_MARGIN ticks) of zero: on 50-request days the
# relaxation's bound is within 0-2.5% of the optimum's travel.
MARGIN_SHARE = 0.02
MIN_MARGIN = 300.0
Status = linear_solver_pb2.MPSolverResponseStatus


@dataclass(frozen=True)
class Exact:
    routes: dict[int, list[int]]  # problem vehicle -> requests in visit order
    optimal: bool


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
    candidates: dict[int, list[int]] | None = None,
) -> Exact | None:
    """The best routes for ``requests`` on ``vehicles``: optimal when proved before
    ``deadline``, else the best found; None when the routes cannot be listed by
    ``list_until`` (when given) or no plan is found in time. With ``candidates`` (vehicle ->
    requests), each shift's routes are listed over those requests only.

    The LP relaxation is nearly integral on commune days (its bound within 2.5% of the
    optimum's travel), so most routes cannot be in a plan better than one near the LP's: a
    route whose reduced cost exceeds the gap between the LP bound and a plan's value never is
    (reduced-cost fixing). SCIP solves with the routes that gap allows, starting from the
    rounded LP plan and the routes within a small margin, then, when the plan it finds is
    farther from the bound than that margin, once more with every route the gap allows.
    """
    columns = list_routes(
        problem, requests, vehicles, min(deadline, list_until or deadline), candidates
    )
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
        model = _packing(
            problem, requests, [columns[j] for j in kept], [values[j] for j in kept], True
        )
        if best is not None:  # the best plan so far, in full, so SCIP starts from it
            hinted = set(best[0])
            model.solution_hint.var_index.extend(range(len(kept)))
            model.solution_hint.var_value.extend(float(j in hinted) for j in kept)
        response = _solve(model, True, deadline)
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
