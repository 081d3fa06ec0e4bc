"""``bench.campaign``'s result record, the plan checks every peer shares, and the "all at once"
peer: one OR-Tools plan per hamlet over all five days, made up front and kept."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field, replace

from bench.campaign_world import World
from bench.common import timed
from dispatch.campaign_model import (
    TRAVEL,
    Door,
    Stop,
    Walker,
    door_windows,
    free_shifts,
)
from scheduler import check, solve
from scheduler.types import Interval, Request, Scenario, Volunteer

DAY_LIMIT_S = 12.0  # per day's plan: 18 hamlets share it (each takes at most 0.01 s a door)


@dataclass
class Outcome:
    peer: str
    seed: int
    plan_s: float
    twice: int
    unlisted: int
    outside_shift: int
    over_resident: int
    check_problems: int
    best: int  # doors listed by the first plan (every list full, everybody home)
    reached: int
    households: int
    causes: dict[str, int] = field(default_factory=dict)  # why unlisted (bench.campaign_diagnosis)


def stop_faults(stops: list[Stop], walkers: dict[str, Walker]) -> tuple[int, int]:
    """(visits outside the walker's shift, visits too close to a resident's visit)."""
    outside = over = 0
    for stop in stops:
        walker = walkers[stop.walker]
        outside += not any(s.start <= stop.start and stop.end <= s.end for s in walker.shifts)
        for begin, end, _where in walker.busy:
            # Going home between is what free_shifts allows; the resident's slot itself, never.
            over += stop.start < end and begin < stop.end
    return outside, over


def all_at_once(world: World, miss: float) -> Outcome:
    """One plan per hamlet over every day, made up front and kept."""
    groups: dict[str, tuple[list[Door], list[Walker]]] = defaultdict(lambda: ([], []))
    for door in world.doors:
        groups[door.group][0].append(door)
    by_id: dict[str, Walker] = {}  # each volunteer's 5 days as one walker, for the checks
    shifts: dict[str, list[Interval]] = defaultdict(list)
    for day_walkers in world.walkers:
        for walker in day_walkers:
            shifts[walker.id] += list(free_shifts(walker))
            known = by_id.setdefault(walker.id, walker)
            if known is not walker:
                by_id[walker.id] = replace(
                    known, shifts=known.shifts + walker.shifts, busy=known.busy + walker.busy
                )
    for walker in by_id.values():
        groups[walker.group][1].append(walker)
    total = len(world.doors)
    stops: list[Stop] = []
    scenarios = []
    plan_s = 0.0
    for group, (doors, walkers) in sorted(groups.items()):
        requests = tuple(
            Request(
                d.id,
                d.location,
                d.skills,
                d.minutes,
                tuple(w for day in world.days for w in door_windows(d, day)),
                d.priority,
            )
            for d in doors
        )
        volunteers = tuple(
            Volunteer(
                w.id, w.location, w.skills, tuple(sorted(shifts[w.id], key=lambda s: s.start))
            )
            for w in walkers
            if shifts[w.id]
        )
        scenario = Scenario(
            f"all {group}", TRAVEL, volunteers, requests, timezone="Asia/Ho_Chi_Minh"
        )
        budget = DAY_LIMIT_S * len(world.days) * len(doors) / total
        plan, wall = timed(lambda s=scenario, b=budget: solve(s, time_limit_s=b))
        plan_s += wall
        scenarios.append((scenario, plan))
        for route in plan.routes:
            stops += [Stop(v.request, route.volunteer, 0, v.start, v.end) for v in route.visits]
    outside, over = stop_faults(stops, by_id)
    rng = random.Random(world.seed * 7919)
    reached = sum(rng.random() >= miss for _ in stops)
    problems = sum(len(check(s, p)) for s, p in scenarios)
    return Outcome(
        "all at once",
        world.seed,
        plan_s,
        0,
        total - len(stops),
        outside,
        over,
        problems,
        len(stops),
        reached,
        total,
    )
