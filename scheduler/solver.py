"""``solve``: the OR-Tools planner (scenario in, plan out; ``shared/formats``).

Steps: the scenario becomes integer data (``scheduler.problem``: whole seconds, vehicles =
volunteer shifts, the vehicles each request can ever use); the requests and vehicles split into
independent components (e.g. one per day), planned on every core (``scheduler.parallel``:
components in worker processes, spare workers running other members of a portfolio on the
largest, one core = in this process; ``scheduler.component`` plans one). A component of up
to 100 requests (no previous
plan, no fairness) is first solved exactly (``scheduler.exact``: every route each shift can
drive is listed, SCIP picks the best set), a fraction of a second on a 50-request day.
Otherwise, or when that does not end in time, it is solved by its own routing model
(``scheduler.model``) with guided local search (``scheduler.search``) for a share of the time
limit, starting from the previous plan when there is one and otherwise from an
assignment-first start (``scheduler.seed``: an LP decides who serves what, then each shift is
put in order); with one priority for every request and no previous plan, by ruin and recreate
(OR-Tools' iterated local search) instead. Over 100 requests, the last 40% of a component's
time goes to neighbourhoods of a few shifts solved exactly (``scheduler.exact_lns``). The
routes found get an earliest-start
timetable; requests left out get a reason (``scheduler.reasons``). The greedy plan is returned
(status ``greedy: ...``) when the solver finds nothing in time, when it assigns more priority,
or, with no fairness and no previous plan (nothing else weighed), when it is better
lexicographically; a plan proved optimal (status ``proved optimal``) is returned as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from scheduler.component import EXACT_UP_TO, PROVED
from scheduler.evaluate import better, objective
from scheduler.greedy import greedy
from scheduler.parallel import Part, plan_components, workers
from scheduler.problem import Problem, build_problem, components
from scheduler.reasons import explain_unassigned
from scheduler.timetable import earliest_starts
from scheduler.types import Plan, Route, Scenario, Visit

# Timetables, reasons and the objective take time after the search too: it gets what is
# left of the limit minus this, or minus this share of the limit when that is less.
SAFETY_S = 0.05
SAFETY_SHARE = 0.1
# Forking the worker processes (scheduler.parallel) and reading their answers takes a few
# hundredths of a second more: this much more is kept back when they are used.
PARALLEL_SAFETY_S = 0.05


def _route(problem: Problem, vehicle: int, route: list[int], starts: list[int]) -> Route:
    scenario = problem.scenario
    shift = problem.vehicles[vehicle]
    visits = []
    for r, tick in zip(route, starts, strict=True):
        request = scenario.requests[r]
        begin = problem.to_datetime(tick)
        visits.append(Visit(request.id, begin, begin + timedelta(minutes=request.duration_min)))
    return Route(scenario.volunteers[shift.volunteer].id, shift.shift, tuple(visits))


def _previous_routes(problem: Problem, previous: Plan | None) -> dict[int, list[int]]:
    """Previous plan as problem vehicle -> request indexes (unknown ids dropped)."""
    if previous is None:
        return {}
    scenario = problem.scenario
    request_index = {r.id: i for i, r in enumerate(scenario.requests)}
    vehicle_index = {
        (scenario.volunteers[v.volunteer].id, v.shift): k for k, v in enumerate(problem.vehicles)
    }
    routes: dict[int, list[int]] = {}
    for route in previous.routes:
        k = vehicle_index.get((route.volunteer, route.shift))
        if k is not None:
            visits = [request_index[v.request] for v in route.visits if v.request in request_index]
            routes[k] = [r for r in visits if k in problem.allowed[r]]
    return routes


def _with_solver(plan: Plan, limit: float, seed: int, started: float, **info: object) -> Plan:
    solver = {
        "time_limit_s": limit,
        "wall_s": round(time.perf_counter() - started, 3),
        "seed": seed,
        **info,
    }
    return Plan(plan.scenario, plan.routes, plan.unassigned, plan.objective, solver)


def _fallback(problem: Problem, baseline: Plan | None) -> Callable[[Part], dict[int, list[int]]]:
    """Routes for a component whose worker failed: the greedy plan's on its shifts (computed
    when first needed unless given; greedy places locked visits first)."""
    plan: list[Plan] = [] if baseline is None else [baseline]

    def routes(part: Part) -> dict[int, list[int]]:
        if not plan:
            plan.append(greedy(problem.scenario))
        found = _previous_routes(problem, plan[0])
        return {k: found.get(k, []) for k in part[1]}

    return routes


def _solve_parts(
    problem: Problem,
    deadline: float,
    seed: int,
    prior: dict[int, list[int]],
    fairness: float,
    count: int,
    baseline: Plan | None,
) -> tuple[list[tuple[int, Route]], list[str], list[str]] | str:
    """Routes (with their vehicle) of every component, each component's status and notes on
    failed workers; or why there is no plan (a component without solution in time)."""
    parts = components(problem)
    results, notes = plan_components(
        problem,
        parts,
        deadline,
        seed=seed,
        prior=prior,
        fairness=fairness,
        fallback=_fallback(problem, baseline),
        count=count,
    )
    routes: list[tuple[int, Route]] = []
    statuses: list[str] = []
    for found, status in results:
        statuses.append(status)
        if found is None:
            return status
        for k, route in found.items():
            starts = earliest_starts(problem, k, route)
            if starts is None:  # cannot happen for a solution of the model; never emit it
                return "no timetable for a route"
            if route:
                routes.append((k, _route(problem, k, route, starts)))
    return routes, statuses, notes


def solve(
    scenario: Scenario,
    *,
    time_limit_s: float = 5.0,
    seed: int = 0,
    previous: Plan | None = None,
    fairness: float = 0.0,
) -> Plan:
    """Plan ``scenario``: maximise assigned priority, then minimise travel.

    ``time_limit_s`` bounds the whole call (model building included). ``seed`` seeds the
    search; with the same scenario, seed and limit the plan is the same as far as OR-Tools'
    time-limited search allows. ``previous`` (a plan for an earlier version of the scenario)
    is the starting point, and moving one of its visits to another volunteer costs as much as
    30 minutes of travel, so a re-plan after a few new requests keeps most visits where they
    were. ``fairness`` (default 0, off) balances visits over volunteer shifts: each visit above
    a shift's fair share (requests / shifts, rounded up) costs ``fairness`` × 10 minutes of
    travel; it never costs assigned priority. Locked visits keep their volunteer and start.
    """
    started = time.perf_counter()
    # The greedy plan is the fallback, and the floor: the solver's plan must beat it. A small
    # scenario may well be solved exactly, which no plan beats: its greedy plan (a few
    # milliseconds, within the safety margin) waits until it is needed.
    baseline = None if len(scenario.requests) <= EXACT_UP_TO else greedy(scenario)
    problem = build_problem(scenario)
    prior = _previous_routes(problem, previous)
    count = workers()
    safety = SAFETY_S + (PARALLEL_SAFETY_S if count > 1 else 0.0)
    deadline = started + time_limit_s - min(safety, SAFETY_SHARE * time_limit_s)
    result = _solve_parts(problem, deadline, seed, prior, fairness, count, baseline)
    if isinstance(result, str):
        baseline = baseline or greedy(scenario)
        return _with_solver(baseline, time_limit_s, seed, started, status=f"greedy: {result}")
    found, statuses, notes = result
    info: dict[str, object] = {"components": len(statuses), "workers": count}
    if notes:
        info["worker_failures"] = notes
    routes = [route for _, route in sorted(found, key=lambda kr: kr[0])]
    assigned = {v.request for route in routes for v in route.visits}
    left_out = [r.id for r in scenario.requests if r.id not in assigned]
    plan = Plan(
        scenario.name,
        tuple(routes),
        explain_unassigned(scenario, left_out),
        objective(scenario, routes),
    )
    status = min(statuses, key=_rank) if statuses else "nothing to plan"
    if status == PROVED:
        return _with_solver(plan, time_limit_s, seed, started, status=status, **info)
    baseline = baseline or greedy(scenario)
    # With fairness or a previous plan, travel is not all the solver weighs below priority.
    plain = fairness <= 0 and previous is None
    ours, theirs = plan.objective, baseline.objective
    if theirs.assigned_priority > ours.assigned_priority or (plain and better(theirs, ours)):
        return _with_solver(
            baseline, time_limit_s, seed, started, status=f"greedy: {status}", **info
        )
    return _with_solver(plan, time_limit_s, seed, started, status=status, **info)


def _rank(status: str) -> int:
    """Worst status first: the plan is only as good as its weakest component."""
    order = ["fail", "fail_timeout", "partial_success", "success", "optimal", PROVED]
    return order.index(status) if status in order else -1
