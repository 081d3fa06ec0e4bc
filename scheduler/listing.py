"""Every route each volunteer shift can drive over its requests (for ``scheduler.exact``).

Volunteers on commune days take a handful of visits a shift, so all the routes a shift can
drive can be listed: a depth-first walk over its requests in every order, kept while each
visit starts inside a window (as ``scheduler.timetable.earliest_starts`` times it) and the
volunteer is home by the shift's end, within the visit limit and capacity; of the orders of
one set of requests only the one of least travel is kept.
"""

from __future__ import annotations

import time
from typing import NamedTuple

from scheduler.problem import Problem

# Only shifts of at most this many visits are listed (the visit limit, or what the capacity
# allows): longer routes have too many orders to list in time.
MAX_VISITS = 5
# The listing gives up beyond this many partial routes (orders) in all.
MAX_LABELS = 300_000


class Column(NamedTuple):  # thousands per shift: a named tuple is quick to make
    vehicle: int
    route: tuple[int, ...]  # problem request indexes, in visit order
    travel: int  # ticks


class _GiveUp(Exception):
    pass


def _visit_limit(problem: Problem, vehicle: int, candidates: list[int]) -> int:
    volunteer = problem.scenario.volunteers[problem.vehicles[vehicle].volunteer]
    limit = len(candidates)
    if volunteer.max_visits_per_shift is not None:
        limit = min(limit, volunteer.max_visits_per_shift)
    if volunteer.capacity is not None and candidates:
        smallest = min(problem.scenario.requests[r].demand for r in candidates)
        if smallest > 0:
            limit = min(limit, int(volunteer.capacity / smallest + 1e-9))
    return limit


def _shift_routes(
    problem: Problem,
    vehicle: int,
    candidates: list[int],
    limit: int,
    labels: list[int],
    labels_until: float,
) -> list[Column]:
    """Every feasible route of ``vehicle`` over ``candidates``, least travel per set."""
    shift = problem.vehicles[vehicle]
    end = shift.end
    shift_capacity = problem.scenario.volunteers[shift.volunteer].capacity
    requests = problem.scenario.requests
    demand = [requests[r].demand for r in candidates]
    nodes = [*candidates, problem.home(shift.volunteer)]
    travel = problem.travel[nodes][:, nodes].tolist()
    back = [row[-1] for row in travel]
    service = [problem.service[r] for r in candidates]
    # A locked visit starts at its time: a window of one instant.
    windows = [
        [(lock.start, lock.start)] if (lock := problem.locks.get(r)) else problem.starts[r]
        for r in candidates
    ]
    single = [w[0] if len(w) == 1 else None for w in windows]
    latest = [w[-1][1] for w in windows]
    n = len(candidates)
    # Who can follow whom at all (still in time and home by the end): most pairs cannot, and
    # the walk looks only at those that can. The earliest a visit can end takes the shortest
    # leg into it, not the leg from home: travel need not obey the triangle inequality.
    done_first = [
        max(shift.start + min(travel[x][i] for x in range(n + 1) if x != i), windows[i][0][0])
        + service[i]
        for i in range(n)
    ]
    follows = [
        [
            j
            for j in range(n)
            if j != i
            and done_first[i] + travel[i][j] <= latest[j]
            and max(done_first[i] + travel[i][j], windows[j][0][0]) + service[j] + back[j] <= end
        ]
        for i in range(n)
    ]
    follows.append(list(range(n)))  # from home
    best: dict[int, tuple[int, tuple[int, ...]]] = {}

    def extend(
        order: tuple[int, ...], mask: int, place: int, clock: int, load: float, km: int
    ) -> None:
        row = travel[place]
        deeper = len(order) + 1 < limit
        for i in follows[place]:
            arrive = clock + row[i]
            if arrive > latest[i] or mask >> i & 1:
                continue
            window = single[i]
            if window is not None:
                begin = arrive if arrive > window[0] else window[0]
            else:
                begin = next(max(arrive, lo) for lo, hi in windows[i] if hi >= arrive)
            done = begin + service[i]
            if done + back[i] > end:
                continue
            weight = load + demand[i]
            if shift_capacity is not None and weight > shift_capacity + 1e-9:
                continue
            labels[0] += 1
            if labels[0] > MAX_LABELS or (
                labels[0] % 4096 == 0 and time.perf_counter() > labels_until
            ):
                raise _GiveUp
            longer = (*order, i)
            key = mask | 1 << i
            total = km + row[i] + back[i]
            known = best.get(key)
            if known is None or total < known[0]:
                best[key] = (total, longer)
            if deeper:
                extend(longer, key, i, done, weight, km + row[i])

    extend((), 0, n, shift.start, 0.0, 0)
    return [
        Column(vehicle, tuple(candidates[i] for i in order), total)
        for total, order in best.values()
    ]


def list_routes(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    deadline: float,
    candidates: dict[int, list[int]] | None = None,
) -> list[Column] | None:
    """Every feasible route of every shift over ``requests`` (over its ``candidates`` only,
    when given); None when a shift may take more than ``MAX_VISITS`` visits, or the listing
    runs past ``MAX_LABELS`` or ``deadline``."""
    chosen = set(vehicles)
    by_vehicle: dict[int, list[int]] = {k: [] for k in vehicles}
    for r in requests:
        for k in problem.allowed[r]:
            if k in chosen:
                by_vehicle[k].append(r)
    if candidates is not None:
        wanted = {k: set(candidates.get(k, ())) for k in vehicles}
        by_vehicle = {k: [r for r in rs if r in wanted[k]] for k, rs in by_vehicle.items()}
    limits = {k: _visit_limit(problem, k, rs) for k, rs in by_vehicle.items()}
    # Given candidates keep the orders few (and MAX_LABELS still bounds them).
    if candidates is None and any(limit > MAX_VISITS for limit in limits.values()):
        return None
    columns: list[Column] = []
    labels = [0]
    try:
        for k, among in by_vehicle.items():
            if time.perf_counter() >= deadline:
                return None
            if among and limits[k] > 0:
                columns += _shift_routes(problem, k, among, limits[k], labels, deadline)
    except _GiveUp:
        return None
    return columns
