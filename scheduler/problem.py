"""The scenario as integer data for the routing model: ticks, vehicles, places, domains.

Time is counted in ticks of one second from the earliest shift start (the horizon origin).
Travel is rounded UP to a whole second per leg and visit lengths are rounded up too, so any
timetable that is feasible in ticks is feasible in exact seconds and the plan needs none of the
formats' one-second tolerance. Matrix travel that is already whole seconds (Solomon's arcs
here are multiples of 6 s) stays exact. Whole seconds rather than tenths also keep the cumul
domains small: a window gap (``RemoveInterval``) on a two-day horizon in tenths took 44 ms
to build, 189 of them 8 s; in seconds the whole model of 1,000 requests builds in 1.6 s.

Places are the requests (0..R-1) followed by one home per volunteer (R..R+V-1). A vehicle is
one shift of one volunteer. ``allowed[r]`` lists the vehicles in which request ``r`` fits alone
(skills, room, the window reached from home and back); an empty list means it can never be
served and it stays out of the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from scheduler.travel import EARTH_RADIUS_KM
from scheduler.types import Haversine, LatLon, Location, Matrix, MatrixLoc, Scenario

TICKS_PER_SECOND = 1
# Float noise in given travel (e.g. 0.1 * 3 * 10 = 3.0000000000000004) must not cost a tick.
EPSILON = 1e-6


@dataclass(frozen=True)
class Vehicle:
    volunteer: int  # index into scenario.volunteers
    shift: int  # index into that volunteer's shifts
    start: int  # ticks
    end: int


@dataclass(frozen=True)
class LockAt:
    vehicle: int
    start: int  # ticks


@dataclass
class Problem:
    scenario: Scenario
    origin: datetime
    vehicles: list[Vehicle]
    travel: np.ndarray  # ticks between places, int64, (R+V) x (R+V)
    service: list[int]  # ticks per request
    starts: list[list[tuple[int, int]]]  # allowed start ranges per request, sorted, disjoint
    allowed: list[list[int]]  # vehicles per request
    locks: dict[int, LockAt] = field(default_factory=dict)  # request index -> fixed visit

    @property
    def request_count(self) -> int:
        return len(self.scenario.requests)

    def home(self, volunteer: int) -> int:
        return self.request_count + volunteer

    def to_ticks(self, moment: datetime, rounding: str = "nearest") -> int:
        """Ticks after the origin; "up" for earliest bounds, "down" for latest bounds."""
        exact = (moment - self.origin).total_seconds() * TICKS_PER_SECOND
        if rounding == "up":
            return math.ceil(exact - EPSILON)
        if rounding == "down":
            return math.floor(exact + EPSILON)
        return round(exact)

    def to_datetime(self, ticks: int) -> datetime:
        return self.origin + timedelta(seconds=ticks // TICKS_PER_SECOND)


def _ceil_ticks(seconds: float) -> int:
    return math.ceil(seconds * TICKS_PER_SECOND - EPSILON)


def _travel_ticks(scenario: Scenario, places: list[Location]) -> np.ndarray:
    travel = scenario.travel
    if isinstance(travel, Matrix):
        index = [p.loc if isinstance(p, MatrixLoc) else 0 for p in places]
        seconds = np.asarray(travel.seconds, dtype=np.float64)[np.ix_(index, index)]
    elif isinstance(travel, Haversine):
        lat = np.radians([p.lat if isinstance(p, LatLon) else 0.0 for p in places])
        lon = np.radians([p.lon if isinstance(p, LatLon) else 0.0 for p in places])
        h = (
            np.sin((lat[None, :] - lat[:, None]) / 2) ** 2
            + np.cos(lat[:, None])
            * np.cos(lat[None, :])
            * np.sin((lon[None, :] - lon[:, None]) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))
        seconds = km * travel.detour_factor / travel.speed_kmh * 3600.0
    else:  # pragma: no cover - the types allow nothing else
        raise TypeError(f"unknown travel model {travel!r}")
    ticks = np.ceil(seconds * TICKS_PER_SECOND - EPSILON)
    return np.maximum(ticks, 0).astype(np.int64)


def _start_ranges(
    windows: list[tuple[int, int]], service: int, horizon: int
) -> list[tuple[int, int]]:
    """Start ranges that keep the whole visit inside a window, merged and clipped."""
    ranges = sorted(
        (max(0, a), min(horizon, b - service)) for a, b in windows or [(0, horizon + service)]
    )
    merged: list[tuple[int, int]] = []
    for lo, hi in ranges:
        if lo > hi:
            continue
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _fits_alone(problem: Problem, request: int, vehicle: Vehicle) -> bool:
    home = problem.home(vehicle.volunteer)
    out = int(problem.travel[home, request])
    back = int(problem.travel[request, home])
    lo_bound = vehicle.start + out
    hi_bound = vehicle.end - back - problem.service[request]
    return any(max(lo, lo_bound) <= min(hi, hi_bound) for lo, hi in problem.starts[request])


def _allowed(problem: Problem) -> list[list[int]]:
    scenario = problem.scenario
    allowed: list[list[int]] = []
    for r, request in enumerate(scenario.requests):
        fits: list[int] = []
        for k, vehicle in enumerate(problem.vehicles):
            volunteer = scenario.volunteers[vehicle.volunteer]
            if not request.servable_by(volunteer):
                continue
            if volunteer.max_visits_per_shift == 0:
                continue
            if volunteer.capacity is not None and request.demand > volunteer.capacity:
                continue
            if _fits_alone(problem, r, vehicle):
                fits.append(k)
        allowed.append(fits)
    return allowed


def _shift_of_lock(problem: Problem, volunteer: int, start: int, service: int) -> int | None:
    """The vehicle of ``volunteer`` whose shift holds the locked visit (or at least its start)."""
    own = [k for k, v in enumerate(problem.vehicles) if v.volunteer == volunteer]
    for k in own:
        v = problem.vehicles[k]
        if v.start <= start and start + service <= v.end:
            return k
    for k in own:
        v = problem.vehicles[k]
        if v.start <= start <= v.end:
            return k
    return None


def _locks(problem: Problem) -> dict[int, LockAt]:
    """Locked visits fixed to their vehicle and start; a lock that fits no shift is ignored
    (the parser rejects those; the checker would then report the missing locked visit)."""
    scenario = problem.scenario
    request_index = {r.id: i for i, r in enumerate(scenario.requests)}
    volunteer_index = {v.id: i for i, v in enumerate(scenario.volunteers)}
    locks: dict[int, LockAt] = {}
    for lock in scenario.locked:
        r = request_index.get(lock.request)
        v = volunteer_index.get(lock.volunteer)
        if r is None or v is None:
            continue
        start = problem.to_ticks(lock.start)
        k = _shift_of_lock(problem, v, start, problem.service[r])
        if k is not None:
            locks[r] = LockAt(k, start)
            problem.allowed[r] = [k]
    return locks


def build_problem(scenario: Scenario) -> Problem:
    shifts = [s for v in scenario.volunteers for s in v.shifts]
    moments = [s.start for s in shifts] + [lock.start for lock in scenario.locked]
    origin = min(moments) if moments else datetime.now().astimezone()
    places = [r.location for r in scenario.requests] + [v.location for v in scenario.volunteers]
    problem = Problem(
        scenario=scenario,
        origin=origin,
        vehicles=[],
        travel=_travel_ticks(scenario, places),
        service=[_ceil_ticks(r.duration_min * 60.0) for r in scenario.requests],
        starts=[],
        allowed=[],
    )
    problem.vehicles = [
        Vehicle(v, i, problem.to_ticks(s.start, "up"), problem.to_ticks(s.end, "down"))
        for v, volunteer in enumerate(scenario.volunteers)
        for i, s in enumerate(volunteer.shifts)
    ]
    horizon = max((v.end for v in problem.vehicles), default=0)
    problem.starts = [
        _start_ranges(
            [(problem.to_ticks(w.start, "up"), problem.to_ticks(w.end, "down")) for w in r.windows],
            problem.service[i],
            horizon,
        )
        for i, r in enumerate(scenario.requests)
    ]
    problem.allowed = _allowed(problem)
    problem.locks = _locks(problem)
    return problem


# Demands and capacities are counted in whole thousandths: demand rounded up, capacity down,
# so a load the planners accept is within the volunteer's capacity.
LOAD_UNIT = 1000


def demand_units(problem: Problem, request: int) -> int:
    return int(-(-problem.scenario.requests[request].demand * LOAD_UNIT // 1))


def capacity_units(problem: Problem, vehicle: int, total: int) -> int:
    """The shift's capacity in load units; ``total`` (all the demand there is) when it has none."""
    capacity = problem.scenario.volunteers[problem.vehicles[vehicle].volunteer].capacity
    return total if capacity is None else min(total, int(capacity * LOAD_UNIT))


def has_capacity(problem: Problem, vehicles: list[int]) -> bool:
    volunteers = problem.scenario.volunteers
    return any(volunteers[problem.vehicles[k].volunteer].capacity is not None for k in vehicles)


def served_by(
    problem: Problem, requests: list[int], vehicles: list[int]
) -> dict[int, frozenset[int]]:
    """Per vehicle of ``vehicles``, the positions in ``requests`` of the requests it may serve
    (``allowed``), built in one pass over the requests."""
    serves: dict[int, set[int]] = {k: set() for k in vehicles}
    for j, r in enumerate(requests):
        for k in problem.allowed[r]:
            if k in serves:
                serves[k].add(j)
    return {k: frozenset(js) for k, js in serves.items()}


def components(problem: Problem) -> list[tuple[list[int], list[int]]]:
    """Independent sub-problems: (requests, vehicles) connected through ``allowed``.

    Vehicles only interact through requests they could both serve, so solving each component
    alone is exact (a two-day scenario splits at least by day). Vehicles that can serve
    nothing are left out. Sorted for determinism.
    """
    parent = list(range(len(problem.vehicles)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for vehicles in problem.allowed:
        for k in vehicles[1:]:
            parent[find(k)] = find(vehicles[0])
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for r, vehicles in enumerate(problem.allowed):
        if vehicles:
            groups.setdefault(find(vehicles[0]), ([], []))[0].append(r)
    for k in range(len(problem.vehicles)):
        if find(k) in groups:
            groups[find(k)][1].append(k)
    return sorted(groups.values(), key=lambda g: (g[1][0], g[0][0]))
