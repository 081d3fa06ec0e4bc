"""Timetables and travel of routes on a ``Problem`` (whole-second ticks)."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.problem import Problem


def earliest_starts(problem: Problem, vehicle: int, route: list[int]) -> list[int] | None:
    """Earliest start (ticks) of each visit of ``route``, or None if the order is infeasible.

    Starting each visit as early as possible is never worse for the visits after it, so this
    finds a timetable whenever one exists for the order.
    """
    shift = problem.vehicles[vehicle]
    place = problem.home(shift.volunteer)
    clock = shift.start
    starts: list[int] = []
    for r in route:
        arrive = clock + int(problem.travel[place, r])
        lock = problem.locks.get(r)
        if lock is not None:
            begin: int | None = lock.start if arrive <= lock.start else None
        else:
            begin = next((max(arrive, lo) for lo, hi in problem.starts[r] if hi >= arrive), None)
        if begin is None:
            return None
        starts.append(begin)
        clock = begin + problem.service[r]
        place = r
    if route and clock + int(problem.travel[place, problem.home(shift.volunteer)]) > shift.end:
        return None
    return starts


def route_travel(problem: Problem, vehicle: int, route: list[int]) -> int:
    """Ticks of travel from the volunteer's home through ``route`` and back."""
    if not route:
        return 0
    home = problem.home(problem.vehicles[vehicle].volunteer)
    stops = [home, *route, home]
    return int(sum(problem.travel[a, b] for a, b in zip(stops, stops[1:], strict=False)))


def score(problem: Problem, routes: Iterable[tuple[int, list[int]]]) -> tuple[int, int]:
    """(assigned priority, minus travel) of (vehicle, route) pairs: larger is better."""
    requests = problem.scenario.requests
    priority = travel = 0
    for vehicle, route in routes:
        priority += sum(requests[r].priority for r in route)
        travel += route_travel(problem, vehicle, route)
    return priority, -travel
