"""Generated commune days: our solver vs greedy vs VROOM at equal wall time, with a bound.

For each case (requests x volunteers x days) and generator seed: VROOM (pyvroom, on every core
of the machine) runs first and its wall time (building its input included) becomes our
solver's time limit; greedy runs too. Every plan (VROOM's converted into ours) goes through
``scheduler.checker.check``. ``bound`` is an upper bound on assigned priority from a
relaxation that ignores travel order (``bench.priority_bound``), so ``prio/bound`` says how
far each plan is from the limit; ``travel/vroom`` compares travel. A summary per case gives,
over the seeds, the worst priority difference and the mean and worst travel ratio.

    python -m bench.commune --quick
    python -m bench.commune --sizes 300x90 1000x300 --days 1 2 --seeds 0 1 2
    python -m bench.commune --sizes 600x160x2 --seeds 0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import fmt, header, mean, progress, ratio, table, timed, worst
from bench.priority_bound import Bound, priority_bound
from bench.vroom_baseline import solve_vroom
from scheduler.checker import check
from scheduler.generator import generate
from scheduler.greedy import greedy
from scheduler.solver import solve
from scheduler.types import Plan, Scenario

# requests x volunteers x days; a size without days takes --days.
FULL = ("50x15x1", "50x15x2", "120x30x1", "300x90x1", "300x90x2", "600x160x2")
QUICK = ("120x30x1", "300x90x1")


@dataclass(frozen=True)
class Run:
    method: str
    plan: Plan
    wall_s: float
    violations: list[str]


def _cases(sizes: Sequence[str], days: Sequence[int]) -> list[tuple[int, int, int]]:
    cases = []
    for text in sizes:
        parts = [int(p) for p in text.lower().split("x")]
        if len(parts) == 3:
            cases.append((parts[0], parts[1], parts[2]))
        else:
            cases += [(parts[0], parts[1], d) for d in days]
    return cases


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
    ours, ours_wall = timed(lambda: solve(scenario, time_limit_s=limit, seed=args.solver_seed))
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
    # Per case: (our priority - VROOM's, our travel / VROOM's) per seed.
    outcomes: dict[tuple[int, int, int], list[tuple[int, float | None]]] = {}
    sizes = args.sizes or (QUICK if args.quick else FULL)
    for requests, volunteers, days in _cases(sizes, args.days):
        for seed in args.seeds:
            scenario = generate(requests, volunteers, days=days, seed=seed)
            runs, bound = run_all(scenario, args)
            vroom = next(r.plan.objective for r in runs if r.method == "vroom")
            for run in runs:
                obj = run.plan.objective
                rows.append([
                    str(requests), str(days), str(seed), run.method,
                    f"{obj.assigned}/{requests}",
                    str(obj.assigned_priority),
                    str(bound.value),
                    fmt(ratio(obj.assigned_priority, bound.value), 3),
                    fmt(obj.travel_seconds / 3600, 2),
                    fmt(ratio(obj.travel_seconds, vroom.travel_seconds), 3),
                    fmt(run.wall_s, 2),
                    "yes" if not run.violations else f"NO ({len(run.violations)})",
                ])  # fmt: skip
                if run.violations:
                    notes.append(f"{scenario.name} {run.method}: {run.violations[0]}")
                if obj.assigned_priority > bound.value:  # would mean the relaxation is wrong
                    notes.append(f"{scenario.name} {run.method}: BOUND BROKEN")
            ours = runs[0].plan
            outcomes.setdefault((requests, volunteers, days), []).append(
                (
                    ours.objective.assigned_priority - vroom.assigned_priority,
                    ratio(ours.objective.travel_seconds, vroom.travel_seconds),
                )
            )
            notes.append(
                f"{scenario.name}: bound by {bound.source} in {bound.wall_s:.1f}s; "
                f"ours status {ours.solver.get('status')}, "
                f"{ours.solver.get('components', '?')} components, "
                f"{ours.solver.get('workers', '?')} workers"
            )
    headers = ["size", "days", "seed", "method", "assigned", "priority", "bound", "prio/bound",
               "travel h", "travel/vroom", "wall s", "feasible"]  # fmt: skip
    return (
        table(headers, rows)
        + "\n\n"
        + "\n".join(f"- {n}" for n in notes)
        + "\n\nOurs against VROOM over the seeds. Better: more priority than VROOM's, or the"
        + " same and no more travel (the formats' objective); both: priority >= VROOM's and"
        + " travel <= VROOM's, whatever the priority:"
        + "\n\n"
        + _summary(outcomes)
    )


def _summary(outcomes: dict[tuple[int, int, int], list[tuple[int, float | None]]]) -> str:
    rows = []
    for (requests, volunteers, days), results in outcomes.items():
        better = sum(1 for d, r in results if d > 0 or (d == 0 and r is not None and r <= 1.0))
        both = sum(1 for d, r in results if d >= 0 and r is not None and r <= 1.0)
        rows.append([
            f"{requests}/{volunteers}", str(days), str(len(results)),
            f"{min(d for d, _ in results):+d}",
            fmt(mean(r for _, r in results), 3),
            fmt(worst(r for _, r in results), 3),
            f"{better}/{len(results)}",
            f"{both}/{len(results)}",
        ])  # fmt: skip
    headers = ["requests/volunteers", "days", "seeds", "worst priority diff",
               "mean travel/vroom", "worst travel/vroom", "better", "both"]  # fmt: skip
    return table(headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.commune",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--sizes", nargs="+", help=f"REQUESTSxVOLUNTEERS[xDAYS] (default {' '.join(FULL)})"
    )
    parser.add_argument("--days", type=int, nargs="+", default=[1, 2], help="for sizes without")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="generator")
    parser.add_argument("--solver-seed", type=int, default=0, help="our search's seed")
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--vroom-level", type=int, default=5, help="exploration level 1-5")
    parser.add_argument(
        "--vroom-threads",
        type=int,
        default=None,
        help="VROOM threads (default: every core of the machine)",
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
