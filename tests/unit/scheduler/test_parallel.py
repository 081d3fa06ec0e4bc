"""Planning on several worker processes (``scheduler.parallel``): the setting, how work is
shared, the portfolio, and a worker that dies."""

from __future__ import annotations

import pytest

from scheduler.checker import check
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.parallel import FAIL_COMPONENTS_SETTING, WORKERS_SETTING, assign, workers
from scheduler.problem import build_problem, components
from scheduler.solver import solve
from scheduler.types import Lock, Plan, Scenario
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer


def _three_days() -> Scenario:
    """Three independent components (one per day), each a few requests."""
    days = [(0, 480), (1440, 1920), (2880, 3360)]
    return scenario(
        line_matrix([0, 3, 1, 2, 5, 4]),
        [volunteer("a", 0, shifts=days), volunteer("b", 1, shifts=days)],
        [request(f"r{d}{i}", 2 + i, windows=[days[d]]) for d in range(3) for i in range(4)],
    )


def _by_shift(plan: Plan) -> dict[tuple[str, int], list[str]]:
    return {(r.volunteer, r.shift): [v.request for v in r.visits] for r in plan.routes}


def test_workers_is_read_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_SETTING, "3")
    assert workers() == 3
    monkeypatch.setenv(WORKERS_SETTING, "0")
    assert workers() == 1
    monkeypatch.delenv(WORKERS_SETTING)
    assert workers() >= 1
    monkeypatch.setenv(WORKERS_SETTING, "many")
    with pytest.raises(ValueError, match=WORKERS_SETTING):
        workers()


def test_components_spread_by_size_and_spare_workers_run_variants() -> None:
    parts = [([0, 1, 2, 3], [0]), ([4], [1]), ([5, 6], [2])]
    assert assign(parts, 2, portfolio=True) == [[(0, 0)], [(2, 0), (1, 0)]]
    assert assign(parts[:1], 3, portfolio=True) == [[(0, 0)], [(0, 1)], [(0, 2)]]
    assert assign(parts[:1], 3, portfolio=False) == [[(0, 0)]]
    assert assign(parts, 5, portfolio=True)[3:] == [[(0, 1)], [(2, 1)]]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_plans_on_any_number_of_workers_pass_the_checker(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKERS_SETTING, str(count))
    s = _three_days()
    plan = solve(s, time_limit_s=1.0)
    assert check(s, plan) == []
    assert plan.solver["components"] == 3
    assert plan.solver["workers"] == count
    assert plan.objective.assigned == 12


@pytest.mark.parametrize("count", [1, 2])
def test_a_portfolio_on_one_day_passes_the_checker(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 120 requests: over the exact solve's size, so every member searches.
    monkeypatch.setenv(WORKERS_SETTING, str(count))
    day = generate(120, 30, 1, seed=2)
    plan = solve(day, time_limit_s=2.0)
    assert check(day, plan) == []
    assert "worker_failures" not in plan.solver
    assert plan.objective.assigned_priority >= greedy(day).objective.assigned_priority


def test_a_worker_that_dies_costs_only_its_components(monkeypatch: pytest.MonkeyPatch) -> None:
    s = _three_days()
    parts = components(build_problem(s))
    # The largest component goes to the first worker alone; make that worker crash.
    dying = sorted(range(len(parts)), key=lambda i: (-len(parts[i][0]), i))[0]
    monkeypatch.setenv(WORKERS_SETTING, "2")
    monkeypatch.setenv(FAIL_COMPONENTS_SETTING, str(dying))
    plan = solve(s, time_limit_s=1.0)
    assert check(s, plan) == []
    assert plan.solver["worker_failures"], plan.solver
    # The dead worker's day has the greedy plan's routes; the others were planned.
    fallen = {(v.id, k) for v in s.volunteers for k in range(3) if k == dying}
    expected = {key: rs for key, rs in _by_shift(greedy(s)).items() if key in fallen}
    assert {key: rs for key, rs in _by_shift(plan).items() if key in fallen} == expected
    assert plan.objective.assigned == 12


def test_locks_hold_when_the_worker_with_the_lock_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    base = _three_days()
    lock_day = scenario(
        line_matrix([0, 3, 1, 2, 5, 4]),
        list(base.volunteers),
        list(base.requests),
        locked=[Lock("r00", "b", at(30))],
    )
    monkeypatch.setenv(WORKERS_SETTING, "2")
    monkeypatch.setenv(FAIL_COMPONENTS_SETTING, "0,1,2")
    plan = solve(lock_day, time_limit_s=1.0)
    assert check(lock_day, plan) == []
    assert len(plan.solver["worker_failures"]) == 2
    locked = [(r.volunteer, v.start) for r in plan.routes for v in r.visits if v.request == "r00"]
    assert locked == [("b", at(30))]


def test_a_worker_that_hangs_is_given_up_on_and_only_its_components_fall_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = _three_days()
    parts = components(build_problem(s))
    silent = sorted(range(len(parts)), key=lambda i: (-len(parts[i][0]), i))[0]
    monkeypatch.setenv(WORKERS_SETTING, "2")
    monkeypatch.setenv(FAIL_COMPONENTS_SETTING, f"hang:{silent}")
    plan = solve(s, time_limit_s=1.0)
    assert check(s, plan) == []
    # The silent worker held the largest component (and whatever else it was given).
    [note] = plan.solver["worker_failures"]
    assert note.startswith(f"worker for components [{silent}") and "no answer in time" in note
    # Its days have the greedy plan's routes; nothing is lost.
    fallen = {(v.id, k) for v in s.volunteers for k in range(3) if str(k) in note}
    expected = {key: rs for key, rs in _by_shift(greedy(s)).items() if key in fallen}
    assert {key: rs for key, rs in _by_shift(plan).items() if key in fallen} == expected
    assert plan.objective.assigned == 12
