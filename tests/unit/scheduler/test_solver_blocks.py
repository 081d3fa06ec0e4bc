"""Time blocks: grouping overlapping shifts, and re-searching one block at a time."""

from __future__ import annotations

import time

from scheduler.blocks import improve_by_blocks, time_blocks
from scheduler.checker import check
from scheduler.problem import build_problem, components
from scheduler.solver import solve
from scheduler.types import Scenario
from tests.unit.scheduler.build import line_matrix, request, scenario, volunteer


def _day() -> Scenario:
    # Morning (0..240) and afternoon (390..630) shifts; "any time" requests link the blocks.
    return scenario(
        line_matrix([0, 1, 2, 3, 20]),
        [
            volunteer("a", 0, shifts=[(0, 240), (390, 630)]),
            volunteer("b", 4, shifts=[(30, 200)]),
            volunteer("c", 4, shifts=[(400, 600)]),
        ],
        [
            request("m1", 1, windows=[(0, 240)]),
            request("m2", 2, windows=[(0, 240)]),
            request("p1", 3, windows=[(390, 630)]),
            request("any", 2),
            request("far", 4, priority=3),
        ],
    )


def test_overlapping_shifts_form_blocks_in_time_order() -> None:
    p = build_problem(_day())
    blocks = time_blocks(p, list(range(len(p.vehicles))))
    names = [[(p.vehicles[k].volunteer, p.vehicles[k].shift) for k in b] for b in blocks]
    assert names == [[(0, 0), (1, 0)], [(0, 1), (2, 0)]]


def test_blocks_fill_a_poor_plan_and_never_lose_a_visit() -> None:
    s = _day()
    p = build_problem(s)
    [(requests, vehicles)] = components(p)
    # A poor start: only m1, served in the morning by the far volunteer b.
    poor = {k: [] for k in vehicles}
    b_morning = next(k for k in vehicles if p.vehicles[k].volunteer == 1)
    poor[b_morning] = [0]
    better = improve_by_blocks(
        p, requests, poor, time.perf_counter() + 0.6, seed=0, planned={}, fairness=0.0
    )
    served = sorted(r for route in better.values() for r in route)
    assert served == [0, 1, 2, 3, 4]


def test_solver_plan_over_blocks_is_feasible() -> None:
    s = _day()
    plan = solve(s, time_limit_s=0.6)
    assert check(s, plan) == []
    assert plan.objective.assigned == 5
