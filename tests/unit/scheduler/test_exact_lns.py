"""The exact large neighbourhood search (``scheduler.exact_lns``): never worse, always
feasible, locks kept."""

from __future__ import annotations

import time
from dataclasses import replace

from scheduler.exact_lns import all_listable, improve_exactly
from scheduler.generator import generate
from scheduler.problem import build_problem, components
from scheduler.seed import assignment_start
from scheduler.timetable import earliest_starts, score
from scheduler.types import Lock


def test_neighbourhoods_solved_exactly_only_improve_a_start() -> None:
    day = generate(120, 30, 1, seed=2)
    problem = build_problem(day)
    ((requests, vehicles),) = components(problem)
    start = assignment_start(problem, requests, vehicles, time_limit_s=5.0)
    assert start is not None
    better = improve_exactly(problem, requests, start, time.perf_counter() + 1.0, seed=1)
    assert sorted(better) == sorted(start)
    assert score(problem, better.items()) >= score(problem, start.items())
    served = [r for route in better.values() for r in route]
    assert len(served) == len(set(served))
    for k, route in better.items():
        assert k in vehicles and all(k in problem.allowed[r] for r in route)
        assert earliest_starts(problem, k, route) is not None


def test_a_locked_visit_stays_with_its_volunteer() -> None:
    day = generate(120, 30, 1, seed=2)
    problem = build_problem(day)
    ((requests, vehicles),) = components(problem)
    start = assignment_start(problem, requests, vehicles, time_limit_s=5.0)
    assert start is not None
    k, route = next((k, route) for k, route in start.items() if route)
    when = earliest_starts(problem, k, route)
    assert when is not None
    volunteer = day.volunteers[problem.vehicles[k].volunteer].id
    lock = Lock(day.requests[route[0]].id, volunteer, problem.to_datetime(when[0]))
    locked = build_problem(replace(day, locked=(lock,)))
    ((requests, _),) = components(locked)
    better = improve_exactly(locked, requests, start, time.perf_counter() + 1.0, seed=3)
    assert route[0] in better[k]
    assert earliest_starts(locked, k, better[k]) is not None


def test_shifts_without_a_visit_limit_are_searched_over_few_candidates() -> None:
    # Technicians all day (no visit limit, as TRSP): routes too long to list in full.
    day = generate(80, 15, 1, seed=4)
    day = replace(
        day, volunteers=tuple(replace(v, max_visits_per_shift=None) for v in day.volunteers)
    )
    problem = build_problem(day)
    ((requests, vehicles),) = components(problem)
    assert not all_listable(problem, vehicles)
    start = assignment_start(problem, requests, vehicles, time_limit_s=5.0)
    assert start is not None
    better = improve_exactly(problem, requests, start, time.perf_counter() + 1.0, seed=2)
    assert score(problem, better.items()) >= score(problem, start.items())
    served = [r for route in better.values() for r in route]
    assert len(served) == len(set(served))
    for k, route in better.items():
        assert earliest_starts(problem, k, route) is not None
