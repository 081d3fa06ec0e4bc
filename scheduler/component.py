"""One independent component (requests and the shifts that can serve them) planned alone.

``plan_component`` is what ``scheduler.solver`` runs per component, in-process or in a worker
process (``scheduler.parallel``). A component of up to ``EXACT_UP_TO`` requests (no previous
plan, no fairness) is first solved exactly (``scheduler.exact``); otherwise, or when that does
not end in time, local search (``scheduler.search``) on its routing model takes over.
``variant`` picks one member of a portfolio: variant 0 is the plain path; the others skip the
exact solve and search with another seed and another kind of search, so that several worker
processes on one component explore differently (``VARIANTS``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from scheduler.blocks import improve_by_blocks, time_blocks
from scheduler.exact import solve_exactly
from scheduler.exact_lns import all_listable, improve_exactly
from scheduler.fill import fill
from scheduler.model import Model, build_model
from scheduler.problem import Problem
from scheduler.pyvrp_search import fits, improve_with_pyvrp
from scheduler.search import FirstSolution, Outcome, run
from scheduler.seed import assignment_start
from scheduler.timetable import score
from scheduler.vroom_start import vroom_routes

# With several time blocks, the share of a component's time for the search over all of it
# (the rest goes to the blocks one by one, scheduler.blocks).
WHOLE_SHARE = 0.5
# At most this share of a component's time goes to the assignment-first start (scheduler.seed).
SEED_SHARE = 0.4
# Below this many seconds per time block, the blocks are not searched again one by one.
MIN_BLOCK_BUDGET_S = 0.1
# Share of a component's time kept for the final swaps (without a previous plan or fairness).
FILL_SHARE = 0.03
# Components up to this many requests are searched from two starts (_from_two_starts).
PORTFOLIO_UP_TO = 100
# Components up to this many requests (with no previous plan or fairness) are solved exactly
# (scheduler.exact) when their routes can be listed within this share of their time: 100
# requests, 30 volunteers take 1-4 s; a 300-request day has too many routes to list.
EXACT_UP_TO = 100
LIST_SHARE = 0.7
# The status of a component solved exactly, with SCIP's proof that no plan is better.
PROVED = "proved optimal"
# When an exact solve ran out of time, its best plan stands if less than this is left.
MIN_SEARCH_S = 0.03
# Share of a component's time for the exact large neighbourhood search (scheduler.exact_lns)
# after the local search, when it applies: over EXACT_UP_TO requests, no previous plan or
# fairness, every shift with a visit limit the listing takes.
LNS_SHARE = 0.4
# Seeds of portfolio members are this far apart.
SEED_STEP = 7919


@dataclass(frozen=True)
class Variant:
    exact: bool  # try the exact solve first (small components)
    assignment: bool  # start from the assignment (scheduler.seed) when it applies
    # VROOM's plan improved by PyVRP's search (``_by_other_engines``) where it applies: no
    # previous plan, fairness or locked visit; otherwise this variant's OR-Tools search.
    other_engines: bool = False


# Variant 0 is the one-core path. Variant 1, the second core's, is VROOM then PyVRP: on the
# TRSP instances at 3 s it travelled 2-5% less than OR-Tools alone and served as many as
# VROOM (bench/RESULTS.md); where it does not apply it searches from the other start, which
# on three 120/30 days at 3 s ended with 3.0% less travel than variant 0 on one, 3.3% and
# 11% more on the others. Variant 2 is variant 0 with another seed (its exact
# neighbourhoods differ); variant 3 the other start with OR-Tools alone.
VARIANTS = (
    Variant(True, True),
    Variant(False, False, other_engines=True),
    Variant(False, True),
    Variant(False, False),
)
# Share of the member's time for VROOM's plan; PyVRP's search has the rest. VROOM runs on as
# many threads as the plan has workers (the other members' cores are shared for that half):
# on the 8 TRSP instances where it did worst at 3 s, one thread and 40% gave mean travel
# 0.996/0.999 x VROOM's (two runs), two threads and 50% 0.987/0.984, worst 1.000.
VROOM_SHARE = 0.5
# Below this many seconds the member searches with OR-Tools instead: VROOM and PyVRP need
# their time, and their first import (pandas with pyvroom) takes about 0.8 s.
OTHER_ENGINES_MIN_S = 1.0


def variant_of(index: int) -> Variant:
    return VARIANTS[index % len(VARIANTS)]


def _better(problem: Problem, vehicles: list[int], a: Outcome, b: Outcome) -> Outcome:
    """The outcome with more assigned priority, then less travel."""

    def rank(outcome: Outcome) -> tuple[int, int]:
        if outcome.routes is None:
            return (-1, 0)
        return score(problem, zip(vehicles, outcome.routes, strict=True))

    return b if rank(b) > rank(a) else a


def _from_two_starts(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    model: Model,
    start: list[list[int]] | None,
    time_limit_s: float,
    seed: int,
) -> Outcome:
    """Small days reach a local optimum within a tenth of a second, and which start leads to
    the better one varies: descend from ``start`` and from the search's own first solution,
    then search on from the better of the two."""
    ends = time.perf_counter() + time_limit_s
    ours = run(model, time_limit_s / 2, seed=seed, start=start, descent=True)
    own = run(build_model(problem, requests, vehicles), time_limit_s / 2, seed=seed, descent=True)
    chosen = _better(problem, vehicles, ours, own)
    onward = run(
        build_model(problem, requests, vehicles),
        max(0.01, ends - time.perf_counter()),
        seed=seed,
        start=chosen.routes,
    )
    return _better(problem, vehicles, chosen, onward)


def one_priority(problem: Problem, requests: list[int]) -> bool:
    """Whether ``requests`` share one priority. Searched with no start (a depot, where an
    assignment says nothing of travel), such a day weighs little but travel, where ruin and
    recreate beats guided local search (Solomon); with several priorities guided search served
    more (two 300-request days from a depot, 10 s: 406 vs 404 and 427 vs 425 assigned
    priority; equal with one priority)."""
    return len({problem.scenario.requests[r].priority for r in requests}) == 1


def _search(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    until: float,
    seed: int,
    prior: dict[int, list[int]],
    fairness: float,
    variant: Variant,
) -> tuple[dict[int, list[int]] | None, str]:
    """One component's routes by local search until ``until``, and the search's status."""
    planned = {r: problem.vehicles[k].volunteer for k, route in prior.items() for r in route}
    model = build_model(problem, requests, vehicles, previous=planned, fairness=fairness)
    budget = max(0.01, until - time.perf_counter())
    # Searching blocks again pays only when each gets enough time to build its model and
    # move; below that the whole component keeps all of it.
    count = len(time_blocks(problem, vehicles))
    blocks = count > 1 and budget * (1 - WHOLE_SHARE) / count >= MIN_BLOCK_BUDGET_S
    start = [prior.get(k, []) for k in vehicles] if prior else None
    seeded = None
    single = one_priority(problem, requests)
    # With one priority for all and volunteers at home, ruin and recreate from OR-Tools' own
    # start (parallel cheapest insertion) beat guided search from the assignment on TRSP
    # (R101, RC201, C201 at 5 s: 2.4%, 4.9% and 10% less travel, as many served), so the
    # first member takes it and the second the assignment; with several priorities the
    # other way round.
    if start is None and variant.assignment != single:
        seeded = assignment_start(problem, requests, vehicles, time_limit_s=budget * SEED_SHARE)
        start = None if seeded is None else [seeded[k] for k in vehicles]
    # From an assignment-first start with nothing but priority and travel to weigh, the last
    # moments go to swapping left-out requests in (scheduler.fill), which the local search
    # does not try.
    swaps = seeded is not None and fairness <= 0
    lns = _lns_applies(problem, requests, vehicles, prior, fairness)
    ends_at = until - (budget * FILL_SHARE if swaps else 0.0)
    lns_from = ends_at - (budget * LNS_SHARE if lns else 0.0)
    whole = max(0.01, (lns_from - time.perf_counter()) * (WHOLE_SHARE if blocks else 1.0))
    iterated = start is None and single
    # Ruin and recreate from volunteers' homes starts from parallel cheapest insertion: on
    # TRSP R101 (3 s) it served 96 requests, local cheapest insertion 94. From one depot
    # (Solomon) local cheapest insertion stays, as tuned.
    first = FirstSolution.LOCAL_CHEAPEST_INSERTION
    if iterated and not _one_place(problem, vehicles):
        first = FirstSolution.PARALLEL_CHEAPEST_INSERTION
    if swaps and len(requests) <= PORTFOLIO_UP_TO:
        outcome = _from_two_starts(problem, requests, vehicles, model, start, whole, seed)
    else:
        outcome = run(model, whole, seed=seed, start=start, iterated=iterated, first_solution=first)
    if outcome.routes is None:
        return None, outcome.status
    found = dict(zip(vehicles, outcome.routes, strict=True))
    if blocks:
        found = improve_by_blocks(
            problem, requests, found, lns_from, seed=seed, planned=planned, fairness=fairness
        )
    if lns:
        found = improve_exactly(problem, requests, found, ends_at, seed=seed)
    if swaps:
        fill(problem, requests, found, until, swaps=True)
    return found, outcome.status


def _one_place(problem: Problem, vehicles: list[int]) -> bool:
    """Whether every shift of ``vehicles`` starts from one place (a depot)."""
    volunteers = problem.scenario.volunteers
    return len({volunteers[problem.vehicles[k].volunteer].location for k in vehicles}) < 2


def _lns_applies(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    prior: dict[int, list[int]],
    fairness: float,
) -> bool:
    if prior or fairness > 0:
        return False
    # Up to EXACT_UP_TO requests with listable shifts the exact solve took the whole day.
    # From one depot (Solomon) ruin and recreate keeps all the time, as tuned.
    if len(requests) > EXACT_UP_TO:
        return True
    return not all_listable(problem, vehicles) and not _one_place(problem, vehicles)


def _by_other_engines(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    until: float,
    seed: int,
    threads: int,
) -> dict[int, list[int]] | None:
    """VROOM's plan, improved by PyVRP's search until ``until``; None when they do not apply
    (a locked visit) or found nothing."""
    if any(r in problem.locks for r in requests):
        return None
    budget = max(0.01, until - time.perf_counter())
    # When PyVRP cannot take the day (too many matrices), VROOM has all the time.
    share = VROOM_SHARE if fits(problem, requests, vehicles) else 1.0
    start = vroom_routes(problem, requests, vehicles, budget * share, threads)
    left = until - time.perf_counter()
    improved = improve_with_pyvrp(problem, requests, vehicles, start, left, seed=seed)
    candidates = [routes for routes in (start, improved) if routes is not None]
    return max(candidates, key=lambda routes: score(problem, routes.items()), default=None)


def preload_other_engines() -> None:
    """Import VROOM and PyVRP once, before worker processes fork, so that no worker spends
    its plan's time on it (about 0.8 s together)."""
    import pyvrp  # noqa: F401
    import vroom  # noqa: F401


def plan_component(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    until: float,
    *,
    seed: int,
    prior: dict[int, list[int]],
    fairness: float,
    variant: int = 0,
    threads: int = 1,
) -> tuple[dict[int, list[int]] | None, str]:
    """Routes (vehicle -> request indexes) of one component by ``until``
    (``time.perf_counter()``), and the status; None when nothing was found in time."""
    kind = variant_of(variant)
    seed = seed + SEED_STEP * variant
    budget = max(0.01, until - time.perf_counter())
    if kind.other_engines and not prior and fairness <= 0 and budget >= OTHER_ENGINES_MIN_S:
        found = _by_other_engines(problem, requests, vehicles, until, seed, threads)
        if found is not None:
            return found, "success"
    exact = None
    if kind.exact and not prior and fairness <= 0 and len(requests) <= EXACT_UP_TO:
        # Every route listed and the best set chosen (scheduler.exact): optimal when that
        # ends in time; when listing the routes takes too long, the search takes over.
        now = time.perf_counter()
        exact = solve_exactly(
            problem, requests, vehicles, until, list_until=now + budget * LIST_SHARE
        )
    if exact is not None and (exact.optimal or until - time.perf_counter() < MIN_SEARCH_S):
        return exact.routes, PROVED if exact.optimal else "success"
    found, status = _search(problem, requests, vehicles, until, seed, prior, fairness, kind)
    if exact is not None and (
        found is None or score(problem, exact.routes.items()) > score(problem, found.items())
    ):
        return exact.routes, "success"
    return found, status
