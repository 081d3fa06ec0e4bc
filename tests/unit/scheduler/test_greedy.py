"""Greedy baseline: nearest skilled volunteer, appended to the day, locks first, always feasible."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings

from scheduler.checker import check
from scheduler.greedy import greedy
from scheduler.io import parse_plan, parse_scenario, plan_to_dict, scenario_to_dict
from scheduler.io import scenario_tzinfo as tz_of
from scheduler.types import Lock, Plan, Scenario
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer
from tests.unit.scheduler.scenarios import random_scenarios

# Places on a line one minute apart per unit: 0, 5, 10, 15, 60 minutes from place 0.
MATRIX = line_matrix([0, 5, 10, 15, 60])


def placed(plan: Plan) -> dict[str, tuple[str, int, Any]]:
    """request id -> (volunteer, shift, start)."""
    return {
        visit.request: (route.volunteer, route.shift, visit.start)
        for route in plan.routes
        for visit in route.visits
    }


def feasible(s: Scenario, plan: Plan) -> None:
    assert check(s, plan) == []
    assert check(s, parse_plan(plan_to_dict(plan, tz=tz_of(s)))) == []


def test_example_is_feasible_and_matches_the_schema(
    example_scenario: Scenario, plan_validator: Any
) -> None:
    plan = greedy(example_scenario)
    feasible(example_scenario, plan)
    plan_validator.validate(plan_to_dict(plan, tz=tz_of(example_scenario)))
    assert plan.objective.assigned == 10
    assert {u.request for u in plan.unassigned} == {"r3", "r11"}


def test_nearest_skilled_volunteer_gets_the_visit() -> None:
    s = scenario(
        MATRIX,
        [volunteer("far", 0, {"a"}), volunteer("near", 3, {"a"}), volunteer("unskilled", 2)],
        [request("r", 2, {"a"})],
    )
    plan = greedy(s)
    feasible(s, plan)
    assert placed(plan)["r"] == ("near", 0, at(5))


def test_next_visit_is_appended_after_the_last_one() -> None:
    s = scenario(MATRIX, [volunteer("v", 0)], [request("r1", 1, priority=2), request("r2", 2)])
    plan = greedy(s)
    feasible(s, plan)
    assert [v.request for v in plan.routes[0].visits] == ["r1", "r2"]
    assert placed(plan)["r2"][2] == at(5 + 30 + 5)


def test_waits_for_the_window_and_takes_the_next_window() -> None:
    s = scenario(
        MATRIX,
        [volunteer("v", 0)],
        [
            request("r1", 1, windows=[(60, 120)], priority=2),
            request("r2", 1, windows=[(0, 50), (100, 300)]),
        ],
    )
    plan = greedy(s)
    feasible(s, plan)
    assert placed(plan)["r1"][2] == at(60)
    assert placed(plan)["r2"][2] == at(100)


def test_full_volunteer_passes_to_the_next_nearest() -> None:
    s = scenario(
        MATRIX,
        [volunteer("near", 1, max_visits=1), volunteer("far", 4, capacity=5)],
        [request("r1", 1, priority=3), request("r2", 1, demand=5), request("r3", 1, demand=1)],
    )
    plan = greedy(s)
    feasible(s, plan)
    where = placed(plan)
    assert where["r1"][0] == "near" and where["r2"][0] == "far"
    assert [u.request for u in plan.unassigned] == ["r3"]
    assert plan.unassigned[0].reason.startswith("every able volunteer is full")


def test_later_shift_when_the_first_cannot_hold_it() -> None:
    s = scenario(MATRIX, [volunteer("v", 0, shifts=[(0, 30), (60, 200)])], [request("r", 1)])
    plan = greedy(s)
    feasible(s, plan)
    assert placed(plan)["r"] == ("v", 1, at(65))


def test_trip_home_must_fit_in_the_shift() -> None:
    # 60 min out, 30 min visit, 60 min back does not fit in a 140 minute shift.
    s = scenario(MATRIX, [volunteer("v", 0, shifts=[(0, 140)])], [request("r", 4)])
    plan = greedy(s)
    feasible(s, plan)
    assert plan.routes == ()
    assert plan.unassigned[0].reason == "out of reach in time"


def test_higher_priority_first_when_only_one_fits() -> None:
    s = scenario(
        MATRIX,
        [volunteer("v", 0, max_visits=1)],
        [request("low", 1, priority=1), request("high", 2, priority=9)],
    )
    plan = greedy(s)
    assert list(placed(plan)) == ["high"]
    assert plan.objective.assigned_priority == 9


def test_missing_skill_is_the_reason() -> None:
    s = scenario(MATRIX, [volunteer("v", 0, {"a"})], [request("r", 1, {"vneid"})])
    assert greedy(s).unassigned[0].reason == "no volunteer has skill vneid"


def test_locked_visit_kept_and_free_time_before_it_used() -> None:
    locks = [Lock("r1", "v", at(100))]
    s = scenario(MATRIX, [volunteer("v", 0)], [request("r1", 1), request("r2", 1)], locks)
    plan = greedy(s)
    feasible(s, plan)
    assert placed(plan) == {"r2": ("v", 0, at(5)), "r1": ("v", 0, at(100))}


def test_visit_goes_after_the_lock_when_it_does_not_fit_before() -> None:
    locks = [Lock("r1", "v", at(20))]
    s = scenario(MATRIX, [volunteer("v", 0)], [request("r1", 1), request("r2", 2)], locks)
    plan = greedy(s)
    feasible(s, plan)
    assert placed(plan)["r2"] == ("v", 0, at(20 + 30 + 5))


def test_times_are_in_the_scenario_zone_and_whole_seconds() -> None:
    s = scenario(line_matrix([0, 1.2345]), [volunteer("v", 0)], [request("r", 1)])
    visit = greedy(s).routes[0].visits[0]
    assert visit.start.utcoffset() == timedelta(hours=7)
    assert visit.start == at(0) + timedelta(seconds=75)  # 74.07 s of travel, rounded up


def test_deterministic(example_scenario: Scenario) -> None:
    first, second = greedy(example_scenario), greedy(example_scenario)
    assert (first.routes, first.unassigned, first.objective) == (
        second.routes,
        second.unassigned,
        second.objective,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_scenarios())
def test_random_scenarios_get_feasible_plans(s: Scenario) -> None:
    plan = greedy(s)
    feasible(s, plan)
    routed = set(placed(plan))
    assert routed | {u.request for u in plan.unassigned} == {r.id for r in s.requests}


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_scenarios())
def test_locks_from_a_plan_are_valid_and_kept(s: Scenario) -> None:
    first = greedy(s)
    visits = [(route, visit) for route in first.routes for visit in route.visits]
    locks = tuple(Lock(v.request, route.volunteer, v.start) for route, v in visits[::2])
    locked = parse_scenario(
        {
            **scenario_to_dict(s),
            "locked": [
                {"request": lk.request, "volunteer": lk.volunteer, "start": lk.start.isoformat()}
                for lk in locks
            ],
        }
    )
    plan = greedy(locked)
    feasible(locked, plan)
    where = placed(plan)
    for lock in locks:
        assert where[lock.request][0] == lock.volunteer
        assert where[lock.request][2] == lock.start


def test_lock_in_the_second_shift() -> None:
    locks = [Lock("r1", "v", at(130))]
    s = scenario(
        MATRIX,
        [volunteer("v", 0, shifts=[(0, 60), (120, 240)])],
        [request("r1", 1, duration=45), request("r2", 1, duration=45)],
        locks,
    )
    plan = greedy(s)
    feasible(s, plan)
    assert placed(plan) == {"r2": ("v", 0, at(5)), "r1": ("v", 1, at(130))}
