"""``solve``: the OR-Tools planner (scenario in, plan out; ``shared/formats``).

Steps: the scenario becomes integer data (``scheduler.problem``: whole seconds, vehicles =
volunteer shifts, the vehicles each request can ever use); the requests and vehicles split into
independent components (e.g. one per day). A component of up to 100 requests (no previous
plan, no fairness) is first solved exactly (``scheduler.exact``: every route each shift can
drive is listed, SCIP picks the best set), a fraction of a second on a 50-request day.
Otherwise, or when that does not end in time, it is solved by its own routing model
(``scheduler.model``) with guided local search (``scheduler.search``) for a share of the time
limit, starting from the previous plan when there is one and otherwise from an
assignment-first start (``scheduler.seed``: an LP decides who serves what, then each shift is
put in order); with no start at all (one depot) and one priority for every request, by ruin
and recreate (OR-Tools' iterated local search) instead. The routes found get an earliest-start
timetable; requests left out get a reason (``scheduler.reasons``). The greedy plan is returned
(status ``greedy: ...``) when the solver finds nothing in time, when it assigns more priority,
or, with no fairness and no previous plan (nothing else weighed), when it is better
lexicographically; a plan proved optimal (status ``proved optimal``) is returned as it is.
"""

from __future__ import annotations

import time
from datetime import timedelta

from scheduler.blocks import improve_by_blocks, time_blocks
from scheduler.evaluate import better, objective
from scheduler.exact import solve_exactly
from scheduler.fill import fill
from scheduler.greedy import greedy
from scheduler.model import Model, build_model
from scheduler.problem import Problem, build_problem, components
from scheduler.reasons import explain_unassigned
from scheduler.search import Outcome, run
from scheduler.seed import assignment_start
from scheduler.timetable import earliest_starts, score
from scheduler.types import Plan, Route, Scenario, Visit

# Timetables, reasons and the objective take time after the search too: it gets what is
# left of the limit minus this, or minus this share of the limit when that is less.
SAFETY_S = 0.05
SAFETY_SHARE = 0.1
# With several time blocks, the share of a component's time for the search over all of it
# (the rest goes to the blocks one by one, scheduler.blocks).
WHOLE_SHARE = 0.5
# At most this share of a component's time goes to the assignment-first start (scheduler.seed).
SEED_SHARE = 0.4
# Below this many seconds per time block, the blocks are not searched again one by one.
MIN_BLOCK_BUDGET_S = 0.1
# Share of a component's time kept for the final swaps (without a previous plan or fairness).
FILL_SHARE = 0.03
# Components up to this many requests are searched from two starts (_from_two_starts).
PORTFOLIO_UP_TO = 100
# Components up to this many requests (with no previous plan or fairness) are solved exactly
# (scheduler.exact) when their routes can be listed within this share of their time: 100
# requests, 30 volunteers take 1-4 s; a 300-request day has too many routes to list.
EXACT_UP_TO = 100
LIST_SHARE = 0.7
# The status of a component solved exactly, with SCIP's proof that no plan is better.
PROVED = "proved optimal"
# When an exact solve ran out of time, its best plan stands if less than this is left.
MIN_SEARCH_S = 0.03


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


def _better(problem: Problem, vehicles: list[int], a: Outcome, b: Outcome) -> Outcome:
    """The outcome with more assigned priority, then less travel."""

    def rank(outcome: Outcome) -> tuple[int, int]:
        if outcome.routes is None:
            return (-1, 0)
        return score(problem, zip(vehicles, outcome.routes, strict=True))

    return b if rank(b) > rank(a) else a


def _from_two_starts(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    model: Model,
    start: list[list[int]] | None,
    time_limit_s: float,
    seed: int,
) -> Outcome:
    """Small days reach a local optimum within a tenth of a second, and which start leads to
    the better one varies: descend from ``start`` and from the search's own first solution,
    then search on from the better of the two."""
    ends = time.perf_counter() + time_limit_s
    ours = run(model, time_limit_s / 2, seed=seed, start=start, descent=True)
    own = run(build_model(problem, requests, vehicles), time_limit_s / 2, seed=seed, descent=True)
    chosen = _better(problem, vehicles, ours, own)
    onward = run(
        build_model(problem, requests, vehicles),
        max(0.01, ends - time.perf_counter()),
        seed=seed,
        start=chosen.routes,
    )
    return _better(problem, vehicles, chosen, onward)


def _search(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    until: float,
    seed: int,
    prior: dict[int, list[int]],
    fairness: float,
) -> tuple[dict[int, list[int]] | None, str]:
    """One component's routes by local search until ``until``, and the search's status."""
    planned = {r: problem.vehicles[k].volunteer for k, route in prior.items() for r in route}
    model = build_model(problem, requests, vehicles, previous=planned, fairness=fairness)
    budget = max(0.01, until - time.perf_counter())
    # Searching blocks again pays only when each gets enough time to build its model and
    # move; below that the whole component keeps all of it.
    count = len(time_blocks(problem, vehicles))
    blocks = count > 1 and budget * (1 - WHOLE_SHARE) / count >= MIN_BLOCK_BUDGET_S
    start = [prior.get(k, []) for k in vehicles] if prior else None
    seeded = None
    if start is None:
        seeded = assignment_start(problem, requests, vehicles, time_limit_s=budget * SEED_SHARE)
        start = None if seeded is None else [seeded[k] for k in vehicles]
    # From an assignment-first start with nothing but priority and travel to weigh, the last
    # moments go to swapping left-out requests in (scheduler.fill), which the local search
    # does not try.
    swaps = seeded is not None and fairness <= 0
    ends_at = until - (budget * FILL_SHARE if swaps else 0.0)
    whole = max(0.01, (ends_at - time.perf_counter()) * (WHOLE_SHARE if blocks else 1.0))
    iterated = start is None and _one_priority(problem, requests)
    if swaps and len(requests) <= PORTFOLIO_UP_TO:
        outcome = _from_two_starts(problem, requests, vehicles, model, start, whole, seed)
    else:
        outcome = run(model, whole, seed=seed, start=start, iterated=iterated)
    if outcome.routes is None:
        return None, outcome.status
    found = dict(zip(vehicles, outcome.routes, strict=True))
    if blocks:
        found = improve_by_blocks(
            problem, requests, found, ends_at, seed=seed, planned=planned, fairness=fairness
        )
    if swaps:
        fill(problem, requests, found, until, swaps=True)
    return found, outcome.status


def _one_priority(problem: Problem, requests: list[int]) -> bool:
    """Whether ``requests`` share one priority. Searched with no start (a depot, where an
    assignment says nothing of travel), such a day weighs little but travel, where ruin and
    recreate beats guided local search (Solomon); with several priorities guided search served
    more (two 300-request days from a depot, 10 s: 406 vs 404 and 427 vs 425 assigned
    priority; equal with one priority)."""
    return len({problem.scenario.requests[r].priority for r in requests}) == 1


def _solve_parts(
    problem: Problem,
    deadline: float,
    seed: int,
    prior: dict[int, list[int]],
    fairness: float,
) -> tuple[list[tuple[int, Route]], list[str]] | str:
    """Routes (with their vehicle) of every component, and each component's search status;
    or why there is no plan (a component without solution in time)."""
    parts = components(problem)
    routes: list[tuple[int, Route]] = []
    statuses: list[str] = []
    for i, (requests, vehicles) in enumerate(parts):
        # Each component gets a share of the time left, by its number of requests.
        remaining = sum(len(r) for r, _ in parts[i:])
        budget = max(0.01, (deadline - time.perf_counter()) * len(requests) / remaining)
        until = time.perf_counter() + budget
        exact = None
        if not prior and fairness <= 0 and len(requests) <= EXACT_UP_TO:
            # Every route listed and the best set chosen (scheduler.exact): optimal when that
            # ends in time; when listing the routes takes too long, the search takes over.
            now = time.perf_counter()
            exact = solve_exactly(
                problem, requests, vehicles, until, list_until=now + budget * LIST_SHARE
            )
        if exact is not None and (exact.optimal or until - time.perf_counter() < MIN_SEARCH_S):
            found: dict[int, list[int]] | None = exact.routes
            status = PROVED if exact.optimal else "success"
        else:
            found, status = _search(problem, requests, vehicles, until, seed, prior, fairness)
            if exact is not None and (
                found is None
                or score(problem, exact.routes.items()) > score(problem, found.items())
            ):
                found, status = exact.routes, "success"
        statuses.append(status)
        if found is None:
            return status
        for k, route in found.items():
            starts = earliest_starts(problem, k, route)
            if starts is None:  # cannot happen for a solution of the model; never emit it
                return "no timetable for a route"
            if route:
                routes.append((k, _route(problem, k, route, starts)))
    return routes, statuses


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
    deadline = started + time_limit_s - min(SAFETY_S, SAFETY_SHARE * time_limit_s)
    result = _solve_parts(problem, deadline, seed, prior, fairness)
    if isinstance(result, str):
        baseline = baseline or greedy(scenario)
        return _with_solver(baseline, time_limit_s, seed, started, status=f"greedy: {result}")
    found, statuses = result
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
        return _with_solver(
            plan, time_limit_s, seed, started, status=status, components=len(statuses)
        )
    baseline = baseline or greedy(scenario)
    # With fairness or a previous plan, travel is not all the solver weighs below priority.
    plain = fairness <= 0 and previous is None
    ours, theirs = plan.objective, baseline.objective
    if theirs.assigned_priority > ours.assigned_priority or (plain and better(theirs, ours)):
        return _with_solver(baseline, time_limit_s, seed, started, status=f"greedy: {status}")
    return _with_solver(plan, time_limit_s, seed, started, status=status, components=len(statuses))


def _rank(status: str) -> int:
    """Worst status first: the plan is only as good as its weakest component."""
    order = ["fail", "fail_timeout", "partial_success", "success", "optimal", PROVED]
    return order.index(status) if status in order else -1
