"""Placing left-out requests into start routes (scheduler.fill)."""

from __future__ import annotations

import time

from scheduler.fill import fill
from scheduler.problem import Problem, build_problem
from tests.unit.scheduler.build import line_matrix, request, scenario, volunteer


def _ids(problem: Problem, routes: dict[int, list[int]]) -> dict[str, list[str]]:
    scenario = problem.scenario
    return {
        scenario.volunteers[problem.vehicles[k].volunteer].id: [
            scenario.requests[r].id for r in route
        ]
        for k, route in routes.items()
    }


def _problem() -> Problem:
    # "a" (home 0) has one visit a shift; "b" (home 10) has room but only the skill "plain".
    return build_problem(
        scenario(
            line_matrix([0, 10, 1, 2]),
            [
                volunteer("a", 0, skills={"plain", "vneid"}, max_visits=1),
                volunteer("b", 1, skills={"plain"}),
            ],
            [
                request("urgent-vneid", 2, {"vneid"}, priority=3),
                request("ordinary", 3, {"plain"}),
                request("ordinary-vneid", 3, {"vneid"}),
            ],
        )
    )


def test_insertion_goes_where_it_costs_least() -> None:
    problem = _problem()
    routes: dict[int, list[int]] = {0: [], 1: []}
    fill(problem, [1], routes, time.perf_counter() + 5, swaps=False)
    assert _ids(problem, routes) == {"a": ["ordinary"], "b": []}


def test_a_higher_priority_request_swaps_in_and_the_other_moves_to_a_shift_with_room() -> None:
    problem = _problem()
    routes = {0: [1], 1: []}  # "a" is full with the ordinary request
    fill(problem, [0, 1], routes, time.perf_counter() + 5, swaps=True)
    assert _ids(problem, routes) == {"a": ["urgent-vneid"], "b": ["ordinary"]}


def test_a_higher_priority_request_swaps_in_even_when_the_other_stays_out() -> None:
    problem = _problem()
    routes = {0: [2], 1: []}  # only "a" can do vneid visits
    fill(problem, [0, 2], routes, time.perf_counter() + 5, swaps=True)
    assert _ids(problem, routes) == {"a": ["urgent-vneid"], "b": []}


def test_no_swap_between_equal_priorities_when_nothing_is_gained() -> None:
    problem = _problem()
    routes = {0: [1], 1: []}
    # "ordinary-vneid" could take the place of "ordinary" only if that one moved, and it
    # has the same priority: with swaps off nothing moves, with swaps on it moves to "b".
    fill(problem, [1, 2], routes, time.perf_counter() + 5, swaps=False)
    assert _ids(problem, routes) == {"a": ["ordinary"], "b": []}
    fill(problem, [1, 2], routes, time.perf_counter() + 5, swaps=True)
    assert _ids(problem, routes) == {"a": ["ordinary-vneid"], "b": ["ordinary"]}


def test_nothing_is_placed_after_the_deadline() -> None:
    problem = _problem()
    routes: dict[int, list[int]] = {0: [], 1: []}
    fill(problem, [1], routes, time.perf_counter() - 1, swaps=True)
    assert _ids(problem, routes) == {"a": [], "b": []}


def _far_problem(*, plain_helper: bool = True) -> Problem:
    # "a" and "b" (home 0, three-hour shifts) are the only ones who speak Khmer; "far" (70
    # minutes away) fits a shift only alone. "b" takes three visits a shift; "c" takes any
    # plain visit (it is left without the skill when ``plain_helper`` is False).
    return build_problem(
        scenario(
            line_matrix([0, 70, 40, 1, 45]),
            [
                volunteer("a", 0, skills={"km", "plain"}, shifts=[(0, 180)]),
                volunteer("b", 0, skills={"km", "plain"}, shifts=[(0, 180)], max_visits=3),
                volunteer("c", 0, skills={"plain"} if plain_helper else set()),
            ],
            [
                request("far", 1, {"km"}, priority=2),
                request("mid", 2, {"km"}, duration=45, priority=3),
                request("high", 2, {"km"}, priority=5),
                request("x", 3, {"plain"}),
                request("y", 4, {"plain"}),
                request("z", 4, {"plain"}),
            ],
        )
    )


def test_a_request_that_fits_only_alone_clears_a_shift_and_the_rest_moves_on() -> None:
    # Neither inserting "far" nor swapping it for one request works; clearing "a" for it
    # pushes "mid" out, which fits "b" only once "y" and "z" leave it: a second clearing.
    problem = _far_problem()
    routes = {0: [1, 3], 1: [2, 4, 5], 2: []}
    fill(problem, list(range(6)), routes, time.perf_counter() + 5, swaps=True)
    placed = {k: sorted(v) for k, v in _ids(problem, routes).items()}
    assert placed == {"a": ["far"], "b": ["high", "mid"], "c": ["x", "y", "z"]}


def test_no_shift_is_cleared_when_the_day_would_serve_no_more_priority() -> None:
    # Without "c" the plain requests have nowhere else to go: clearing "a" for "far"
    # (priority 2) loses "mid" or "y" and "z" (3 or 2): nothing changes.
    problem = _far_problem(plain_helper=False)
    routes = {0: [1, 3], 1: [2, 4, 5], 2: []}
    fill(problem, list(range(6)), routes, time.perf_counter() + 5, swaps=True)
    assert _ids(problem, routes) == {"a": ["mid", "x"], "b": ["high", "y", "z"], "c": []}


def test_a_swap_never_takes_a_shift_over_its_capacity() -> None:
    # "a" carries at most 2.5: a light and a medium visit; the heavier, more urgent request
    # would fit the time in place of the light one, but not the load (found by the property
    # test: the swap checked the timetable only).
    problem = build_problem(
        scenario(
            line_matrix([0, 1, 2, 3]),
            [volunteer("a", 0, capacity=2.5)],
            [
                request("light", 1, demand=0.0),
                request("medium", 2, demand=1.0),
                request("heavy", 3, demand=2.0, priority=3),
            ],
        )
    )
    routes = {0: [0, 1]}
    fill(problem, [0, 1, 2], routes, time.perf_counter() + 1.0, swaps=True)
    load = sum(problem.scenario.requests[r].demand for r in routes[0])
    assert load <= 2.5
    assert sorted(_ids(problem, routes)["a"]) == ["heavy", "light"]  # in place of "medium"
