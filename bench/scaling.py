"""Scaling: time to the first feasible plan and to within 1% of the final plan, against size.

``scheduler.solve`` has no progress hook, so while it runs this bench wraps the ``run`` that
``scheduler.component`` (one search per independent component; on one core here, as worker
processes would search unseen) and ``scheduler.blocks`` (searching each time block again,
warm-started from the routes found) call, and registers an OR-Tools
``AtSolutionCallback`` that only reads the clock and the cost; a component solved exactly
(``scheduler.exact``) has one plan, read when that solve returns. The plan measured is the real
``solve()``'s. The cost of a solution is ``dominance × dropped priority + travel``
(``scheduler.model``; no warm start from a previous plan and no fairness here), so it splits
back into priority and travel; ``dominance`` is read from a disjunction penalty.

The solver's own plan at a moment is the latest solution of each component's search plus what
the block searches (those whose warm start was taken) have gained since their start. "first
feasible" is when every component has its first solution (every solution of the model is
feasible: dropping requests is allowed); "within 1%" is when that plan first has the final
assigned priority and at most 1% more travel than at the end. Times count from the call to
``solve`` (greedy and model building included). Travel here is the model's (whole seconds per
leg, rounded up); greedy (``scheduler.greedy``) runs on the same scenario as the baseline.

    python -m bench.scaling --quick
    python -m bench.scaling --sizes 50x15 300x90 1000x300 --limit 30
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import ModuleType
from typing import Any

import scheduler.blocks as blocks_module
import scheduler.component as component_module
from bench.common import fmt, header, progress, ratio, table, timed
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.model import Model
from scheduler.problem import Problem
from scheduler.solver import solve
from scheduler.timetable import route_travel

FULL = ("50x15", "100x30", "300x90", "600x180", "1000x300")
QUICK = ("50x15", "300x90", "1000x300")


@dataclass
class Trace:
    """One search: its solutions as (clock, dropped priority, travel ticks)."""

    block: bool  # a block re-search (counts as a gain over its start) or a whole component
    dominance: int
    component: tuple[int, ...] = ()  # its requests: small components are searched twice
    warm: bool = False
    points: list[tuple[float, int, int]] = field(default_factory=list)


def _recording(original: Callable[..., Any], traces: list[Trace], priorities: Sequence[int],
               block: bool) -> Callable[..., Any]:  # fmt: skip
    def run_and_record(model: Model, *args: Any, **kwargs: Any) -> Any:
        routing = model.routing
        disjunction = routing.GetDisjunctionIndices(model.manager.NodeToIndex(0))[0]
        penalty = routing.GetDisjunctionPenalty(disjunction)  # dominance × its priority
        trace = Trace(block, penalty // priorities[model.requests[0]], tuple(model.requests))

        def record() -> None:
            # CostVar() only exists once the model is closed (inside the search): ask each time.
            cost = routing.CostVar().Value()
            trace.points.append((time.perf_counter(), *divmod(cost, trace.dominance)))

        routing.AddAtSolutionCallback(record)
        traces.append(trace)
        outcome = original(model, *args, **kwargs)
        trace.warm = bool(getattr(outcome, "warm", False))
        return outcome

    return run_and_record


def _recording_exact(original: Callable[..., Any], traces: list[Trace],
                     priorities: Sequence[int]) -> Callable[..., Any]:  # fmt: skip
    """A component solved exactly (``scheduler.exact``) has one plan, when the solve returns."""

    def solve_and_record(problem: Problem, requests: list[int], *args: Any, **kwargs: Any) -> Any:
        exact = original(problem, requests, *args, **kwargs)
        if exact is not None:
            served = {r for route in exact.routes.values() for r in route}
            dropped = sum(priorities[r] for r in requests if r not in served)
            travel = sum(route_travel(problem, k, route) for k, route in exact.routes.items())
            trace = Trace(False, 1, tuple(requests))
            trace.points.append((time.perf_counter(), dropped, travel))
            traces.append(trace)
        return exact

    return solve_and_record


@contextmanager
def watching(traces: list[Trace], priorities: Sequence[int]) -> Iterator[None]:
    """Record every solution of every search ``solve`` runs while inside this block."""
    patched: list[tuple[ModuleType, Callable[..., Any]]] = []
    for module, block in ((component_module, False), (blocks_module, True)):
        original = module.run
        patched.append((module, original))
        module.run = _recording(original, traces, priorities, block)  # type: ignore[attr-defined]
    exact = component_module.solve_exactly  # type: ignore[attr-defined]
    component_module.solve_exactly = _recording_exact(exact, traces, priorities)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module, original in patched:
            module.run = original  # type: ignore[attr-defined]
        component_module.solve_exactly = exact  # type: ignore[attr-defined]


def timeline(traces: list[Trace]) -> list[tuple[float, int, int]]:
    """The solver's plan over time: (clock, dropped priority, travel) after each solution.

    A component searched from two starts (``scheduler.solver`` on small days), or solved
    exactly and then searched, counts with the best of its searches' latest solutions."""
    wholes = {i for i, t in enumerate(traces) if not t.block and t.points}
    components = {traces[i].component for i in wholes}
    gains = {i for i, t in enumerate(traces) if t.block and t.warm and t.points}
    events = sorted((p[0], i, p) for i, t in enumerate(traces) for p in t.points)
    latest: dict[int, tuple[float, int, int]] = {}
    plan: list[tuple[float, int, int]] = []
    for clock, i, point in events:
        latest[i] = point
        best: dict[tuple[int, ...], tuple[int, int]] = {}
        for j in wholes & latest.keys():
            _, d, tr = latest[j]
            key = traces[j].component
            best[key] = min(best.get(key, (d, tr)), (d, tr))
        if best.keys() != components:
            continue  # some component has no plan yet
        dropped = sum(d for d, _ in best.values())
        travel = sum(tr for _, tr in best.values())
        for j in gains & latest.keys():  # a block search's gain over the routes it started from
            _, d, tr = latest[j]
            _, d0, tr0 = traces[j].points[0]
            dropped, travel = dropped + d - d0, travel + tr - tr0
        plan.append((clock, dropped, travel))
    return plan


@dataclass(frozen=True)
class Scaling:
    components: int
    searches: int
    solutions: int
    first_s: float
    first_priority: int
    first_travel_h: float
    near_s: float
    final_priority: int
    final_travel_h: float
    wall_s: float
    returned: str  # whose plan solve() returned: the solver's or greedy's


def measure(requests: int, volunteers: int, limit: float, seed: int) -> Scaling:
    scenario = generate(requests, volunteers, days=1, seed=seed)
    traces: list[Trace] = []
    with watching(traces, [r.priority for r in scenario.requests]):
        started = time.perf_counter()
        plan, wall = timed(partial(solve, scenario, time_limit_s=limit, seed=seed))
    plan_over_time = timeline(traces)
    if not plan_over_time:
        raise RuntimeError(f"{scenario.name}: no search found a plan ({plan.solver})")
    first, last = plan_over_time[0], plan_over_time[-1]
    near = next(p for p in plan_over_time if p[1] == last[1] and p[2] <= 1.01 * last[2])
    total = sum(r.priority for r in scenario.requests)
    unreachable = total - plan.objective.assigned_priority - last[1]  # 0 unless greedy won
    return Scaling(
        components=len({t.component for t in traces if not t.block}),
        searches=len(traces),
        solutions=sum(len(t.points) for t in traces),
        first_s=first[0] - started,
        first_priority=total - unreachable - first[1],
        first_travel_h=first[2] / 3600,
        near_s=near[0] - started,
        final_priority=total - unreachable - last[1],
        final_travel_h=last[2] / 3600,
        wall_s=wall,
        returned=str(plan.solver.get("status", "")),
    )


def bench(args: argparse.Namespace) -> str:
    rows = []
    notes: list[str] = []
    for size in args.sizes or (QUICK if args.quick else FULL):
        requests, volunteers = (int(n) for n in size.lower().split("x"))
        progress(f"{size} @ {args.limit:g}s")
        s = measure(requests, volunteers, args.limit, args.seed)
        scenario = generate(requests, volunteers, days=1, seed=args.seed)
        base, base_wall = timed(partial(greedy, scenario))
        base_h = base.objective.travel_seconds / 3600
        rows.append([
            str(requests), str(volunteers), f"{s.components}/{s.searches}", str(s.solutions),
            fmt(s.first_s, 2),
            f"{s.first_priority} / {fmt(s.first_travel_h, 1)}",
            fmt(s.near_s, 2), f"{s.final_priority} / {fmt(s.final_travel_h, 1)}",
            fmt(s.wall_s, 1),
            f"{base.objective.assigned_priority} / {fmt(base_h, 1)} ({fmt(base_wall, 2)}s)",
            fmt(ratio(s.final_travel_h, base_h), 3),
        ])  # fmt: skip
        if s.returned.startswith("greedy"):
            notes.append(f"{size}: solve() returned the greedy plan ({s.returned})")
    headers = ["requests", "volunteers", "comps/searches", "solutions", "first s",
               "first prio / travel h", "within 1% s", "final prio / travel h", "wall s",
               "greedy prio / travel h", "final/greedy travel"]  # fmt: skip
    return table(headers, rows) + "".join(f"\n- {n}" for n in notes)


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
    # The searches are watched in this process: worker processes would run them unseen.
    os.environ["DOORSTEP_PLANNER_WORKERS"] = "1"
    print(header("bench.scaling", sys.argv[1:] if argv is None else argv))
    print(f"\none commune day per size, generator seed {args.seed}, limit {args.limit:g}s\n")
    print(bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
