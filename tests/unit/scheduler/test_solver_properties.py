"""Property: on small random scenarios every solver plan passes the formats checker."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from scheduler.checker import check
from scheduler.greedy import greedy
from scheduler.solver import solve
from scheduler.types import Lock, Scenario
from tests.unit.scheduler.scenarios import random_scenarios

FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(random_scenarios())
def test_solver_plans_are_feasible(s: Scenario) -> None:
    plan = solve(s, time_limit_s=0.1)
    assert check(s, plan) == []
    listed = [v.request for r in plan.routes for v in r.visits] + [
        u.request for u in plan.unassigned
    ]
    assert sorted(listed) == sorted(r.id for r in s.requests)


@FAST
@given(random_scenarios())
def test_solver_never_assigns_less_priority_than_greedy(s: Scenario) -> None:
    plan = solve(s, time_limit_s=0.1)
    assert plan.objective.assigned_priority >= greedy(s).objective.assigned_priority


@FAST
@given(random_scenarios())
def test_locks_taken_from_a_feasible_plan_are_kept(s: Scenario) -> None:
    # Lock the first visit of every greedy route: a set of locks known to fit together.
    base = greedy(s)
    locks = tuple(Lock(r.visits[0].request, r.volunteer, r.visits[0].start) for r in base.routes)
    locked = replace(s, locked=locks)
    plan = solve(locked, time_limit_s=0.1)
    assert check(locked, plan) == []
