"""Why a household is on no list after ``bench.campaign``'s first 5-day plan, one cause each:

- **no time in its windows**: no volunteer of its hamlet's team has free shift time (around
  residents' visits, with the way there and back) that holds the visit in one of its windows,
  on any of the days, whatever the language;
- **no speaker in its windows**: there is such time, but never a volunteer speaking its language;
- **capacity used up**: some volunteer could have made the visit alone, but on every day each
  such volunteer's list is full (it does not fit anywhere in the final lists);
- **left out with room**: it still fits into some list of some day as planned (a planner
  weakness).

The first two make a household infeasible in the world: no planner can list it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from bench.campaign_world import World
from dispatch.campaign_model import TRAVEL, DayPlan, Door, door_windows, free_shifts
from scheduler.insertion import insert_left_out
from scheduler.reasons import can_ever_serve
from scheduler.types import Plan, Request, Scenario, Unassigned, Volunteer

NO_TIME = "no time in its windows"
NO_SPEAKER = "no speaker in its windows"
FULL = "capacity used up"
LEFT_OUT = "left out with room"
CAUSES = (NO_TIME, NO_SPEAKER, FULL, LEFT_OUT)


def _reachable(world: World, door: Door, skills: frozenset[str]) -> bool:
    for index, day in enumerate(world.days):
        windows = door_windows(door, day)
        if not windows:
            continue
        request = Request(door.id, door.location, skills, door.minutes, windows)
        for walker in world.walkers[index]:
            shifts = free_shifts(walker)
            if walker.group != door.group or not shifts:
                continue
            volunteer = Volunteer(walker.id, walker.location, walker.skills, shifts)
            scenario = Scenario("reach", TRAVEL, (volunteer,), (request,))
            if can_ever_serve(scenario, volunteer, request):
                return True
    return False


def infeasible(world: World) -> dict[str, str]:
    """Households no volunteer's shift and language can ever reach, with the cause."""
    out = {}
    for door in world.doors:
        if not _reachable(world, door, door.skills):
            plain = frozenset(s for s in door.skills if not s.startswith("lang:"))
            out[door.id] = NO_SPEAKER if _reachable(world, door, plain) else NO_TIME
    return out


def _fits(scenario: Scenario, plan: Plan, door_id: str) -> bool:
    trial = replace(plan, unassigned=(Unassigned(door_id, ""),))
    return insert_left_out(scenario, trial).solver.get("inserted", 0) > 0


def causes(world: World, lists: dict[int, DayPlan], listed: set[str]) -> Counter[str]:
    """The cause of every household on no list (see the module docstring)."""
    never = infeasible(world)
    counts: Counter[str] = Counter()
    for door in world.doors:
        if door.id in listed:
            continue
        if door.id in never:
            counts[never[door.id]] += 1
            continue
        room = any(
            _fits(scenario, plan, door.id)
            for day_plan in lists.values()
            for scenario, plan in day_plan.scenarios
            if any(r.id == door.id for r in scenario.requests)
        )
        counts[LEFT_OUT if room else FULL] += 1
    return counts
