"""Synthetic commune days in An Giang, for benchmarks and tests (pure, deterministic by seed).

A commune centre with canals radiating from it; hamlets strung along the canals; homes along
the canal banks near each hamlet. Volunteers come in teams of about eight, each team living
around one hamlet, with 2-5 skills from the help catalogue and, in Khmer hamlets more often,
``lang:km``. Shifts are parts of the day (morning, afternoon, evening); residents give one or
two parts of a day, a narrower slot, or no window at all (any time). Visit length follows the
kind of help; most priorities are 1, elderly and urgent requests are higher.

``python -m scheduler.generator --requests 300 --volunteers 90 --days 2 -o day.json``
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from scheduler.types import Haversine, Interval, LatLon, Request, Scenario, Volunteer

ICT = timezone(timedelta(hours=7))
FIRST_DAY = date(2026, 11, 30)
SPEED_KMH = 18.0
DETOUR_FACTOR = 1.4
KM_PER_DEG_LAT = 111.2

# Help kinds: minutes per visit and how often residents ask for each (weights).
VISIT_MINUTES: dict[str, int] = {
    "vneid": 30,
    "public_services": 40,
    "civil_registration": 45,
    "e_payment": 25,
    "online_selling": 45,
    "health_insurance": 30,
    "cyber_safety": 20,
    "smartphone_basics": 20,
}
KIND_WEIGHTS: dict[str, float] = {
    "vneid": 0.24,
    "public_services": 0.14,
    "civil_registration": 0.08,
    "e_payment": 0.14,
    "online_selling": 0.07,
    "health_insurance": 0.11,
    "cyber_safety": 0.08,
    "smartphone_basics": 0.14,
}
KHMER = "lang:km"

# Parts of the day (local time): volunteers' shifts and residents' preferred windows.
PARTS: dict[str, tuple[time, time]] = {
    "morning": (time(7, 0), time(11, 0)),
    "afternoon": (time(13, 30), time(17, 30)),
    "evening": (time(18, 0), time(21, 0)),
}
SHIFT_WEIGHTS = {"morning": 0.36, "afternoon": 0.36, "evening": 0.28}
WINDOW_WEIGHTS = {"morning": 0.38, "afternoon": 0.34, "evening": 0.28}

# Priorities: most requests are ordinary; elderly residents and urgent papers rank higher.
PRIORITIES = (1, 2, 3, 5)
PRIORITY_SHARES = (0.74, 0.14, 0.08, 0.04)

# Commune centres of An Giang (after the 2025 merger with Kien Giang), lat/lon; inland, far
# enough from the Cambodian border and the sea that 9 km canals stay in the province.
CENTRES: tuple[tuple[str, float, float], ...] = (
    ("tri-ton", 10.418, 104.999),
    ("phu-tan", 10.660, 105.270),
    ("chau-phu", 10.566, 105.178),
    ("thoai-son", 10.303, 105.258),
    ("cho-moi", 10.487, 105.440),
    ("giong-rieng", 9.909, 105.311),
    ("go-quao", 9.735, 105.276),
    ("tan-hiep", 10.110, 105.280),
)


@dataclass(frozen=True)
class Hamlet:
    name: str
    centre: LatLon
    canal_bearing: float  # radians; homes spread along this direction
    khmer_share: float
    weight: float  # relative number of requests


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _offset(origin: LatLon, north_km: float, east_km: float) -> LatLon:
    km_per_deg_lon = KM_PER_DEG_LAT * math.cos(math.radians(origin.lat))
    return LatLon(
        round(origin.lat + north_km / KM_PER_DEG_LAT, 6),
        round(origin.lon + east_km / km_per_deg_lon, 6),
    )


def _hamlets(rng: random.Random, centre: LatLon, count: int, radius_km: float) -> list[Hamlet]:
    """Hamlets along 3-6 canals that leave the centre and bend gently."""
    canals = max(3, min(6, count // 3))
    first = rng.uniform(0, 2 * math.pi)
    hamlets: list[Hamlet] = []
    for i in range(count):
        canal = i % canals
        rank = i // canals + 1  # distance order along the canal
        per_canal = math.ceil(count / canals)
        bearing = first + canal * 2 * math.pi / canals + rng.uniform(-0.25, 0.25)
        along = radius_km * rank / per_canal * rng.uniform(0.85, 1.05)
        bend = 0.08 * rank * (1 if canal % 2 else -1)  # canals curve, hamlets follow
        spot = _offset(centre, along * math.cos(bearing + bend), along * math.sin(bearing + bend))
        khmer = rng.random() < 0.25
        hamlets.append(
            Hamlet(
                name=f"h{i + 1:02d}",
                centre=spot,
                canal_bearing=bearing + bend,
                khmer_share=rng.uniform(0.45, 0.75) if khmer else rng.uniform(0.0, 0.06),
                weight=rng.uniform(0.6, 1.6),
            )
        )
    return hamlets


def _home(rng: random.Random, hamlet: Hamlet) -> LatLon:
    """A house on the canal bank: up to ~1.2 km along the canal, ~150 m off it."""
    along = rng.gauss(0.0, 0.45)
    off = rng.gauss(0.0, 0.08)
    b = hamlet.canal_bearing
    north = along * math.cos(b) - off * math.sin(b)
    east = along * math.sin(b) + off * math.cos(b)
    return _offset(hamlet.centre, north, east)


def _at(day: int, t: time) -> datetime:
    return datetime.combine(FIRST_DAY + timedelta(days=day), t, tzinfo=ICT)


def _part(day: int, part: str) -> Interval:
    start, end = PARTS[part]
    return Interval(_at(day, start), _at(day, end))


def _shifts(rng: random.Random, days: int) -> tuple[Interval, ...]:
    """Mostly one part per working day, sometimes two; a volunteer works at least one day.

    Sizes are set so the shifts hold a little less than every request: who gets served and
    which priorities win is part of the problem, not only travel.
    """
    shifts: list[Interval] = []
    for day in range(days):
        if days > 1 and rng.random() < 0.45:
            continue  # a day off
        parts = {_pick(rng, SHIFT_WEIGHTS)}
        if rng.random() < 0.12:
            parts.add(_pick(rng, SHIFT_WEIGHTS))
        shifts.extend(_part(day, p) for p in PARTS if p in parts)
    if not shifts:
        shifts.append(_part(rng.randrange(days), _pick(rng, SHIFT_WEIGHTS)))
    return tuple(sorted(shifts, key=lambda s: s.start))


def _windows(rng: random.Random, days: int) -> tuple[Interval, ...]:
    """Any time (empty), one part of a day, a two-hour slot, or two parts."""
    roll = rng.random()
    if roll < 0.12:
        return ()
    day = rng.randrange(days)
    part = _pick(rng, WINDOW_WEIGHTS)
    whole = _part(day, part)
    if roll < 0.6:
        return (whole,)
    if roll < 0.75:
        span = (whole.end - whole.start) - timedelta(hours=2)
        slots = int(span / timedelta(minutes=30))
        start = whole.start + timedelta(minutes=30 * rng.randint(0, slots))
        return (Interval(start, start + timedelta(hours=2)),)
    other = _part(rng.randrange(days), _pick(rng, WINDOW_WEIGHTS))
    return tuple(sorted({whole, other}, key=lambda w: w.start))


def _volunteers(
    rng: random.Random, count: int, days: int, hamlets: Sequence[Hamlet]
) -> list[Volunteer]:
    kinds = list(VISIT_MINUTES)
    teams = max(1, round(count / 8))
    volunteers = []
    for i in range(count):
        team = i % teams
        # Teams spread evenly over the hamlets, each living around its own.
        hamlet = hamlets[(team * len(hamlets)) // teams % len(hamlets)]
        picked = rng.sample(kinds, rng.randint(2, 5))
        # VNeID is the most asked-for help, so most teams train most volunteers in it.
        if "vneid" not in picked and rng.random() < 0.5:
            picked[0] = "vneid"
        skills = set(picked)
        if rng.random() < 0.1 + 0.7 * hamlet.khmer_share:
            skills.add(KHMER)
        volunteers.append(
            Volunteer(
                id=f"v{i + 1:03d}",
                location=_home(rng, hamlet),
                skills=frozenset(skills),
                shifts=_shifts(rng, days),
                max_visits_per_shift=rng.choice((2, 3, 3, 3, 4)),
            )
        )
    return volunteers


def _requests(
    rng: random.Random, count: int, days: int, hamlets: Sequence[Hamlet]
) -> list[Request]:
    weights = [h.weight for h in hamlets]
    requests = []
    for i in range(count):
        hamlet = rng.choices(hamlets, weights=weights)[0]
        kind = _pick(rng, KIND_WEIGHTS)
        skills = {kind}
        if rng.random() < hamlet.khmer_share:
            skills.add(KHMER)
        received = _at(0, time(7, 0)) - timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        requests.append(
            Request(
                id=f"r{i + 1:04d}",
                location=_home(rng, hamlet),
                skills=frozenset(skills),
                duration_min=VISIT_MINUTES[kind],
                windows=_windows(rng, days),
                priority=rng.choices(PRIORITIES, weights=PRIORITY_SHARES)[0],
                received_at=received,
            )
        )
    return requests


def generate(requests: int, volunteers: int, days: int = 1, seed: int = 0) -> Scenario:
    """A commune day (or ``days`` days) with ``requests`` requests and ``volunteers`` volunteers."""
    if requests < 0 or volunteers < 1 or days < 1:
        raise ValueError("need requests >= 0, volunteers >= 1, days >= 1")
    rng = random.Random(f"doorstep-commune/{requests}/{volunteers}/{days}/{seed}")
    name, lat, lon = CENTRES[seed % len(CENTRES)]
    # Bigger days cover more ground: about 25 requests per hamlet, canals 4-9 km long.
    hamlet_count = max(6, round(requests / 25))
    radius_km = 2.5 + 1.5 * math.sqrt(max(requests, 1) / 50)
    hamlets = _hamlets(rng, LatLon(lat, lon), hamlet_count, radius_km)
    return Scenario(
        name=f"{name}-{requests}r-{volunteers}v-{days}d-s{seed}",
        travel=Haversine(speed_kmh=SPEED_KMH, detour_factor=DETOUR_FACTOR),
        volunteers=tuple(_volunteers(rng, volunteers, days, hamlets)),
        requests=tuple(_requests(rng, requests, days, hamlets)),
        timezone="Asia/Ho_Chi_Minh",
    )


def main(argv: Sequence[str] | None = None) -> int:
    from scheduler.scenario_writer import scenario_to_dict

    parser = argparse.ArgumentParser(prog="python -m scheduler.generator", description=__doc__)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--volunteers", type=int, default=15)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", help="scenario JSON file (default: stdout)")
    args = parser.parse_args(argv)
    scenario = generate(args.requests, args.volunteers, args.days, args.seed)
    text = json.dumps(scenario_to_dict(scenario), indent=1, ensure_ascii=False) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
