"""The assignment-first start (scheduler.seed): who serves what, then in which order."""

from __future__ import annotations

from scheduler.checker import check
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.problem import Problem, build_problem
from scheduler.seed import assignment_start
from scheduler.solver import solve
from scheduler.timetable import earliest_starts, route_travel
from scheduler.types import Lock, Scenario
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer


def _start(s: Scenario) -> tuple[Problem, dict[int, list[int]] | None]:
    problem = build_problem(s)
    requests = [r for r, allowed in enumerate(problem.allowed) if allowed]
    vehicles = list(range(len(problem.vehicles)))
    return problem, assignment_start(problem, requests, vehicles, time_limit_s=5.0)


def _served_by(problem: Problem, routes: dict[int, list[int]]) -> dict[str, str]:
    scenario = problem.scenario
    return {
        scenario.requests[r].id: scenario.volunteers[problem.vehicles[k].volunteer].id
        for k, route in routes.items()
        for r in route
    }


def _assert_sound(problem: Problem, routes: dict[int, list[int]]) -> None:
    seen: list[int] = []
    for k, route in routes.items():
        assert earliest_starts(problem, k, route) is not None
        limit = problem.scenario.volunteers[problem.vehicles[k].volunteer].max_visits_per_shift
        assert limit is None or len(route) <= limit
        assert all(k in problem.allowed[r] for r in route)
        seen += route
    assert len(seen) == len(set(seen))


def test_each_request_goes_to_the_volunteer_living_nearest() -> None:
    # Homes at 0 and 10; one visit each: the LP pairs each request with the closer home.
    s = scenario(
        line_matrix([0, 10, 1, 9]),
        [volunteer("west", 0, max_visits=1), volunteer("east", 1, max_visits=1)],
        [request("near-east", 3), request("near-west", 2)],
    )
    problem, routes = _start(s)
    assert routes is not None
    _assert_sound(problem, routes)
    assert _served_by(problem, routes) == {"near-west": "west", "near-east": "east"}


def test_priority_comes_before_travel() -> None:
    # One visit left for one volunteer: the far urgent request wins over the near ordinary one.
    s = scenario(
        line_matrix([0, 20, 1, 8]),
        [volunteer("a", 0, skills={"vneid"}, max_visits=1), volunteer("b", 1)],
        [request("near", 2, {"vneid"}), request("far-urgent", 3, {"vneid"}, priority=3)],
    )
    problem, routes = _start(s)
    assert routes is not None
    assert _served_by(problem, routes) == {"far-urgent": "a"}


def test_a_set_that_fits_no_order_is_split_and_the_rest_placed_elsewhere() -> None:
    # Two 60-minute visits with the same 60-minute window cannot share a shift, though the
    # LP's time rows allow it and "a" is nearer to both; "b" takes the second one.
    s = scenario(
        line_matrix([0, 5, 1, 1]),
        [volunteer("a", 0), volunteer("b", 1)],
        [
            request("x", 2, duration=60, windows=[(60, 120)]),
            request("y", 3, duration=60, windows=[(60, 120)]),
        ],
    )
    problem, routes = _start(s)
    assert routes is not None
    _assert_sound(problem, routes)
    assert sorted(_served_by(problem, routes).values()) == ["a", "b"]


def test_routes_are_put_in_the_order_of_least_travel() -> None:
    s = scenario(
        line_matrix([0, 30, 3, 1, 2]),
        [volunteer("a", 0), volunteer("far", 1, max_visits=1)],
        [
            request("three", 2, duration=10),
            request("one", 3, duration=10),
            request("two", 4, duration=10),
        ],
    )
    problem, routes = _start(s)
    assert routes is not None
    route = next(r for r in routes.values() if len(r) == 3)
    ids = [problem.scenario.requests[r].id for r in route]
    assert ids in (["one", "two", "three"], ["three", "two", "one"])
    assert route_travel(problem, 0, route) == 6 * 60


def test_a_locked_visit_keeps_its_volunteer() -> None:
    s = scenario(
        line_matrix([0, 10, 9]),
        [volunteer("west", 0), volunteer("east", 1)],
        [request("locked-west", 2, duration=20)],
        locked=[Lock("locked-west", "west", at(60))],
    )
    problem, routes = _start(s)
    assert routes is not None
    assert _served_by(problem, routes) == {"locked-west": "west"}


def test_no_start_when_every_shift_leaves_from_one_depot() -> None:
    # Solomon-like: who serves what says nothing about travel when all start at the depot.
    s = scenario(
        line_matrix([0, 1, 2]),
        [volunteer("a", 0), volunteer("b", 0)],
        [request("x", 1), request("y", 2)],
    )
    _, routes = _start(s)
    assert routes is None


def test_on_a_generated_day_the_start_is_sound_and_beats_greedy() -> None:
    s = generate(50, 15, days=1, seed=3)
    problem, routes = _start(s)
    assert routes is not None
    _assert_sound(problem, routes)
    priority = sum(s.requests[r].priority for route in routes.values() for r in route)
    travel = sum(route_travel(problem, k, route) for k, route in routes.items())
    base = greedy(s).objective
    assert (priority, -travel) >= (base.assigned_priority, -base.travel_seconds)


def test_the_solver_plan_from_the_start_passes_the_checker() -> None:
    s = generate(50, 15, days=2, seed=4)
    plan = solve(s, time_limit_s=1.0, seed=0)
    assert check(s, plan) == []
    assert plan.objective.assigned_priority >= greedy(s).objective.assigned_priority


def test_no_start_when_building_the_lp_would_outlast_the_time_given() -> None:
    problem = build_problem(generate(50, 15, days=1, seed=3))
    requests = [r for r, allowed in enumerate(problem.allowed) if allowed]
    vehicles = list(range(len(problem.vehicles)))
    assert assignment_start(problem, requests, vehicles, time_limit_s=1e-4) is None
    assert assignment_start(problem, requests, vehicles, time_limit_s=5.0) is not None
