"""Each constraint of the solver on a small scenario where breaking it would be cheaper.

Places lie on a line (``line_matrix``): travel is one minute per unit of distance. Every plan
goes through the formats checker.
"""

from __future__ import annotations

import pytest

from scheduler.checker import check
from scheduler.reasons import OUT_OF_REACH
from scheduler.solver import solve
from scheduler.types import Lock, Plan, Scenario
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer

# Every test here runs on one core and with two worker processes (scheduler.parallel).
pytestmark = pytest.mark.usefixtures("planner_workers")

LIMIT = 0.3


def solved(s: Scenario, **options: object) -> Plan:
    plan = solve(s, time_limit_s=LIMIT, **options)  # type: ignore[arg-type]
    assert check(s, plan) == []
    return plan


def placement(plan: Plan) -> dict[str, tuple[str, int]]:
    return {v.request: (r.volunteer, r.shift) for r in plan.routes for v in r.visits}


def starts(plan: Plan) -> dict[str, object]:
    return {v.request: v.start for r in plan.routes for v in r.visits}


def test_skills_send_the_request_to_the_far_skilled_volunteer() -> None:
    s = scenario(
        line_matrix([0, 1, 30]),
        [volunteer("near", 0), volunteer("far", 2, {"vneid"})],
        [request("r", 1, {"vneid"})],
    )
    assert placement(solved(s)) == {"r": ("far", 0)}


def test_missing_skill_is_named_in_the_plan() -> None:
    s = scenario(line_matrix([0, 1]), [volunteer("v", 0)], [request("r", 1, {"lang:km"})])
    plan = solved(s)
    assert plan.routes == ()
    assert [(u.request, u.reason) for u in plan.unassigned] == [
        ("r", "no volunteer has skill lang:km")
    ]


def test_whole_visit_inside_the_window() -> None:
    # Window 60..100 with a 30-minute visit: the start must be in 60..70.
    s = scenario(line_matrix([0, 1]), [volunteer("v", 0)], [request("r", 1, windows=[(60, 100)])])
    start = starts(solved(s))["r"]
    assert at(60) <= start <= at(70)  # type: ignore[operator]


def test_no_visit_in_the_gap_between_windows() -> None:
    # Both visits would fit back to back at 0..60 (cheapest), but r2's windows are 0..10
    # (too short) and 200..260, so r2 must wait for its second window.
    s = scenario(
        line_matrix([0, 1]),
        [volunteer("v", 0, shifts=[(0, 300)])],
        [request("r1", 1), request("r2", 1, windows=[(0, 10), (200, 260)])],
    )
    plan = solved(s)
    assert at(200) <= starts(plan)["r2"] <= at(230)  # type: ignore[operator]


def test_trip_home_must_fit_in_the_shift() -> None:
    # Out 20 min + 30 min visit fits in 60 min, the 20 min back does not.
    s = scenario(line_matrix([0, 20]), [volunteer("v", 0, shifts=[(0, 60)])], [request("r", 1)])
    plan = solved(s)
    assert plan.routes == ()
    assert plan.unassigned[0].reason == OUT_OF_REACH


def test_shift_start_bounds_the_first_visit() -> None:
    s = scenario(
        line_matrix([0, 10]),
        [volunteer("v", 0, shifts=[(100, 300)])],
        [request("r", 1, windows=[(0, 300)])],
    )
    assert starts(solved(s))["r"] >= at(110)  # type: ignore[operator]


def test_visit_limit_sends_the_third_visit_to_the_far_volunteer() -> None:
    s = scenario(
        line_matrix([0, 1, 40]),
        [volunteer("near", 0, max_visits=2), volunteer("far", 2, max_visits=1)],
        [request(f"r{i}", 1, duration=10) for i in range(3)],
    )
    plan = solved(s)
    assert sorted(vol for vol, _ in placement(plan).values()) == ["far", "near", "near"]


def test_capacity_bounds_the_sum_of_demand() -> None:
    s = scenario(
        line_matrix([0, 1, 40]),
        [volunteer("near", 0, capacity=3), volunteer("far", 2, capacity=2)],
        [request("big", 1, duration=10, demand=2), request("small", 1, duration=10, demand=2)],
    )
    plan = solved(s)
    assert sorted(vol for vol, _ in placement(plan).values()) == ["far", "near"]


def test_priority_dominates_travel() -> None:
    # Time for one visit only: the far one has priority 2 and wins despite 4x the travel.
    s = scenario(
        line_matrix([0, 5, 20]),
        [volunteer("v", 0, shifts=[(0, 80)])],
        [request("near", 1, duration=30), request("far", 2, duration=30, priority=2)],
    )
    plan = solved(s)
    assert list(placement(plan)) == ["far"]
    assert plan.objective.assigned_priority == 2
    assert [u.request for u in plan.unassigned] == ["near"]


def test_more_assigned_priority_beats_less_travel() -> None:
    # Serving both needs the far volunteer for one of them: more travel, more priority.
    s = scenario(
        line_matrix([0, 1, 50]),
        [volunteer("near", 0, shifts=[(0, 40)]), volunteer("far", 2, shifts=[(0, 300)])],
        [request("a", 1, duration=30), request("b", 1, duration=30)],
    )
    assert solved(s).objective.assigned == 2


def test_lock_keeps_volunteer_shift_and_start() -> None:
    # Unlocked, "near" would take r at once; the coordinator fixed it to "far" at 120.
    s = scenario(
        line_matrix([0, 1, 10]),
        [volunteer("near", 0), volunteer("far", 2, shifts=[(0, 60), (100, 300)])],
        [request("r", 1), request("other", 1)],
        locked=[Lock("r", "far", at(120))],
    )
    plan = solved(s)
    assert placement(plan)["r"] == ("far", 1)
    assert starts(plan)["r"] == at(120)


def test_lock_on_a_full_volunteer_pushes_others_away() -> None:
    s = scenario(
        line_matrix([0, 1, 30]),
        [volunteer("near", 0, max_visits=1), volunteer("far", 2)],
        [request("a", 1), request("b", 1)],
        locked=[Lock("b", "near", at(50))],
    )
    plan = solved(s)
    assert placement(plan) == {"b": ("near", 0), "a": ("far", 0)}


def test_two_days_are_independent_components() -> None:
    s = scenario(
        line_matrix([0, 1]),
        [volunteer("v", 0, shifts=[(0, 300), (1440, 1740)])],
        [request("d1", 1, windows=[(0, 300)]), request("d2", 1, windows=[(1440, 1740)])],
    )
    plan = solved(s)
    assert plan.solver["components"] == 2
    assert placement(plan) == {"d1": ("v", 0), "d2": ("v", 1)}


def test_solver_block_is_reported() -> None:
    s = scenario(line_matrix([0, 1]), [volunteer("v", 0)], [request("r", 1)])
    plan = solve(s, time_limit_s=0.2, seed=7)
    assert plan.solver["time_limit_s"] == 0.2
    assert plan.solver["seed"] == 7
    assert plan.solver["status"] in {"success", "optimal", "proved optimal", "partial_success"}
    # How long it took depends on the machine; that it is reported, and as seconds, does not.
    assert isinstance(plan.solver["wall_s"], float) and plan.solver["wall_s"] > 0


def test_empty_scenarios() -> None:
    nobody = scenario(line_matrix([0, 1]), [], [request("r", 1)])
    plan = solved(nobody)
    assert plan.routes == () and [u.request for u in plan.unassigned] == ["r"]
    idle = scenario(line_matrix([0]), [volunteer("v", 0)], [])
    assert solved(idle).routes == ()
