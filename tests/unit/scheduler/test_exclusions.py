"""A request's excluded volunteers (ours: those who declined it) never get it, in any path."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduler import component as component_module
from scheduler.checker import check
from scheduler.greedy import greedy
from scheduler.parallel import WORKERS_SETTING
from scheduler.reasons import ALL_EXCLUDED
from scheduler.solver import solve
from scheduler.types import Plan, Scenario
from tests.unit.scheduler.build import line_matrix, request, scenario, volunteer

DAYS = [(0, 480), (1440, 1920)]


def _declined_by_the_nearest() -> Scenario:
    """Two days (two components); "a" lives next to every request, "b" far away. "a" is
    excluded from r01 and r11; only "a" has e_payment, and is excluded from r12 that needs it."""
    requests = [request(f"r{d}{i}", 1 + i, windows=[DAYS[d]]) for d in range(2) for i in range(2)]
    requests.append(request("r12", 1, skills={"e_payment"}, windows=[DAYS[1]]))
    excluded = {"r01", "r11", "r12"}
    return scenario(
        line_matrix([0, 1, 2, 40]),
        [volunteer("a", 0, skills={"e_payment"}, shifts=DAYS), volunteer("b", 3, shifts=DAYS)],
        [
            replace(r, excluded_volunteers=frozenset({"a"})) if r.id in excluded else r
            for r in requests
        ],
    )


def _holder(plan: Plan) -> dict[str, str]:
    return {v.request: route.volunteer for route in plan.routes for v in route.visits}


def _assert_honoured(s: Scenario, plan: Plan) -> None:
    assert check(s, plan) == []
    holder = _holder(plan)
    assert holder["r01"] == "b" and holder["r11"] == "b"
    assert [(u.request, u.reason) for u in plan.unassigned] == [("r12", ALL_EXCLUDED)]


def test_the_greedy_plan_honours_exclusions() -> None:
    s = _declined_by_the_nearest()
    _assert_honoured(s, greedy(s))


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "search"])
@pytest.mark.parametrize("count", [1, 2])
def test_the_solver_honours_exclusions_on_any_number_of_workers(
    count: int, exact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKERS_SETTING, str(count))
    if not exact:  # no exact solve: the local search plans every component
        monkeypatch.setattr(component_module, "solve_exactly", lambda *args, **kwargs: None)
    s = _declined_by_the_nearest()
    plan = solve(s, time_limit_s=1.0)
    assert plan.solver["workers"] == count
    assert (plan.solver["status"] == "proved optimal") is exact
    _assert_honoured(s, plan)


def test_the_checker_refuses_a_visit_by_an_excluded_volunteer() -> None:
    s = _declined_by_the_nearest()
    free = replace(
        s, requests=tuple(replace(r, excluded_volunteers=frozenset()) for r in s.requests)
    )
    plan = greedy(free)
    assert _holder(plan)["r01"] == "a"  # without the exclusion the nearest takes it
    problems = check(s, plan)
    assert 'visit "r01": volunteer is excluded from this request' in problems[0], problems
