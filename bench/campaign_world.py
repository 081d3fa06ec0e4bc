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
# Volunteers give one 3-hour block a day, and sweep when people are home: the early morning
# before the fields (farmers at home until 08:30) or the evening (farmers and those home only
# in the evening), the afternoon for households home all day.
BLOCKS = {
    "morning": (time(6, 30), time(9, 30)),
    "afternoon": (time(13, 30), time(16, 30)),
    "evening": (time(17, 0), time(20, 0)),
}
# Each volunteer's week: two evenings, a morning and an afternoon, the fifth block drawn.
WEEK = ("evening", "evening", "morning", "afternoon")
FIFTH = (("evening", 0.4), ("morning", 0.3), ("afternoon", 0.3))
# Khmer households live together: a few hamlets are mostly Khmer (their teams recruited
# there, half of them Khmer speakers), elsewhere a few households and two speakers a team.
KHMER_HAMLETS, KHMER_SHARE, KHMER_ELSEWHERE = 0.22, 0.35, 0.03  # 4 of 18 hamlets
RESIDENT_VISIT = timedelta(minutes=45)
# Residents' own requests already on a block (a busy week: one block in three has one).
RESIDENT_VISITS = (0, 0, 1)


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
    khmer_share = {code: KHMER_ELSEWHERE for code, _c in hamlets}
    for code, _centre in rng.sample(hamlets, max(1, round(teams * KHMER_HAMLETS))):
        khmer_share[code] = KHMER_SHARE
    checklist = list(DEFAULT_CHECKLIST)
    doors = []
    for n in range(households):
        code, centre = rng.choices(hamlets, weights)[0]
        khmer, elderly = rng.random() < khmer_share[code], rng.random() < 0.25
        habit = rng.choices(("any", "farmer", "evening"), (0.45, 0.35, 0.20))[0]
        doors.append(
            Door(
                id=f"h{n}",
                group=code,
                location=_near(rng, centre, 0.6),
                minutes=door_minutes(checklist, elderly),
                skills=door_skills(checklist, khmer),
                at_home=habit,
                priority=door_priority(elderly, 0, habit, khmer),
            )
        )
    people = []
    mean_weight = sum(weights) / len(weights)
    for (code, centre), weight in zip(hamlets, weights, strict=True):
        size = max(4, round(team_size * weight / mean_weight))  # teams as big as their hamlet
        speakers = max(2, math.ceil(size * khmer_share[code] * 1.5))
        for slot in range(size):
            skills = frozenset({"vneid", "lang:km"} if slot < speakers else {"vneid"})
            people.append((f"v{len(people)}", code, _near(rng, centre, 0.4), skills))
    walkers: list[list[Walker]] = [[] for _ in the_days]
    for vid, code, home, skills in people:
        parts = (list(WEEK) + rng.choices([p for p, _w in FIFTH], [w for _p, w in FIFTH], k=days))[
            :days
        ]
        rng.shuffle(parts)
        for index in sorted(rng.sample(range(days), min(work_days, days))):
            day = the_days[index]
            start, end = BLOCKS[parts[index]]
            shift = Interval(local_to_utc(day, start), local_to_utc(day, end))
            busy = []
            for _ in range(rng.choice(RESIDENT_VISITS)):  # residents' own requests, planned before
                slots = int((shift.end - shift.start - RESIDENT_VISIT) / timedelta(minutes=15))
                begin = shift.start + timedelta(minutes=15 * rng.randint(0, slots))
                if all(
                    begin >= b + RESIDENT_VISIT or begin + RESIDENT_VISIT <= a for a, b, _w in busy
                ):
                    busy.append((begin, begin + RESIDENT_VISIT, _near(rng, CENTRE, 4.0)))
            walkers[index].append(Walker(vid, code, home, skills, (shift,), tuple(busy)))
    return World(seed, the_days, doors, walkers)
