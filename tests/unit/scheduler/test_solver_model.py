"""Building the integer problem and the routing model."""

from __future__ import annotations

from scheduler.model import build_model
from scheduler.problem import TICKS_PER_SECOND, build_problem, components
from scheduler.types import Lock, Matrix
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer

MIN = 60 * TICKS_PER_SECOND  # ticks per minute


def test_travel_is_rounded_up_to_whole_seconds_and_whole_seconds_stay_exact() -> None:
    noisy = 0.1 * 3 * 10  # 3.0000000000000004
    s = scenario(
        Matrix(((0.0, 12.3, 0.04), (12.3, 0.0, noisy), (0.04, noisy, 0.0))),
        [volunteer("v", 0)],
        [request("r", 1), request("q", 2)],
    )
    p = build_problem(s)
    # places: r (loc 1), q (loc 2), home of v (loc 0)
    assert p.travel[2, 0] == 13  # 12.3 s rounds up
    assert p.travel[2, 1] == 1  # 0.04 s rounds up
    assert p.travel[0, 1] == 3  # not 4 from float noise
    assert p.service == [30 * MIN, 30 * MIN]


def test_start_ranges_hold_the_whole_visit_and_keep_gaps() -> None:
    s = scenario(
        line_matrix([0, 1]),
        [volunteer("v", 0, shifts=[(0, 480)])],
        [request("r", 1, duration=30, windows=[(200, 260), (60, 100), (90, 110), (300, 320)])],
    )
    p = build_problem(s)
    # The visit must lie inside ONE window: 90..110 and 300..320 are too short for 30
    # minutes even though 90..110 overlaps 60..100 (their union is not a window).
    assert p.starts[0] == [(60 * MIN, 70 * MIN), (200 * MIN, 230 * MIN)]


def test_allowed_vehicles_prune_skills_room_and_reach() -> None:
    s = scenario(
        line_matrix([0, 1, 100]),
        [
            volunteer("skilled", 0, {"a"}, shifts=[(0, 120), (200, 400)]),
            volunteer("unskilled", 0),
            volunteer("full", 0, {"a"}, max_visits=0),
            volunteer("far", 2, {"a"}, shifts=[(0, 120)]),
        ],
        [request("r", 1, {"a"}, windows=[(0, 480)])],
    )
    p = build_problem(s)
    names = [(s.volunteers[p.vehicles[k].volunteer].id, p.vehicles[k].shift) for k in p.allowed[0]]
    assert names == [("skilled", 0), ("skilled", 1)]


def test_components_split_by_day_and_drop_idle_shifts() -> None:
    s = scenario(
        line_matrix([0, 1]),
        [volunteer("v", 0, shifts=[(0, 300), (1440, 1740), (3000, 3100)])],
        [
            request("d1", 1, windows=[(0, 300)]),
            request("d2", 1, windows=[(1440, 1740)]),
            request("d1b", 1, windows=[(10, 200)]),
        ],
    )
    assert components(build_problem(s)) == [([0, 2], [0]), ([1], [1])]


def test_lock_fixes_the_vehicle_of_its_shift() -> None:
    s = scenario(
        line_matrix([0, 1]),
        [volunteer("v", 0, shifts=[(0, 100), (200, 400)]), volunteer("w", 0)],
        [request("r", 1)],
        locked=[Lock("r", "v", at(250))],
    )
    p = build_problem(s)
    assert p.allowed[0] == [1]
    assert p.locks[0].vehicle == 1 and p.locks[0].start == 250 * MIN


def test_model_has_one_vehicle_per_shift_and_one_home_per_volunteer() -> None:
    s = scenario(
        line_matrix([0, 1, 2]),
        [volunteer("v", 0, shifts=[(0, 200), (240, 480)]), volunteer("w", 2)],
        [request("r1", 1), request("r2", 1), request("r3", 2)],
    )
    p = build_problem(s)
    [(requests, vehicles)] = components(p)
    model = build_model(p, requests, vehicles)
    assert model.routing.vehicles() == 3
    assert model.manager.GetNumberOfNodes() == 3 + 2
    index = model.manager.NodeToIndex(0)
    assert model.time.CumulVar(index).Min() == 0
    assert model.routing.VehicleVar(index).Contains(-1)
