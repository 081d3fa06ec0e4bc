"""Generated commune days: our solver vs greedy vs VROOM at equal wall time, with a bound.

For each size (requests/volunteers) and number of days: VROOM (pyvroom) runs first and its wall
time (building its input included) becomes our solver's time limit; greedy runs too. Every plan
(VROOM's converted into ours) goes through ``scheduler.checker.check``. ``bound`` is an upper
bound on assigned priority from a relaxation that ignores travel order (``bench.priority_bound``),
so ``prio/bound`` says how far each plan is from the limit; ``travel/vroom`` compares travel.

    python -m bench.commune --quick
    python -m bench.commune --sizes 300x90 1000x300 --days 1 2 --seed 0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import fmt, header, progress, ratio, table, timed
from bench.priority_bound import Bound, priority_bound
from bench.vroom_baseline import solve_vroom
from scheduler.checker import check
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.solver import solve
from scheduler.types import Plan, Scenario

FULL = ("50x15", "300x90", "1000x300")
QUICK = ("50x15", "300x90")


@dataclass(frozen=True)
class Run:
    method: str
    plan: Plan
    wall_s: float
    violations: list[str]


def _size(text: str) -> tuple[int, int]:
    requests, volunteers = text.lower().split("x")
    return int(requests), int(volunteers)


def run_all(scenario: Scenario, args: argparse.Namespace) -> tuple[list[Run], Bound]:
    progress(f"{scenario.name}: vroom")
    vroom_plan, vroom_wall = solve_vroom(
        scenario,
        exploration_level=args.vroom_level,
        threads=args.vroom_threads,
        timeout_s=args.vroom_timeout,
    )
    limit = max(vroom_wall, args.min_limit)
    progress(f"{scenario.name}: ours @ {limit:.1f}s")
    ours, ours_wall = timed(lambda: solve(scenario, time_limit_s=limit, seed=args.seed))
    progress(f"{scenario.name}: greedy, bound")
    base, base_wall = timed(lambda: greedy(scenario))
    bound = priority_bound(scenario, time_limit_s=args.bound_limit)
    runs = [
        Run("ours", ours, ours_wall, check(scenario, ours)),
        Run("vroom", vroom_plan, vroom_wall, check(scenario, vroom_plan)),
        Run("greedy", base, base_wall, check(scenario, base)),
    ]
    return runs, bound


def bench(args: argparse.Namespace) -> str:
    rows: list[list[str]] = []
    notes: list[str] = []
    sizes = args.sizes or (QUICK if args.quick else FULL)
    for size in sizes:
        requests, volunteers = _size(size)
        for days in args.days:
            scenario = generate(requests, volunteers, days=days, seed=args.seed)
            runs, bound = run_all(scenario, args)
            vroom_travel = next(
                r.plan.objective.travel_seconds for r in runs if r.method == "vroom"
            )
            for run in runs:
                obj = run.plan.objective
                rows.append([
                    str(requests), str(days), run.method,
                    f"{obj.assigned}/{requests}",
                    str(obj.assigned_priority),
                    str(bound.value),
                    fmt(ratio(obj.assigned_priority, bound.value), 3),
                    fmt(obj.travel_seconds / 3600, 2),
                    fmt(ratio(obj.travel_seconds, vroom_travel), 3),
                    fmt(run.wall_s, 2),
                    "yes" if not run.violations else f"NO ({len(run.violations)})",
                ])  # fmt: skip
                if run.violations:
                    notes.append(f"{scenario.name} {run.method}: {run.violations[0]}")
                if obj.assigned_priority > bound.value:  # would mean the relaxation is wrong
                    notes.append(f"{scenario.name} {run.method}: BOUND BROKEN")
            ours = runs[0].plan.solver
            notes.append(
                f"{scenario.name}: bound by {bound.source} in {bound.wall_s:.1f}s; "
                f"ours status {ours.get('status')}, {ours.get('components', '?')} components"
            )
    headers = ["size", "days", "method", "assigned", "priority", "bound", "prio/bound",
               "travel h", "travel/vroom", "wall s", "feasible"]  # fmt: skip
    return table(headers, rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.commune",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", nargs="+", help=f"REQUESTSxVOLUNTEERS (default {FULL})")
    parser.add_argument("--days", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--vroom-level", type=int, default=5, help="exploration level 1-5")
    parser.add_argument(
        "--vroom-threads",
        type=int,
        default=1,
        help="VROOM threads (default 1: our solver is single-threaded too)",
    )
    parser.add_argument(
        "--min-limit",
        type=float,
        default=0.0,
        help="floor on our time limit when VROOM is faster than this",
    )
    parser.add_argument(
        "--vroom-timeout", type=float, help="stop VROOM's search after this many seconds"
    )
    parser.add_argument("--bound-limit", type=float, default=20.0, help="CP-SAT seconds")
    args = parser.parse_args(argv)
    print(header("bench.commune", sys.argv[1:] if argv is None else argv))
    print()
    print(bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
