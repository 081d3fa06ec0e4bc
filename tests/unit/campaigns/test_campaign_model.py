"""Campaign day model: windows from habits and misses, free time around residents' visits."""

from __future__ import annotations

from datetime import date, time, timedelta

from dispatch.campaign_items import door_minutes, door_skills
from dispatch.campaign_model import Door, Walker, door_windows, free_shifts, part_of, plan_day
from dispatch.clock import LOCAL_TZ, local_to_utc
from scheduler import check
from scheduler.types import Interval, LatLon

DAY = date(2026, 12, 8)
HOME = LatLon(9.70, 104.96)


def _door(n: int, **changes: object) -> Door:
    base = dict(
        id=f"h{n}",
        group="A",
        location=LatLon(9.70 + n * 0.0005, 104.96),
        minutes=20,
        skills=frozenset({"vneid"}),
    )
    base.update(changes)
    return Door(**base)  # type: ignore[arg-type]


def _local(moment: object) -> time:
    return moment.astimezone(LOCAL_TZ).time()  # type: ignore[attr-defined]


def test_farmers_are_visited_early_morning_and_evening() -> None:
    windows = door_windows(_door(1, at_home="farmer"), DAY)
    assert [(_local(w.start), _local(w.end)) for w in windows] == [
        (time(6), time(8, 30)),
        (time(16, 30), time(20)),
    ]


def test_nobody_home_moves_to_another_part_of_the_day() -> None:
    windows = door_windows(_door(1, at_home="farmer", avoid_part="morning"), DAY)
    assert all(part_of(w.start) == "evening" or _local(w.start) >= time(16, 30) for w in windows)
    assert len(windows) == 1
    # Home only in the evening: tried in the evening again (nothing better).
    assert door_windows(_door(1, at_home="evening", avoid_part="evening"), DAY)


def test_come_back_at_gives_a_window_that_day_only() -> None:
    at = local_to_utc(DAY, time(16))
    (window,) = door_windows(_door(1, come_back_at=at), DAY)
    assert window.start < at < window.end
    assert door_windows(_door(1, come_back_at=at), DAY + timedelta(days=1)) == ()


def test_free_shifts_leave_residents_visits_and_the_way_there() -> None:
    shift = Interval(local_to_utc(DAY, time(7)), local_to_utc(DAY, time(12)))
    busy = (local_to_utc(DAY, time(9)), local_to_utc(DAY, time(10)), LatLon(9.72, 104.96))
    walker = Walker("v1", "A", HOME, frozenset({"vneid"}), (shift,), (busy,))
    before, after = free_shifts(walker)
    assert before.end < busy[0] and after.start > busy[1]


def test_checklist_sets_length_and_skills() -> None:
    assert door_minutes(["vneid2", "qr_payment"], slower=False) == 5 + 15 + 8
    assert door_minutes(["vneid2"], slower=True) == door_minutes(["vneid2"], slower=False) + 5
    assert door_skills(["vneid2", "qr_payment"], khmer=True) == {"vneid", "lang:km"}


def test_plan_day_is_feasible_and_respects_language() -> None:
    shift = Interval(local_to_utc(DAY, time(7)), local_to_utc(DAY, time(11)))
    walkers = [
        Walker("v1", "A", HOME, frozenset({"vneid"}), (shift,)),
        Walker("v2", "A", HOME, frozenset({"vneid", "lang:km"}), (shift,)),
    ]
    doors = [_door(n) for n in range(8)] + [_door(9, skills=frozenset({"vneid", "lang:km"}))]
    plan = plan_day("t", DAY, doors, walkers, time_limit_s=2)
    for scenario, group_plan in plan.scenarios:
        assert check(scenario, group_plan) == []
    assert {s.door for s in plan.stops} | set(plan.unplanned) == {d.id for d in doors}
    assert next(s for s in plan.stops if s.door == "h9").walker == "v2"
    # A door of a hamlet without a team goes to the nearest team.
    other = plan_day("t", DAY, [_door(1, group="B")], walkers, time_limit_s=1)
    assert [s.door for s in other.stops] == ["h1"]


def test_a_team_without_doors_joins_a_hamlet_that_still_has_some() -> None:
    # Hamlet A has doors and no team, B has both, C a team and no doors. A's doors go to B's
    # team (the nearest); C's team is nearest to where A's doors were, and must follow them
    # to B rather than join A, which has nothing left to visit.
    shift = Interval(local_to_utc(DAY, time(7)), local_to_utc(DAY, time(11)))
    a, b, c = LatLon(9.700, 104.960), LatLon(9.700, 104.950), LatLon(9.700, 104.975)
    walkers = [
        Walker("vb", "B", b, frozenset({"vneid"}), (shift,)),
        Walker("vc", "C", c, frozenset({"vneid"}), (shift,)),
    ]
    doors = [_door(1, group="A", location=a), _door(2, group="B", location=b)]
    plan = plan_day("t", DAY, doors, walkers, time_limit_s=1)
    [(scenario, _plan)] = plan.scenarios
    assert {v.id for v in scenario.volunteers} == {"vb", "vc"}
    assert sorted(s.door for s in plan.stops) == ["h1", "h2"]
