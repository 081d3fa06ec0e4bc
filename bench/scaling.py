"""Scaling: time to the first feasible plan and to within 1% of the final plan, against size.

``scheduler.solve`` has no progress hook, so while it runs this bench wraps the ``run`` it
calls for each routing model (``scheduler.search.run``, one call per independent component)
and registers an OR-Tools ``AtSolutionCallback`` that only reads the clock and the cost. The
plan measured is the real ``solve()``'s. Every solution of the model is feasible (dropping
requests is allowed), so a component's first callback is its first feasible plan. The cost is
``dominance × dropped priority + travel`` (``scheduler.model``: no warm start, no fairness
here), so it splits back into priority and travel; ``dominance`` is read from a disjunction
penalty.

Components are solved one after another. "first feasible" is the wall time ``solve`` would
have taken had each component stopped at its first solution (the whole wall time less, per
component, the search time after that solution); "within 1%" likewise for the first solution
with the final assigned priority and at most 1% more travel than the component's last one.
Greedy (``scheduler.greedy``) runs on the same scenario as the baseline.

    python -m bench.scaling --quick
    python -m bench.scaling --sizes 50x15 300x90 1000x300 --limit 30
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import scheduler.solver as solver_module
from bench.common import fmt, header, progress, ratio, table, timed
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.model import Model
from scheduler.problem import TICKS_PER_SECOND
from scheduler.solver import solve

FULL = ("50x15", "100x30", "300x90", "600x180", "1000x300")
QUICK = ("50x15", "300x90", "1000x300")


@dataclass
class Trace:
    """One search (one component): its solutions as (clock, dropped priority, travel ticks)."""

    dominance: int
    started: float
    ended: float = 0.0
    points: list[tuple[float, int, int]] = field(default_factory=list)

    def first(self) -> float:
        return self.points[0][0]

    def near(self) -> float:
        _, dropped, travel = self.points[-1]
        return next(t for t, d, tr in self.points if d == dropped and tr <= 1.01 * travel)


@contextmanager
def watching(traces: list[Trace], priorities: Sequence[int]) -> Iterator[None]:
    """Record every solution of every search ``solve`` runs while inside this block."""
    original: Callable[..., Any] = solver_module.run

    def run_and_record(model: Model, *args: Any, **kwargs: Any) -> Any:
        routing = model.routing
        disjunction = routing.GetDisjunctionIndices(model.manager.NodeToIndex(0))[0]
        penalty = routing.GetDisjunctionPenalty(disjunction)  # dominance × its priority
        trace = Trace(penalty // priorities[model.requests[0]], time.perf_counter())

        def record() -> None:
            # CostVar() only exists once the model is closed (inside the search): ask each time.
            cost = routing.CostVar().Value()
            trace.points.append((time.perf_counter(), *divmod(cost, trace.dominance)))

        routing.AddAtSolutionCallback(record)
        traces.append(trace)
        try:
            return original(model, *args, **kwargs)
        finally:
            trace.ended = time.perf_counter()

    solver_module.run = run_and_record  # type: ignore[assignment]
    try:
        yield
    finally:
        solver_module.run = original  # type: ignore[assignment]


@dataclass(frozen=True)
class Scaling:
    components: int
    solutions: int
    first_s: float
    first_priority: int
    first_travel_h: float
    near_s: float
    final_priority: int
    final_travel_h: float
    wall_s: float


def measure(requests: int, volunteers: int, limit: float, seed: int) -> Scaling:
    scenario = generate(requests, volunteers, days=1, seed=seed)
    traces: list[Trace] = []
    with watching(traces, [r.priority for r in scenario.requests]):
        plan, wall = timed(partial(solve, scenario, time_limit_s=limit, seed=seed))
    if not traces or any(not t.points for t in traces):
        raise RuntimeError(f"{scenario.name}: a search found nothing ({plan.solver})")
    first_drop = sum(t.points[0][1] - t.points[-1][1] for t in traces)
    first_travel = plan.objective.travel_seconds + sum(
        (t.points[0][2] - t.points[-1][2]) / TICKS_PER_SECOND for t in traces
    )
    return Scaling(
        components=len(traces),
        solutions=sum(len(t.points) for t in traces),
        first_s=wall - sum(t.ended - t.first() for t in traces),
        first_priority=plan.objective.assigned_priority - first_drop,
        first_travel_h=first_travel / 3600,
        near_s=wall - sum(t.ended - t.near() for t in traces),
        final_priority=plan.objective.assigned_priority,
        final_travel_h=plan.objective.travel_seconds / 3600,
        wall_s=wall,
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
            fmt(s.first_s, 2),
            f"{s.first_priority} / {fmt(s.first_travel_h, 1)}",
            fmt(s.near_s, 2), f"{s.final_priority} / {fmt(s.final_travel_h, 1)}",
            fmt(s.wall_s, 1),
            f"{base.objective.assigned_priority} / {fmt(base_h, 1)} ({fmt(base_wall, 2)}s)",
            fmt(ratio(s.final_travel_h, base_h), 3),
        ])  # fmt: skip
    headers = ["requests", "volunteers", "comps", "solutions", "first s",
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
