"""Small components solved exactly (scheduler.exact): the routes listed and the best set."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import HealthCheck, given, settings

import scheduler.component as component_module
from scheduler.checker import check
from scheduler.exact import solve_exactly
from scheduler.fill import has_room
from scheduler.generator import generate
from scheduler.listing import MAX_VISITS, list_routes
from scheduler.problem import Problem, build_problem, components
from scheduler.solver import solve
from scheduler.timetable import earliest_starts, route_travel, score
from scheduler.types import Lock, Matrix, Scenario
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer
from tests.unit.scheduler.scenarios import random_scenarios

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _every_route(problem: Problem, requests: list[int], vehicle: int) -> dict[frozenset[int], int]:
    """Brute force: every order of every set of requests the shift can take, least travel."""
    able = [r for r in requests if vehicle in problem.allowed[r]]
    best: dict[frozenset[int], int] = {}
    for size in range(1, min(len(able), MAX_VISITS) + 1):
        for order in itertools.permutations(able, size):
            route = list(order)
            if not has_room(problem, vehicle, route[:-1], route[-1]):
                continue
            if earliest_starts(problem, vehicle, route) is None:
                continue
            travel = route_travel(problem, vehicle, route)
            key = frozenset(route)
            best[key] = min(travel, best.get(key, travel))
    return best


@FAST
@given(random_scenarios())
def test_the_routes_listed_are_every_feasible_route_with_its_least_travel(s: Scenario) -> None:
    problem = build_problem(s)
    for requests, vehicles in components(problem):
        columns = list_routes(problem, requests, vehicles, time.perf_counter() + 30)
        if columns is None:  # some shift may take more than MAX_VISITS visits
            continue
        for k in vehicles:
            listed = {frozenset(c.route): c.travel for c in columns if c.vehicle == k}
            assert listed == _every_route(problem, requests, k)
            for c in columns:
                if c.vehicle == k:
                    assert earliest_starts(problem, k, list(c.route)) is not None
                    assert route_travel(problem, k, list(c.route)) == c.travel


@FAST
@given(random_scenarios())
def test_the_exact_plan_is_feasible_and_no_worse_than_the_search(s: Scenario) -> None:
    problem = build_problem(s)
    for requests, vehicles in components(problem):
        exact = solve_exactly(problem, requests, vehicles, time.perf_counter() + 30)
        if exact is None:
            continue
        assert exact.optimal
        for k, route in exact.routes.items():
            assert earliest_starts(problem, k, route) is not None
        found, _ = component_module._search(
            problem,
            requests,
            vehicles,
            time.perf_counter() + 0.2,
            0,
            {},
            0.0,
            component_module.VARIANTS[0],
        )
        assert found is not None
        assert score(problem, exact.routes.items()) >= score(problem, found.items())


def test_routes_are_listed_where_travel_breaks_the_triangle_inequality() -> None:
    # From home (0) the far place (2) is 100 minutes away directly but 10 through the middle
    # place (1); "last" (3) must start by 50, so it can follow "far" only when "far" was
    # reached through the middle. Reasoning from the direct leg would never list the route
    # that serves all three with 20 minutes of travel.
    minutes = [
        [0, 5, 100, 5],
        [5, 0, 5, 100],
        [100, 5, 0, 5],
        [5, 100, 5, 0],
    ]
    s = scenario(
        Matrix(tuple(tuple(m * 60.0 for m in row) for row in minutes)),
        [volunteer("v", 0, shifts=[(0, 300)], max_visits=4)],
        [
            request("mid", 1, duration=10, windows=[(0, 20)]),
            request("far", 2, duration=10, windows=[(0, 200)]),
            request("last", 3, duration=10, windows=[(0, 60)]),
        ],
    )
    plan = solve(s, time_limit_s=5)
    assert plan.solver["status"] == "proved optimal"
    assert [v.request for v in plan.routes[0].visits] == ["mid", "far", "last"]
    assert plan.objective.travel_seconds == 20 * 60
    assert check(s, plan) == []


def test_a_locked_visit_keeps_its_volunteer_and_start() -> None:
    s = scenario(
        line_matrix([0, 1, 10]),
        [volunteer("near", 0, max_visits=3), volunteer("far", 2, max_visits=3)],
        [request("r", 1), request("other", 1)],
        locked=[Lock("r", "far", at(120))],
    )
    plan = solve(s, time_limit_s=5)
    assert plan.solver["status"] == "proved optimal"
    visits = {v.request: (r.volunteer, v.start) for r in plan.routes for v in r.visits}
    assert visits["r"] == ("far", at(120))
    assert check(s, plan) == []


def test_capacity_and_visit_limits_bound_the_routes() -> None:
    s = scenario(
        line_matrix([0, 1]),
        [volunteer("v", 0, max_visits=2, capacity=3)],
        [request(f"r{i}", 1, duration=10, demand=2 if i == 0 else 1) for i in range(4)],
    )
    problem = build_problem(s)
    ((requests, vehicles),) = components(problem)
    columns = list_routes(problem, requests, vehicles, time.perf_counter() + 5)
    assert columns is not None
    assert max(len(c.route) for c in columns) == 2
    assert all(sum(s.requests[r].demand for r in c.route) <= 3 for c in columns)


def test_no_listing_for_shifts_without_a_small_visit_limit() -> None:
    # Solomon-like: no visit limit and room for many visits: too many orders to list.
    s = scenario(
        line_matrix([0, 1, 2, 3, 4, 5, 6]),
        [volunteer("v", 0)],
        [request(f"r{i}", i % 6 + 1, duration=10) for i in range(6)],
    )
    problem = build_problem(s)
    ((requests, vehicles),) = components(problem)
    assert list_routes(problem, requests, vehicles, time.perf_counter() + 5) is None
    assert solve(s, time_limit_s=1).solver["status"] != "proved optimal"


def test_a_generated_commune_day_is_solved_to_optimality(monkeypatch: pytest.MonkeyPatch) -> None:
    s = generate(50, 15, days=1, seed=1)
    plan = solve(s, time_limit_s=5)
    assert plan.solver["status"] == "proved optimal"
    assert check(s, plan) == []
    monkeypatch.setattr(component_module, "solve_exactly", lambda *args, **kwargs: None)
    searched = solve(s, time_limit_s=1)
    assert searched.solver["status"] != "proved optimal"
    ours, theirs = plan.objective, searched.objective
    assert ours.assigned_priority >= theirs.assigned_priority
    if ours.assigned_priority == theirs.assigned_priority:
        assert ours.travel_seconds <= theirs.travel_seconds + 1e-6
