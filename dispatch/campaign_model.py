"""One campaign day as planning problems (pure: no database), and the walk lists they give.

- Doors (households) become requests of the scenario format: visit length from the checklist,
  windows from the household's habits (farmers are home early morning and evening), and after a
  "nobody home" the part of the day it happened in is left out, so the next try comes at
  another time. A "come back at" time gives a window around that time.
- Walkers (volunteers) offer only the time their shifts leave free around residents' own
  visits, with the trip home and back on each side: a campaign visit can never push a
  resident's request out, because the resident's visit is not in the problem at all.
- Each hamlet's team walks its own hamlet (a hamlet without a team goes to the nearest team),
  so a commune day is many small problems, solved one by one with the shared time budget.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from dispatch.clock import LOCAL_TZ, local_to_utc
from scheduler import solve
from scheduler.insertion import insert_left_out
from scheduler.travel import great_circle_km, travel_seconds
from scheduler.types import Haversine, Interval, LatLon, Plan, Request, Scenario, Volunteer

TRAVEL = Haversine(speed_kmh=15.0, detour_factor=1.4)  # alleys, often on foot or by bicycle
PARTS = {  # local parts of the day a "nobody home" is remembered by
    "morning": (time(5, 0), time(11, 0)),
    "afternoon": (time(11, 0), time(17, 0)),
    "evening": (time(17, 0), time(22, 0)),
}
HABITS = {
    "any": ((time(7, 0), time(20, 30)),),
    "farmer": ((time(6, 0), time(8, 30)), (time(16, 30), time(20, 0))),
    "evening": ((time(17, 0), time(20, 30)),),
}
NARROWNESS = {"any": 0, "farmer": 1, "evening": 2}  # door_priority: the fewer chances, the more
PER_DOOR_S = 0.01
#: Another way to plan one group's scenario in its budget (bench.campaign's greedy peer).
Planner = Callable[[Scenario, float], Plan]
COME_BACK_BEFORE = timedelta(minutes=15)
COME_BACK_AFTER = timedelta(minutes=60)


@dataclass(frozen=True)
class Door:
    id: str
    group: str  # hamlet code
    location: LatLon
    minutes: int
    skills: frozenset[str]
    at_home: str = "any"
    avoid_part: str | None = None  # the part of the day of the last "nobody home"
    come_back_at: datetime | None = None
    priority: int = 1


@dataclass(frozen=True)
class Walker:
    id: str
    group: str  # the hamlet of the volunteer's team
    location: LatLon
    skills: frozenset[str]
    shifts: tuple[Interval, ...]
    busy: tuple[tuple[datetime, datetime, LatLon], ...] = ()  # residents' visits that day


@dataclass(frozen=True)
class Stop:
    door: str
    walker: str
    order: int  # 1, 2, ... through the walker's day
    start: datetime
    end: datetime


@dataclass
class DayPlan:
    stops: list[Stop]
    unplanned: list[str]
    scenarios: list[tuple[Scenario, Plan]]  # per group, for checking
    wall_s: float


def door_priority(needs: bool, misses: int, at_home: str, rare_language: bool = False) -> int:
    """The households that never ask (no smartphone, elderly) first; a household missed before
    ahead of a first try, so misses are not pushed to the last day; and the scarcer a
    household's chances, the earlier: home only in the evening (one part of the day), then
    farmers (two short ones), and one needing a language few volunteers speak, ahead of one
    home all day, which fits any later list. Days are planned one at a time: without this the
    all-day households take the few evening and Khmer-speaking slots the others can only use,
    and on the last day those others find no list left (bench.campaign)."""
    return 1 + int(needs) + misses + NARROWNESS.get(at_home, 0) + int(rare_language)


def part_of(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ).time()
    return next(name for name, (a, b) in PARTS.items() if a <= local < b or name == "evening")


def cut_out(pieces: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    out = []
    for piece in pieces:
        if end <= piece.start or start >= piece.end:
            out.append(piece)
            continue
        if piece.start < start:
            out.append(Interval(piece.start, start))
        if end < piece.end:
            out.append(Interval(end, piece.end))
    return out


def door_windows(door: Door, day: date) -> tuple[Interval, ...]:
    if door.come_back_at is not None:
        if door.come_back_at.astimezone(LOCAL_TZ).date() != day:
            return ()
        return (
            Interval(door.come_back_at - COME_BACK_BEFORE, door.come_back_at + COME_BACK_AFTER),
        )
    habit = HABITS.get(door.at_home, HABITS["any"])
    windows = [Interval(local_to_utc(day, a), local_to_utc(day, b)) for a, b in habit]
    if door.avoid_part in PARTS:
        a, b = PARTS[door.avoid_part]
        other = cut_out(windows, local_to_utc(day, a), local_to_utc(day, b))
        # A household home at one part of the day only is tried there again: nothing better.
        windows = other or windows
    return tuple(windows)


def free_shifts(walker: Walker, earliest: datetime | None = None) -> tuple[Interval, ...]:
    """The walker's shifts minus residents' visits, each with the way there and back home."""
    pieces = list(walker.shifts)
    for start, end, where in walker.busy:
        way = timedelta(seconds=travel_seconds(TRAVEL, walker.location, where) + 1)
        pieces = cut_out(pieces, start - way, end + way)
    if earliest is not None:
        pieces = cut_out(pieces, min(p.start for p in pieces) if pieces else earliest, earliest)
    return tuple(p for p in pieces if p.end - p.start >= timedelta(minutes=10))


def _centre(points: list[LatLon]) -> LatLon:
    return LatLon(
        sum(p.lat for p in points) / len(points), sum(p.lon for p in points) / len(points)
    )


def _groups(doors: list[Door], walkers: list[Walker]) -> dict[str, tuple[list[Door], list[Walker]]]:
    """Doors and walkers by hamlet. A hamlet's doors with no team there go to the nearest
    team; a team whose hamlet has no doors helps the nearest hamlet that has some."""
    groups: dict[str, tuple[list[Door], list[Walker]]] = defaultdict(lambda: ([], []))
    for door in doors:
        groups[door.group][0].append(door)
    for walker in walkers:
        groups[walker.group][1].append(walker)
    with_walkers = {g: _centre([w.location for w in ws]) for g, (_d, ws) in groups.items() if ws}
    for group_doors, group_walkers in list(groups.values()):
        if group_doors and not group_walkers and with_walkers:
            here = _centre([d.location for d in group_doors])
            groups[_nearest(with_walkers, here)][0].extend(group_doors)
            group_doors.clear()
    # Only after the doors moved: a team must not join a hamlet whose doors went elsewhere.
    with_doors = {g: _centre([d.location for d in ds]) for g, (ds, _w) in groups.items() if ds}
    for group_doors, group_walkers in list(groups.values()):
        if group_walkers and not group_doors and with_doors:
            here = _centre([w.location for w in group_walkers])
            groups[_nearest(with_doors, here)][1].extend(group_walkers)
            group_walkers.clear()
    return {g: pair for g, pair in groups.items() if pair[0] and pair[1]}


def _nearest(centres: dict[str, LatLon], here: LatLon) -> str:
    return min(centres, key=lambda g: great_circle_km(centres[g], here))


def plan_day(
    name: str,
    day: date,
    doors: list[Door],
    walkers: list[Walker],
    *,
    time_limit_s: float = 20.0,
    earliest: datetime | None = None,
    seed: int = 0,
    planner: Planner | None = None,
) -> DayPlan:
    """Walk lists for one day: every door in at most one list, inside free shift time."""
    began = clock.perf_counter()
    stops: list[Stop] = []
    unplanned: list[str] = []
    checked: list[tuple[Scenario, Plan]] = []
    grouped = _groups(doors, walkers)
    placed = {d.id for ds, _w in grouped.values() for d in ds}
    unplanned += [d.id for d in doors if d.id not in placed]
    total = sum(len(ds) for ds, _w in grouped.values()) or 1
    for group, (group_doors, group_walkers) in sorted(grouped.items()):
        requests = []
        for door in group_doors:
            windows = door_windows(door, day)
            if not windows:
                unplanned.append(door.id)
                continue
            requests.append(Request(door.id, door.location, door.skills, door.minutes, windows,
                                    priority=max(1, min(100, door.priority))))  # fmt: skip
        volunteers = []
        for walker in group_walkers:
            shifts = free_shifts(walker, earliest)
            if shifts:
                volunteers.append(Volunteer(walker.id, walker.location, walker.skills, shifts))
        scenario = Scenario(f"{name} {group}", TRAVEL, tuple(volunteers), tuple(requests),
                            timezone="Asia/Ho_Chi_Minh")  # fmt: skip
        if not requests or not volunteers:
            unplanned += [r.id for r in requests]
            continue
        # The day's budget shared by size; a hamlet's day needs no more than ~0.01 s a door
        # (bench.campaign: longer searches add no doors once every list is full).
        budget = max(0.2, min(time_limit_s * len(group_doors) / total, PER_DOOR_S * len(requests)))
        if planner is None:
            # A short search can stop with room left: the households it left out go where they
            # still fit (scheduler.insertion).
            plan = insert_left_out(scenario, solve(scenario, time_limit_s=budget, seed=seed))
        else:
            plan = planner(scenario, budget)
        checked.append((scenario, plan))
        unplanned += [u.request for u in plan.unassigned]
        by_walker: dict[str, list[tuple[datetime, datetime, str]]] = defaultdict(list)
        for route in plan.routes:
            by_walker[route.volunteer] += [(v.start, v.end, v.request) for v in route.visits]
        for walker_id, visits in by_walker.items():
            for order, (start, end, door_id) in enumerate(sorted(visits), start=1):
                stops.append(Stop(door_id, walker_id, order, start, end))
    return DayPlan(stops, unplanned, checked, clock.perf_counter() - began)
