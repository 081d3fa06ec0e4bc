"""The portfolio member beside OR-Tools: VROOM's plan (``scheduler.vroom_start``) improved by
PyVRP's search (``scheduler.pyvrp_search``), and where it stands aside."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from scheduler import component, pyvrp_search
from scheduler.component import plan_component
from scheduler.problem import Problem, build_problem, components
from scheduler.pyvrp_search import improve_with_pyvrp
from scheduler.timetable import earliest_starts, route_travel, score
from scheduler.types import Lock, Scenario
from scheduler.vroom_start import vroom_routes
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer


def _mixed_day() -> Scenario:
    """Two volunteers at either end of a line; skills, a declined volunteer, a request with
    two windows of which only the second is open to the one volunteer who may serve it, a
    visit limit and capacity."""
    s = scenario(
        line_matrix([0, 10, 1, 2, 3, 8, 9, 5, 4]),
        [
            volunteer("a", 0, skills={"vneid"}, shifts=[(120, 480)], max_visits=4, capacity=3),
            volunteer("b", 1, skills={"vneid", "qr"}, shifts=[(240, 480)]),
        ],
        [
            request("near-a", 2),
            request("qr-only", 3, skills={"qr"}),
            request("declined-by-a", 4),
            request("late", 5, skills={"qr"}, windows=[(130, 200), (300, 400)]),
            request("heavy", 6, demand=2),
            request("mid", 7),
            request("mid2", 8),
        ],
    )
    requests = tuple(
        replace(r, excluded_volunteers=frozenset({"a"})) if r.id == "declined-by-a" else r
        for r in s.requests
    )
    return replace(s, requests=requests)


def _rules_hold(problem: Problem, routes: dict[int, list[int]]) -> None:
    volunteers = problem.scenario.volunteers
    seen: list[int] = []
    for k, route in routes.items():
        volunteer = volunteers[problem.vehicles[k].volunteer]
        assert all(k in problem.allowed[r] for r in route)
        assert route == [] or earliest_starts(problem, k, route) is not None
        limit = volunteer.max_visits_per_shift
        assert limit is None or len(route) <= limit
        demand = sum(problem.scenario.requests[r].demand for r in route)
        assert volunteer.capacity is None or demand <= volunteer.capacity
        seen += route
    assert len(seen) == len(set(seen))


def _one_component(s: Scenario) -> tuple[Problem, list[int], list[int]]:
    problem = build_problem(s)
    (requests, vehicles), *others = components(problem)
    assert others == []
    return problem, requests, vehicles


def _names(problem: Problem, routes: dict[int, list[int]]) -> dict[str, list[str]]:
    ids = problem.scenario
    return {
        ids.volunteers[problem.vehicles[k].volunteer].id: [ids.requests[r].id for r in route]
        for k, route in routes.items()
    }


def test_vroom_start_serves_all_it_may_and_keeps_every_rule() -> None:
    problem, requests, vehicles = _one_component(_mixed_day())
    routes = vroom_routes(problem, requests, vehicles, 2.0)
    assert routes is not None
    _rules_hold(problem, routes)
    by_name = _names(problem, routes)
    assert sum(len(r) for r in routes.values()) == len(requests)
    assert "qr-only" in by_name["b"] and "declined-by-a" in by_name["b"]


def test_pyvrp_search_mends_a_poor_start_without_losing_a_visit() -> None:
    s = scenario(
        line_matrix([0, 1, 2, 3, 4, 5, 6]),
        [volunteer("a", 0)],
        [request(f"r{i}", i, duration=10) for i in range(1, 7)],
    )
    problem, requests, vehicles = _one_component(s)
    zigzag = {vehicles[0]: [requests[i] for i in (5, 0, 4, 1, 3, 2)]}
    assert earliest_starts(problem, vehicles[0], zigzag[vehicles[0]]) is not None
    improved = improve_with_pyvrp(problem, requests, vehicles, zigzag, 1.0, seed=0)
    assert improved is not None
    _rules_hold(problem, improved)
    assert score(problem, improved.items())[0] == 6
    assert route_travel(problem, vehicles[0], improved[vehicles[0]]) == 12 * 60
    assert route_travel(problem, vehicles[0], zigzag[vehicles[0]]) > 12 * 60


def test_pyvrp_search_serves_a_request_in_its_second_window_from_no_start() -> None:
    problem, requests, vehicles = _one_component(_mixed_day())
    found = improve_with_pyvrp(problem, requests, vehicles, None, 1.0, seed=0)
    assert found is not None
    _rules_hold(problem, found)
    late = next(r for r in requests if problem.scenario.requests[r].id == "late")
    k, route = next((k, route) for k, route in found.items() if late in route)
    starts = earliest_starts(problem, k, route)
    assert starts is not None
    start = starts[route.index(late)]
    assert problem.to_ticks(at(300)) <= start


def test_the_member_keeps_vrooms_plan_when_pyvrp_cannot_take_the_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    problem, requests, vehicles = _one_component(_mixed_day())
    monkeypatch.setattr(pyvrp_search, "MAX_MATRIX_CELLS", 0)
    assert improve_with_pyvrp(problem, requests, vehicles, None, 0.5, seed=0) is None
    given: list[float] = []

    def timed_vroom(*args: object) -> dict[int, list[int]] | None:
        given.append(float(args[3]))  # type: ignore[arg-type]
        return vroom_routes(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(component, "vroom_routes", timed_vroom)
    until = time.perf_counter() + 1.2
    routes, status = plan_component(
        problem, requests, vehicles, until, seed=0, prior={}, fairness=0.0, variant=1
    )
    assert routes is not None and status == "success"
    assert given and given[0] > 1.0  # all the time, not the half PyVRP would have had
    _rules_hold(problem, routes)
    assert sum(len(r) for r in routes.values()) == len(requests)


def test_the_member_stands_aside_for_a_locked_visit(monkeypatch: pytest.MonkeyPatch) -> None:
    s = _mixed_day()
    s = replace(s, locked=(Lock("mid", "b", at(300)),))
    problem, requests, vehicles = _one_component(s)

    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("VROOM ran on a component with a locked visit")

    monkeypatch.setattr(component, "vroom_routes", must_not_run)
    routes, _ = plan_component(
        problem, requests, vehicles, time.perf_counter() + 1.0, seed=0, prior={},
        fairness=0.0, variant=1,
    )  # fmt: skip
    assert routes is not None
    mid = next(r for r in requests if s.requests[r].id == "mid")
    holder = next(k for k, route in routes.items() if mid in route)
    assert s.volunteers[problem.vehicles[holder].volunteer].id == "b"
    starts = earliest_starts(problem, holder, routes[holder])
    assert starts is not None and starts[routes[holder].index(mid)] == problem.to_ticks(at(300))
