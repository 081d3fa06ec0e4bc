"""Scaling: time to the first feasible plan and to within 1% of the final plan, against size.

``scheduler.solve`` has no progress hook, so this bench drives the same pieces it uses
(``build_problem``, ``components``, ``build_model``, ``search.run``) and registers an OR-Tools
``AtSolutionCallback`` on each component's routing model; the callback only reads the cost
and the clock. Every solution of the model is feasible (dropping requests is allowed), so the
first callback is the first feasible plan. The cost is ``dominance × dropped priority +
travel`` (``scheduler.model``; no warm start, no fairness here), so it splits back into
priority and travel exactly; ``dominance`` is read from a disjunction penalty.

Components are solved one after another, as ``solve`` does, each with a share of the limit
proportional to its size. "first feasible" adds up problem and model building and, per
component, the time to its first solution; "within 1%" adds up, per component, the time to
the first solution with the final assigned priority and at most 1% more travel than the final
one. Greedy (``scheduler.greedy``) runs on the same scenario as the baseline.

    python -m bench.scaling --quick
    python -m bench.scaling --sizes 50x15 300x90 1000x300 --limit 30
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from bench.common import fmt, header, progress, ratio, table, timed
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.model import Model, build_model
from scheduler.problem import Problem, build_problem, components
from scheduler.search import run

TICKS_PER_S = 10  # scheduler.problem counts time and travel in tenths of a second
FULL = ("50x15", "100x30", "300x90", "600x180", "1000x300")
QUICK = ("50x15", "300x90", "1000x300")


@dataclass(frozen=True)
class Trace:
    build_s: float
    points: list[tuple[float, int, int]]  # (seconds since search start, dropped prio, travel)


def _trace(problem: Problem, requests: list[int], vehicles: list[int], budget: float,
           seed: int) -> Trace:  # fmt: skip
    started = time.perf_counter()
    model: Model = build_model(problem, requests, vehicles)
    first = model.manager.NodeToIndex(0)
    priority0 = problem.scenario.requests[requests[0]].priority
    dominance = (
        model.routing.GetDisjunctionPenalty(model.routing.GetDisjunctionIndices(first)[0])
        // priority0
    )
    costs: list[tuple[float, int]] = []
    routing = model.routing

    def record() -> None:
        # CostVar() only exists once the model is closed (inside the search), so ask each time.
        costs.append((time.perf_counter(), routing.CostVar().Value()))

    routing.AddAtSolutionCallback(record)
    search_start = time.perf_counter()
    run(model, budget, seed=seed)
    points = [(t - search_start, c // dominance, c % dominance) for t, c in costs]
    return Trace(search_start - started, points)


@dataclass(frozen=True)
class Scaling:
    components: int
    solutions: int
    build_s: float
    first_s: float
    first_priority: int
    first_travel_h: float
    near_s: float
    final_priority: int
    final_travel_h: float
    total_s: float


def measure(requests: int, volunteers: int, limit: float, seed: int) -> Scaling:
    scenario = generate(requests, volunteers, days=1, seed=seed)
    started = time.perf_counter()
    problem = build_problem(scenario)
    parts = components(problem)
    build = time.perf_counter() - started
    total = sum(len(r) for r, _ in parts) or 1
    traces = []
    for part_requests, part_vehicles in parts:
        left = limit - (time.perf_counter() - started)
        budget = max(0.01, left * len(part_requests) / total)
        total -= len(part_requests)
        traces.append(_trace(problem, part_requests, part_vehicles, budget, seed))
    wall = time.perf_counter() - started
    all_priority = sum(scenario.requests[r].priority for r, _ in enumerate(scenario.requests))
    first_s = near_s = build + sum(t.build_s for t in traces)
    first_drop = first_travel = final_drop = final_travel = 0
    for trace in traces:
        if not trace.points:
            raise RuntimeError(f"no solution for a component of {scenario.name} in time")
        t0, d0, tr0 = trace.points[0]
        _, d1, tr1 = trace.points[-1]
        first_s += t0
        near_s += next(t for t, d, tr in trace.points if d == d1 and tr <= 1.01 * tr1)
        first_drop, first_travel = first_drop + d0, first_travel + tr0
        final_drop, final_travel = final_drop + d1, final_travel + tr1
    # Requests that no vehicle can serve are in no component: dropped in every plan.
    unreachable = all_priority - sum(scenario.requests[r].priority for rs, _ in parts for r in rs)
    hours = TICKS_PER_S * 3600
    return Scaling(
        components=len(parts),
        solutions=sum(len(t.points) for t in traces),
        build_s=build + sum(t.build_s for t in traces),
        first_s=first_s,
        first_priority=all_priority - unreachable - first_drop,
        first_travel_h=first_travel / hours,
        near_s=near_s,
        final_priority=all_priority - unreachable - final_drop,
        final_travel_h=final_travel / hours,
        total_s=wall,
    )


def bench(args: argparse.Namespace) -> str:
    rows = []
    for size in args.sizes or (QUICK if args.quick else FULL):
        requests, volunteers = (int(n) for n in size.lower().split("x"))
        progress(f"{size} @ {args.limit:g}s")
        s = measure(requests, volunteers, args.limit, args.seed)
        scenario = generate(requests, volunteers, days=1, seed=args.seed)
        base, base_wall = timed(partial(greedy, scenario))
        base_h = base.objective.travel_seconds / 3600
        rows.append([
            str(requests), str(volunteers), str(s.components), str(s.solutions),
            fmt(s.build_s, 2), fmt(s.first_s, 2),
            f"{s.first_priority} / {fmt(s.first_travel_h, 1)}",
            fmt(s.near_s, 2), f"{s.final_priority} / {fmt(s.final_travel_h, 1)}",
            fmt(s.total_s, 1),
            f"{base.objective.assigned_priority} / {fmt(base_h, 1)} ({fmt(base_wall, 2)}s)",
            fmt(ratio(s.final_travel_h, base_h), 3),
        ])  # fmt: skip
    headers = ["requests", "volunteers", "comps", "solutions", "build s", "first s",
               "first prio / travel h", "within 1% s", "final prio / travel h", "wall s",
               "greedy prio / travel h", "final/greedy travel"]  # fmt: skip
    return table(headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scaling",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", nargs="+", help=f"REQUESTSxVOLUNTEERS (default {FULL})")
    parser.add_argument("--limit", type=float, default=20.0, help="solver seconds per size")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    args = parser.parse_args(argv)
    print(header("bench.scaling", sys.argv[1:] if argv is None else argv))
    print(f"\none commune day per size, generator seed {args.seed}, limit {args.limit:g}s\n")
    print(bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
