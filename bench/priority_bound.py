"""An upper bound on assigned priority: a relaxation that ignores the order of visits.

Each request goes to at most one volunteer shift that could serve it alone: the volunteer has
its skills, and some window of the request (or the shift, if it has none) leaves room for the
visit after the trip from home and before the trip back, inside the shift. Per shift, the
visits fit ``max_visits_per_shift`` and ``capacity``, and the time they take fits the shift:
each visit costs its length plus the shortest leg that can lead into it (from the volunteer's
home or any other request), because every visit is entered by some leg. Routes, waiting and
the exact order are ignored, so every feasible plan is feasible here and the relaxation's
optimum bounds every plan's assigned priority.

Two solvers bound the relaxation; the smaller bound is reported. CP-SAT proves the integer
optimum on small days within seconds; on 1,000 requests (65k pairs) it does not get through
presolve in a useful time, so the LP relaxation (GLOP, rounded down) is the bound there.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.travel import travel_seconds
from scheduler.types import Interval, Request, Scenario

CP_SAT_PAIRS = 40_000  # above this, CP-SAT stalls in presolve; the LP bound is used alone


@dataclass(frozen=True)
class Bound:
    value: int  # proven upper bound on assigned priority
    source: str  # "cp-sat optimal", "cp-sat bound" or "lp"
    wall_s: float


@dataclass(frozen=True)
class Pair:
    request: int  # index into scenario.requests
    shift: int  # index into the flat list of (volunteer, shift)
    minutes: int  # visit length + shortest leg in, floored (keeps it a relaxation)


@dataclass(frozen=True)
class ShiftRoom:
    minutes: int
    max_visits: int | None
    capacity: float | None


def _fits_alone(request: Request, shift: Interval, out_s: float, back_s: float) -> bool:
    """Could this one visit be done in this shift, counting the trips from and to home?"""
    earliest = shift.start + timedelta(seconds=out_s)
    latest_end = shift.end - timedelta(seconds=back_s)
    length = timedelta(minutes=request.duration_min)
    for window in request.windows or (Interval(earliest, latest_end),):
        start: datetime = max(window.start, earliest)
        if start + length <= min(window.end, latest_end):
            return True
    return False


def _shortest_leg_in(scenario: Scenario) -> list[float]:
    """Per request, the shortest trip into it from any other request."""
    places = [r.location for r in scenario.requests]
    return [
        min(
            (
                travel_seconds(scenario.travel, there, here)
                for j, there in enumerate(places)
                if j != i
            ),
            default=math.inf,
        )
        for i, here in enumerate(places)
    ]


def relaxation(scenario: Scenario) -> tuple[list[Pair], list[ShiftRoom]]:
    leg_in = _shortest_leg_in(scenario)
    pairs: list[Pair] = []
    rooms: list[ShiftRoom] = []
    for volunteer in scenario.volunteers:
        for shift in volunteer.shifts:
            s = len(rooms)
            length = int((shift.end - shift.start).total_seconds()) // 60
            rooms.append(ShiftRoom(length, volunteer.max_visits_per_shift, volunteer.capacity))
            for r, request in enumerate(scenario.requests):
                if not request.skills <= volunteer.skills:
                    continue
                out_s = travel_seconds(scenario.travel, volunteer.location, request.location)
                back_s = travel_seconds(scenario.travel, request.location, volunteer.location)
                if _fits_alone(request, shift, out_s, back_s):
                    used = request.duration_min * 60 + min(out_s, leg_in[r])
                    pairs.append(Pair(r, s, int(used) // 60))
    return pairs, rooms


def _rows(
    pairs: list[Pair], rooms: list[ShiftRoom], requests: int
) -> tuple[list[list[int]], list[list[int]]]:
    by_request: list[list[int]] = [[] for _ in range(requests)]
    by_shift: list[list[int]] = [[] for _ in rooms]
    for k, pair in enumerate(pairs):
        by_request[pair.request].append(k)
        by_shift[pair.shift].append(k)
    return by_request, by_shift


def lp_bound(scenario: Scenario, pairs: list[Pair], rooms: list[ShiftRoom]) -> int:
    lp = pywraplp.Solver.CreateSolver("GLOP")
    x = [lp.NumVar(0.0, 1.0, "") for _ in pairs]
    by_request, by_shift = _rows(pairs, rooms, len(scenario.requests))
    for ks in by_request:
        lp.Add(sum(x[k] for k in ks) <= 1)
    for room, ks in zip(rooms, by_shift, strict=True):
        if not ks:
            continue
        lp.Add(sum(pairs[k].minutes * x[k] for k in ks) <= room.minutes)
        if room.max_visits is not None:
            lp.Add(sum(x[k] for k in ks) <= room.max_visits)
        if room.capacity is not None:
            demand = [scenario.requests[pairs[k].request].demand for k in ks]
            lp.Add(sum(d * x[k] for d, k in zip(demand, ks, strict=True)) <= room.capacity)
    lp.Maximize(sum(scenario.requests[p.request].priority * x[k] for k, p in enumerate(pairs)))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return sum(r.priority for r in scenario.requests)
    return math.floor(lp.Objective().Value() + 1e-6)


def cp_sat_bound(
    scenario: Scenario, pairs: list[Pair], rooms: list[ShiftRoom], time_limit_s: float
) -> tuple[int, bool] | None:
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in pairs]
    by_request, by_shift = _rows(pairs, rooms, len(scenario.requests))
    for ks in by_request:
        if len(ks) > 1:
            model.add_at_most_one(x[k] for k in ks)
    for room, ks in zip(rooms, by_shift, strict=True):
        if not ks:
            continue
        model.add(sum(pairs[k].minutes * x[k] for k in ks) <= room.minutes)
        if room.max_visits is not None:
            model.add(sum(x[k] for k in ks) <= room.max_visits)
        if room.capacity is not None:
            # Hundredths keep CP-SAT integral; demands rounded down, capacity too: a relaxation.
            demand = [int(scenario.requests[pairs[k].request].demand * 100) for k in ks]
            model.add(
                sum(d * x[k] for d, k in zip(demand, ks, strict=True)) <= int(room.capacity * 100)
            )
    model.maximize(sum(scenario.requests[p.request].priority * x[k] for k, p in enumerate(pairs)))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 1  # the benchmark machine is shared
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return math.floor(solver.best_objective_bound + 1e-6), status == cp_model.OPTIMAL


def priority_bound(scenario: Scenario, *, time_limit_s: float = 20.0) -> Bound:
    started = time.perf_counter()
    pairs, rooms = relaxation(scenario)
    best = lp_bound(scenario, pairs, rooms)
    source = "lp"
    found = (
        cp_sat_bound(scenario, pairs, rooms, time_limit_s) if len(pairs) <= CP_SAT_PAIRS else None
    )
    if found is not None and found[0] <= best:
        best, source = found[0], "cp-sat optimal" if found[1] else "cp-sat bound"
    return Bound(best, source, time.perf_counter() - started)
