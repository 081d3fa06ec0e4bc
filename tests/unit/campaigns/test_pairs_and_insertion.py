"""Pairs (one walker from two volunteers of a team) and the insertion pass after the planner."""

from __future__ import annotations

from datetime import date, datetime, time

from dispatch.campaign_model import TRAVEL, Walker, door_priority
from dispatch.campaign_pairs import pair_walkers, walker_ids
from dispatch.clock import local_to_utc
from scheduler import check, greedy
from scheduler.evaluate import objective
from scheduler.insertion import insert_left_out
from scheduler.reasons import explain_unassigned
from scheduler.types import Interval, LatLon, Plan, Request, Scenario, Volunteer

DAY = date(2026, 12, 8)
HOME = LatLon(9.70, 104.96)


def _at(hour: int, minute: int = 0) -> datetime:
    return local_to_utc(DAY, time(hour, minute))


def _walker(wid: str, group: str, start: int, end: int, skills: set[str]) -> Walker:
    return Walker(wid, group, HOME, frozenset(skills), (Interval(_at(start), _at(end)),))


def test_two_of_a_team_walk_together_in_their_common_time() -> None:
    walkers = [
        _walker("v1", "A", 7, 11, {"vneid"}),
        _walker("v2", "A", 9, 13, {"vneid", "lang:km"}),
        _walker("v3", "A", 14, 17, {"vneid"}),  # no common time with anyone: alone
        _walker("v4", "B", 9, 13, {"vneid"}),  # another team: never paired across teams
    ]
    by_id = {w.id: w for w in pair_walkers(walkers)}
    assert set(by_id) == {"v1+v2", "v3", "v4"}
    pair = by_id["v1+v2"]
    assert pair.skills == {"vneid", "lang:km"}  # the union: the pair can take a Khmer door
    assert pair.shifts == (Interval(_at(9), _at(11)),)
    assert walker_ids("v1+v2") == [1, 2] and walker_ids("v3") == [3]


def test_scarce_households_go_first() -> None:
    assert door_priority(False, 0, "evening") > door_priority(False, 0, "farmer")
    assert door_priority(False, 0, "farmer") > door_priority(False, 0, "any")
    assert door_priority(False, 0, "any", True) > door_priority(False, 0, "any")


def _request(rid: str, north: float, start: int, end: int) -> Request:
    location = LatLon(HOME.lat + north, HOME.lon)
    return Request(rid, location, frozenset({"vneid"}), 40, (Interval(_at(start), _at(end)),))


def test_a_left_out_request_that_fits_is_inserted_and_the_plan_stays_valid() -> None:
    volunteer = Volunteer("v1", HOME, frozenset({"vneid"}), (Interval(_at(7), _at(12)),))
    requests = (
        _request("r1", 0.002, 7, 12),
        _request("r2", 0.004, 7, 12),
        _request("r3", 0.001, 7, 9),  # must go first: its window closes at 09:00
        _request("r4", 0.003, 7, 12),
    )
    scenario = Scenario("s", TRAVEL, (volunteer,), requests, timezone="Asia/Ho_Chi_Minh")
    full = greedy(scenario)
    assert not full.unassigned
    # The same plan with r3 and r4 left out, as a stopped search might leave it.
    kept = tuple(
        type(route)(route.volunteer, route.shift,
                    tuple(v for v in route.visits if v.request not in {"r3", "r4"}))
        for route in full.routes
    )  # fmt: skip
    short = Plan("s", kept, explain_unassigned(scenario, ["r3", "r4"]), objective(scenario, kept))
    repaired = insert_left_out(scenario, short)
    assert not repaired.unassigned and repaired.solver["inserted"] == 2
    assert check(scenario, repaired) == []
    (route,) = repaired.routes
    assert route.visits[0].request == "r3"


def test_nothing_is_inserted_where_it_does_not_fit() -> None:
    volunteer = Volunteer("v1", HOME, frozenset({"vneid"}), (Interval(_at(7), _at(8)),))
    requests = (_request("r1", 0.002, 7, 9), _request("r2", 0.003, 7, 9))
    scenario = Scenario("s", TRAVEL, (volunteer,), requests, timezone="Asia/Ho_Chi_Minh")
    plan = greedy(scenario)
    assert len(plan.unassigned) == 1
    assert insert_left_out(scenario, plan) is plan
