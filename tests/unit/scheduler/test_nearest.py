"""The nearest slot for a request the plan left out, with every planned visit kept."""

from __future__ import annotations

from datetime import timedelta

from scheduler.nearest import distance, nearest_slot
from scheduler.types import Objective, Plan, Route, Visit
from tests.unit.scheduler.build import at, line_matrix, request, scenario, volunteer


def _plan(*routes: Route) -> Plan:
    return Plan("t", routes, (), Objective(0, 0, 0.0))


def test_the_gap_nearest_the_window_wins_and_travel_is_kept() -> None:
    # One volunteer at 0, shift 0..480; busy 0..200 (visit at place 1) and 300..480 (place 2).
    wished = request("r9", 3, windows=[(60, 120)], duration=30)
    world = scenario(
        line_matrix([0, 1, 2, 3], seconds_per_unit=300),  # 5 minutes a step
        [volunteer("v1", 0, shifts=[(0, 480)])],
        [request("r1", 1, duration=190), request("r2", 2, duration=170), wished],
    )
    plan = _plan(Route("v1", 0, (Visit("r1", at(5), at(195)), Visit("r2", at(300), at(470)))))
    slot = nearest_slot(world, plan, "r9", earliest=at(0))
    assert slot is not None and slot.volunteer == "v1"
    # After r1 (ends 195) + 10 min to place 3 = 205; before r2 (300) needs 5 min back: <= 265.
    assert slot.start == at(205) and slot.end == at(235)
    assert distance(wished.windows, slot.start, timedelta(minutes=30)) == timedelta(minutes=115)


def test_a_free_volunteer_inside_the_window_gives_distance_zero() -> None:
    world = scenario(
        line_matrix([0, 1]),
        [volunteer("v1", 0), volunteer("v2", 0, skills={"x"})],
        [request("r1", 1, skills={"x"}, windows=[(120, 180)])],
    )
    slot = nearest_slot(world, _plan(), "r1", earliest=at(0))
    assert slot is not None and (slot.volunteer, slot.start) == ("v2", at(120))


def test_no_skill_no_room_or_no_time_means_none() -> None:
    skilled_but_full = volunteer("v1", 0, skills={"x"}, max_visits=1)
    world = scenario(
        line_matrix([0, 1]),
        [skilled_but_full, volunteer("v2", 0)],
        [request("r1", 1, skills={"x"}), request("r2", 1, skills={"x"}, windows=[(0, 60)])],
    )
    full = _plan(Route("v1", 0, (Visit("r1", at(10), at(40)),)))
    assert nearest_slot(world, full, "r2", earliest=at(0)) is None
    assert nearest_slot(world, _plan(), "r2", earliest=at(470)) is None  # too late to fit


def test_starts_are_rounded_to_five_minutes_when_they_still_fit() -> None:
    world = scenario(
        line_matrix([0, 1], seconds_per_unit=420),  # 7 minutes away
        [volunteer("v1", 0, shifts=[(0, 480)])],
        [request("r1", 1, windows=[(0, 30)])],
    )
    slot = nearest_slot(world, _plan(), "r1", earliest=at(0))
    assert slot is not None and slot.start == at(10)  # 7 rounded up to 10
