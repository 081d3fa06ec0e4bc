"""The checker: one hand-made plan breaking each rule of the formats README, and the example.

Places lie on a line five minutes apart (loc 0..3). The base plan is feasible; each test
changes one thing and expects exactly the one violation that change causes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scheduler.checker import check
from scheduler.evaluate import objective
from scheduler.types import Lock, Objective, Plan, Route, Scenario, Unassigned, Visit
from tests.unit.scheduler.build import at, line_matrix, request, scenario, span, volunteer

MATRIX = line_matrix([0, 5, 10, 15])


def base_scenario(
    v1: dict[str, object] | None = None,
    r1: dict[str, object] | None = None,
    locked: tuple[Lock, ...] = (),
) -> Scenario:
    """The base scenario, with fields of volunteer v1 or request r1 replaced."""
    first = volunteer("v1", 0, {"a"}, [(0, 240)], max_visits=3, capacity=3)
    v2 = volunteer("v2", 3, {"a", "b"}, [(0, 120), (180, 300)])
    requests = [
        request("r1", 1, {"a"}, 30, [(0, 120)], priority=3),
        request("r2", 2, set(), 20, priority=2),
        request("r3", 3, {"b"}, 30, [(200, 260)]),
        request("r4", 1, {"a"}, 15),
    ]
    volunteers = [replace(first, **(v1 or {})), v2]  # type: ignore[arg-type]
    requests[0] = replace(requests[0], **(r1 or {}))  # type: ignore[arg-type]
    return scenario(MATRIX, volunteers, requests, list(locked))


def v(rid: str, start_min: float, end_min: float, shift_s: float = 0) -> Visit:
    return Visit(
        rid, at(start_min) + timedelta(seconds=shift_s), at(end_min) + timedelta(seconds=shift_s)
    )


R1 = v("r1", 5, 35)
R2 = v("r2", 40, 60)
R3 = v("r3", 200, 230)
BASE_ROUTES = (Route("v1", 0, (R1, R2)), Route("v2", 1, (R3,)))
BASE_UNASSIGNED = (Unassigned("r4", "every able volunteer is full"),)


def plan(
    s: Scenario,
    routes: tuple[Route, ...] = BASE_ROUTES,
    unassigned: tuple[Unassigned, ...] = BASE_UNASSIGNED,
    stated: Objective | None = None,
) -> Plan:
    return Plan("test", routes, unassigned, stated or objective(s, routes))


def only(problems: list[str], *needles: str) -> None:
    assert len(problems) == 1, problems
    for needle in needles:
        assert needle in problems[0], problems[0]


def test_base_plan_is_feasible() -> None:
    s = base_scenario()
    assert check(s, plan(s)) == []


def test_example_plan_is_feasible(example_scenario: Scenario, example_plan: Plan) -> None:
    assert check(example_scenario, example_plan) == []


def test_missing_skill() -> None:
    s = base_scenario(v1={"skills": frozenset()})
    only(check(s, plan(s)), '"r1"', "lacks skill(s) a")


def test_end_must_be_start_plus_duration() -> None:
    s = base_scenario()
    routes = (Route("v1", 0, (R1, v("r2", 40, 61))), BASE_ROUTES[1])
    only(check(s, plan(s, routes)), '"r2"', "end is not start + 20 min")


def test_visit_outside_every_window() -> None:
    s = base_scenario(r1={"windows": (span(50, 120), span(150, 200))})
    only(check(s, plan(s)), '"r1"', "lies in no window")


def test_visit_must_fit_wholly_in_one_window() -> None:
    s = base_scenario(r1={"windows": (span(0, 30), span(30, 60))})
    only(check(s, plan(s)), '"r1"', "lies in no window")


def test_first_visit_needs_travel_from_home() -> None:
    s = base_scenario()
    routes = (Route("v1", 0, (v("r1", 4, 34), R2)), BASE_ROUTES[1])
    only(check(s, plan(s, routes)), '"r1"', "after shift start", "travel takes 300 s")


@pytest.mark.parametrize(("early_s", "violations"), [(1, 0), (2, 1)])
def test_one_second_of_rounding_per_leg(early_s: float, violations: int) -> None:
    s = base_scenario()
    routes = (Route("v1", 0, (v("r1", 5, 35, -early_s), R2)), BASE_ROUTES[1])
    assert len(check(s, plan(s, routes))) == violations


def test_next_visit_needs_travel_from_the_previous() -> None:
    s = base_scenario()
    routes = (Route("v1", 0, (R1, v("r2", 38, 58))), BASE_ROUTES[1])
    only(check(s, plan(s, routes)), '"r2"', 'the end of "r1"')


def test_visits_in_the_wrong_order() -> None:
    s = base_scenario()
    routes = (Route("v1", 0, (R2, R1)), BASE_ROUTES[1])
    only(check(s, plan(s, routes)), '"r1"', "before the end of")


def test_trip_home_before_shift_end() -> None:
    s = base_scenario(v1={"shifts": (span(0, 69),)})
    only(check(s, plan(s)), "trip home takes 600 s")


def test_max_visits_per_shift() -> None:
    s = base_scenario(v1={"max_visits_per_shift": 1})
    only(check(s, plan(s)), "2 visits, more than 1")


def test_capacity() -> None:
    s = base_scenario(v1={"capacity": 1.5})
    only(check(s, plan(s)), "demand 2 exceeds capacity 1.5")


def test_request_visited_twice() -> None:
    s = base_scenario()
    routes = (*BASE_ROUTES, Route("v2", 0, (v("r1", 10, 40),)))
    only(check(s, plan(s, routes)), '"r1" is visited twice')


def test_routed_and_unassigned() -> None:
    s = base_scenario()
    unassigned = (*BASE_UNASSIGNED, Unassigned("r1", "x"))
    only(check(s, plan(s, unassigned=unassigned)), '"r1"', "both routed and unassigned")


def test_every_request_routed_or_unassigned() -> None:
    s = base_scenario()
    only(check(s, plan(s, unassigned=())), '"r4"', "neither routed nor unassigned")


def test_unassigned_twice() -> None:
    s = base_scenario()
    only(check(s, plan(s, unassigned=BASE_UNASSIGNED * 2)), '"r4"', "listed twice")


def test_unknown_volunteer() -> None:
    s = base_scenario()
    only(check(s, plan(s, (*BASE_ROUTES, Route("v9", 0, ())))), '"v9"', "unknown volunteer")


def test_shift_index_out_of_range() -> None:
    s = base_scenario()
    only(check(s, plan(s, (*BASE_ROUTES, Route("v1", 1, ())))), "has no shift 1")


def test_two_routes_for_one_shift() -> None:
    s = base_scenario()
    only(check(s, plan(s, (*BASE_ROUTES, Route("v1", 0, ())))), "more than one route")


def test_unknown_request_in_a_route() -> None:
    s = base_scenario()
    routes = (*BASE_ROUTES, Route("v2", 0, (v("r9", 10, 40),)))
    only(check(s, plan(s, routes, stated=objective(s, BASE_ROUTES))), 'unknown request "r9"')


def test_unknown_request_unassigned() -> None:
    s = base_scenario()
    unassigned = (*BASE_UNASSIGNED, Unassigned("r9", "x"))
    only(check(s, plan(s, unassigned=unassigned)), '"r9"', "unknown request")


def test_locked_visit_missing() -> None:
    s = base_scenario(locked=(Lock("r3", "v2", at(200)),))
    routes = BASE_ROUTES[:1]
    unassigned = (*BASE_UNASSIGNED, Unassigned("r3", "x"))
    only(check(s, plan(s, routes, unassigned)), 'locked request "r3"', "not in the routes")


def test_locked_visit_on_another_volunteer() -> None:
    s = base_scenario(locked=(Lock("r1", "v2", at(5)),))
    only(check(s, plan(s)), 'locked request "r1"', 'locked to "v2"')


def test_locked_visit_moved_in_time() -> None:
    s = base_scenario(locked=(Lock("r1", "v1", at(6)),))
    only(check(s, plan(s)), 'locked request "r1"', "locked at")


def test_locked_visit_kept_is_fine() -> None:
    s = base_scenario(locked=(Lock("r1", "v1", at(5)), Lock("r3", "v2", at(200))))
    assert check(s, plan(s)) == []


def test_stated_objective_must_match() -> None:
    s = base_scenario()
    true = objective(s, BASE_ROUTES)
    assert true == Objective(3, 6, 300 + 300 + 600 + 0 + 0.0)
    only(check(s, plan(s, stated=replace(true, assigned=2))), "assigned 2, recomputed 3")
    only(check(s, plan(s, stated=replace(true, assigned_priority=7))), "assigned_priority 7")
    wrong = replace(true, travel_seconds=true.travel_seconds + 1)
    only(check(s, plan(s, stated=wrong)), "travel_seconds 1201")
    rounded = replace(true, travel_seconds=true.travel_seconds + 0.04)
    assert check(s, plan(s, stated=rounded)) == []
