"""A generated commune for ``bench.campaign``: hamlets with a team each, households, shifts and
the residents' visits already on the volunteers' days. Seeded, so every peer plans the same."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from dispatch.campaign_items import DEFAULT_CHECKLIST, door_minutes, door_skills
from dispatch.campaign_model import Door, Walker, door_priority
from dispatch.clock import local_to_utc
from scheduler.types import Interval, LatLon

FIRST_DAY = date(2026, 12, 7)  # a Monday
CENTRE = LatLon(9.70, 104.97)
# Volunteers give one block a day on most days (3 hours, as the teams do after work).
BLOCKS = ((time(7, 0), time(10, 0)), (time(13, 30), time(16, 30)), (time(17, 0), time(20, 0)))
RESIDENT_VISIT = timedelta(minutes=45)


@dataclass
class World:
    seed: int
    days: list[date]
    doors: list[Door]  # first tries: no "nobody home" yet
    walkers: list[list[Walker]]  # per day


def _at(origin: LatLon, north_km: float, east_km: float) -> LatLon:
    lat = origin.lat + north_km / 111.2
    lon = origin.lon + east_km / (111.2 * math.cos(math.radians(origin.lat)))
    return LatLon(round(lat, 6), round(lon, 6))


def _near(rng: random.Random, origin: LatLon, km: float) -> LatLon:
    return _at(origin, rng.uniform(-km, km), rng.uniform(-km, km))


def make_world(
    seed: int,
    households: int = 1500,
    teams: int = 18,
    team_size: int = 8,
    days: int = 5,
    work_days: int = 5,
) -> World:
    rng = random.Random(seed)
    the_days = [FIRST_DAY + timedelta(days=n) for n in range(days)]
    hamlets = []
    for index in range(teams):  # hamlets along canals, 1-7 km from the commune centre
        angle, radius = 2 * math.pi * index / teams, rng.uniform(1.0, 7.0)
        hamlets.append(
            (f"H{index:02d}", _at(CENTRE, radius * math.sin(angle), radius * math.cos(angle)))
        )
    weights = [rng.uniform(0.6, 1.4) for _ in hamlets]
    checklist = list(DEFAULT_CHECKLIST)
    doors = []
    for n in range(households):
        code, centre = rng.choices(hamlets, weights)[0]
        khmer, elderly = rng.random() < 0.10, rng.random() < 0.25
        habit = rng.choices(("any", "farmer", "evening"), (0.45, 0.35, 0.20))[0]
        doors.append(
            Door(
                id=f"h{n}",
                group=code,
                location=_near(rng, centre, 0.6),
                minutes=door_minutes(checklist, elderly),
                skills=door_skills(checklist, khmer),
                at_home=habit,
                priority=door_priority(elderly, 0, habit),
            )
        )
    people = []
    for code, centre in hamlets:
        for slot in range(team_size + rng.choice((-1, 0, 0, 1))):
            skills = frozenset({"vneid", "lang:km"} if slot < 2 else {"vneid"})
            people.append((f"v{len(people)}", code, _near(rng, centre, 0.4), skills))
    walkers: list[list[Walker]] = [[] for _ in the_days]
    for vid, code, home, skills in people:
        for index in sorted(rng.sample(range(days), min(work_days, days))):
            day = the_days[index]
            start, end = rng.choice(BLOCKS)
            shift = Interval(local_to_utc(day, start), local_to_utc(day, end))
            busy = []
            for _ in range(rng.choice((0, 0, 1, 1, 2))):  # residents' own requests, planned before
                slots = int((shift.end - shift.start - RESIDENT_VISIT) / timedelta(minutes=15))
                begin = shift.start + timedelta(minutes=15 * rng.randint(0, slots))
                if all(
                    begin >= b + RESIDENT_VISIT or begin + RESIDENT_VISIT <= a for a, b, _w in busy
                ):
                    busy.append((begin, begin + RESIDENT_VISIT, _near(rng, CENTRE, 4.0)))
            walkers[index].append(Walker(vid, code, home, skills, (shift,), tuple(busy)))
    return World(seed, the_days, doors, walkers)
