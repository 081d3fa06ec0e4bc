"""Re-optimising a plan one time block at a time (large neighbourhood search by decomposition).

Shifts that overlap in time form a block (on commune days: each morning, afternoon and evening).
After a search over the whole component, each block is searched again on its own: its shifts,
the requests they serve, and the requests still left out that one of its shifts could take;
every other visit stays where it is. A block's model is a fraction of the whole, so local
search runs several times faster on it, and starting from the current routes it can only keep
or improve the plan (the search returns the best solution seen, the start included).
"""

from __future__ import annotations

import time

from scheduler.model import build_model
from scheduler.problem import Problem
from scheduler.search import run

# Below this a block search finds nothing worth the model building.
MIN_BLOCK_S = 0.01


def time_blocks(problem: Problem, vehicles: list[int]) -> list[list[int]]:
    """``vehicles`` grouped into blocks of shifts that overlap in time, in time order."""
    blocks: list[list[int]] = []
    block_end = -1
    for k in sorted(vehicles, key=lambda k: (problem.vehicles[k].start, k)):
        shift = problem.vehicles[k]
        if blocks and shift.start < block_end:
            blocks[-1].append(k)
            block_end = max(block_end, shift.end)
        else:
            blocks.append([k])
            block_end = shift.end
    return blocks


def improve_by_blocks(
    problem: Problem,
    requests: list[int],
    routes: dict[int, list[int]],
    deadline: float,
    *,
    seed: int,
    planned: dict[int, int],
    fairness: float,
) -> dict[int, list[int]]:
    """Search each time block of ``routes`` (vehicle -> requests) again until ``deadline``
    (``time.perf_counter()``), sharing the time by block size. Returns the improved routes."""
    blocks = time_blocks(problem, list(routes))
    if len(blocks) < 2:
        return routes
    routed = {r for route in routes.values() for r in route}
    left_out = [r for r in requests if r not in routed]
    work: list[tuple[list[int], list[int]]] = []
    for block in blocks:
        members = set(block)
        inside = [r for k in block for r in routes[k]]
        could = [r for r in left_out if members.intersection(problem.allowed[r])]
        if inside or could:
            work.append((block, sorted(inside + could)))
    improved = dict(routes)
    taken: set[int] = set()  # left-out requests that an earlier block took
    for i, (block, candidates) in enumerate(work):
        block_requests = [r for r in candidates if r not in taken]
        if not block_requests:
            continue
        model = build_model(problem, block_requests, block, previous=planned, fairness=fairness)
        start = [improved[k] for k in block]
        remaining = sum(len(rs) for _, rs in work[i:])
        budget = (deadline - time.perf_counter()) * len(block_requests) / remaining
        if budget < MIN_BLOCK_S:
            break
        outcome = run(model, budget, seed=seed, start=start)
        if outcome.routes is not None and outcome.warm:
            improved.update(zip(block, outcome.routes, strict=True))
            taken.update(r for route in outcome.routes for r in route)
    return improved
