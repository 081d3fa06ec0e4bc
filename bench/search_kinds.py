"""Guided local search against ruin and recreate on days searched from no start.

``scheduler.solver`` searches a component with no start routes (one depot) by ruin and
recreate (OR-Tools' iterated local search) when all its requests share one priority, and by
guided local search otherwise. This benchmark runs both searches on the same routing models
for the same time (``scheduler.search.run``, no exact solve, no greedy floor): Solomon
instances (all customers priority 1) and generated commune days with every volunteer moved to
the first volunteer's home (a depot), with their priorities and with one priority for all, and
with or without visit limits. Output: one Markdown table, the guided search as baseline.

    python -m bench.search_kinds --quick
    python -m bench.search_kinds --solomon R201 RC101 --communes 300x90x1 --limit 10
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bench.common import SHARED, fmt, header, progress, ratio, table
from bench.solomon import read_instance, to_scenario
from scheduler.generator import generate
from scheduler.model import build_model
from scheduler.problem import build_problem, components
from scheduler.search import run
from scheduler.timetable import score
from scheduler.types import Scenario

QUICK_SOLOMON = ("R101", "R201", "RC101", "RC201")
QUICK_COMMUNES = ("300x90x1", "300x90x2")


def depot_day(
    requests: int, volunteers: int, days: int, *, one_priority: bool, visit_limits: bool
) -> Scenario:
    """A generated commune day with every volunteer starting from the first one's home."""
    day = generate(requests, volunteers, days, seed=0)
    depot = day.volunteers[0].location
    crew = tuple(
        replace(
            v,
            location=depot,
            max_visits_per_shift=v.max_visits_per_shift if visit_limits else None,
        )
        for v in day.volunteers
    )
    asks = tuple(replace(r, priority=1) for r in day.requests) if one_priority else day.requests
    name = (
        f"{day.name}{' one-priority' if one_priority else ''}{'' if visit_limits else ' no-limit'}"
    )
    return replace(day, name=name, volunteers=crew, requests=asks)


def search(scenario: Scenario, limit: float, iterated: bool, seed: int) -> tuple[int, int, float]:
    """(requests served, assigned priority, travel hours) of one search per component."""
    problem = build_problem(scenario)
    parts = components(problem)
    total = sum(len(requests) for requests, _ in parts)
    served = priority = travel = 0
    for requests, vehicles in parts:
        model = build_model(problem, requests, vehicles)
        share = limit * len(requests) / total
        outcome = run(model, share, seed=seed, iterated=iterated)
        routes = outcome.routes or [[] for _ in vehicles]
        got, minus_travel = score(problem, zip(vehicles, routes, strict=True))
        served += sum(len(route) for route in routes)
        priority += got
        travel -= minus_travel
    return served, priority, travel / 3600


def scenarios(args: argparse.Namespace) -> list[Scenario]:
    out = [
        to_scenario(read_instance(args.data / "instances" / "100" / f"{name}.txt"))
        for name in args.solomon
    ]
    for size in args.communes:
        requests, volunteers, days = map(int, size.split("x"))
        for one_priority, visit_limits in ((False, True), (False, False), (True, True)):
            out.append(
                depot_day(
                    requests,
                    volunteers,
                    days,
                    one_priority=one_priority,
                    visit_limits=visit_limits,
                )
            )
    return out


def bench(args: argparse.Namespace) -> str:
    rows = []
    for scenario in scenarios(args):
        progress(f"{scenario.name} @ {args.limit:g}s")
        guided = search(scenario, args.limit, False, args.seed)
        ruined = search(scenario, args.limit, True, args.seed)
        for label, (served, priority, hours) in (("guided", guided), ("ruin+recreate", ruined)):
            rows.append(
                [
                    scenario.name,
                    label,
                    f"{served}/{len(scenario.requests)}",
                    str(priority),
                    fmt(hours, 2),
                    fmt(ratio(hours, guided[2]), 4),
                ]
            )
    headers = ["scenario", "search", "served", "priority", "travel h", "travel/guided"]
    return table(headers, rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=SHARED / "bench" / "solomon", type=Path)
    parser.add_argument("--solomon", nargs="*", default=[], help="instance names, 100 customers")
    parser.add_argument("--communes", nargs="*", default=[], help="REQUESTSxVOLUNTEERSxDAYS")
    parser.add_argument("--limit", type=float, default=10.0, help="seconds per search")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="four Solomon, two commune days")
    args = parser.parse_args(argv)
    if args.quick:
        args.solomon = args.solomon or list(QUICK_SOLOMON)
        args.communes = args.communes or list(QUICK_COMMUNES)
    print(header("bench.search_kinds", sys.argv[1:] if argv is None else argv))
    print()
    print(bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
