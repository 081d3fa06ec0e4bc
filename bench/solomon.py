"""Solomon VRPTW (25/50/100 customers): our solver and PyVRP against the published optima.

Convention 2 of ``shared/bench/solomon/README.md``: minimise distance only, every customer
served, each arc's distance and travel time ``floor(10 * euclid) / 10``; the optima are in
``opt_{n}_distance_trunc1.csv``. A customer's service must *start* in ``[e, l]``; our windows
hold the whole visit, so ours is ``[e, l + s]``. One Solomon time unit is one minute here, so
arcs are whole multiples of 6 s and nothing is rounded on the way. The depot horizon ``[0, T]``
is the shift of each of the K = 25 volunteers (vehicles), capacity Q, demand q. All requests
have priority 1, so the solver's drop penalty dominates and it serves everyone it can.

PyVRP gets the same integer arcs ``floor(10 * euclid)`` (times scaled by 10 too) and the same
wall-time limit, in the same run. Output: one Markdown table per run, means at the bottom.

    python -m bench.solomon --quick
    python -m bench.solomon --sizes 100 --limits 1 10 --instances C101 R101 RC201
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import SHARED, fmt, header, mean, pct, progress, ratio, table, timed
from scheduler.checker import check
from scheduler.evaluate import objective
from scheduler.solver import solve
from scheduler.types import (
    Interval,
    Matrix,
    MatrixLoc,
    Plan,
    Request,
    Route,
    Scenario,
    Unassigned,
    Visit,
    Volunteer,
)

EPOCH = datetime(2026, 11, 30, tzinfo=UTC)
SECONDS_PER_UNIT = 60  # one Solomon time/distance unit = one minute
QUICK = ("C101", "C201", "R101", "R201", "RC101", "RC201")


@dataclass(frozen=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    xy: tuple[tuple[int, int], ...]  # index 0 is the depot
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def customers(self) -> int:
        return len(self.xy) - 1


def read_instance(path: Path) -> Instance:
    lines = path.read_text(encoding="utf-8").splitlines()
    vehicles, capacity = map(int, lines[4].split())
    # Data rows are the lines of exactly seven integers (the header row has words).
    rows = [
        list(map(int, parts))
        for parts in (line.split() for line in lines)
        if len(parts) == 7 and all(p.isdigit() for p in parts)
    ]
    return Instance(
        name=lines[0].strip(),
        vehicles=vehicles,
        capacity=capacity,
        xy=tuple((r[1], r[2]) for r in rows),
        demand=tuple(r[3] for r in rows),
        ready=tuple(r[4] for r in rows),
        due=tuple(r[5] for r in rows),
        service=tuple(r[6] for r in rows),
    )


def tenths(instance: Instance) -> list[list[int]]:
    """Arc lengths in tenths, truncated: ``floor(10 * euclid)``."""
    return [
        [math.floor(10 * math.sqrt((ax - bx) ** 2 + (ay - by) ** 2)) for bx, by in instance.xy]
        for ax, ay in instance.xy
    ]


def optima(data: Path, size: int) -> dict[str, float]:
    with open(data / f"opt_{size}_distance_trunc1.csv", encoding="utf-8") as rows:
        return {row["instance"]: float(row["best_value"]) for row in csv.DictReader(rows)}


def to_scenario(instance: Instance) -> Scenario:
    """The instance in our scenario format (matrix travel, minutes as time units)."""
    seconds = tuple(
        tuple(float(t * SECONDS_PER_UNIT // 10) for t in row) for row in tenths(instance)
    )

    def at(units: int) -> datetime:
        return EPOCH + timedelta(seconds=units * SECONDS_PER_UNIT)

    horizon = Interval(at(instance.ready[0]), at(instance.due[0]))
    volunteers = tuple(
        Volunteer(
            id=f"vehicle{k + 1}",
            location=MatrixLoc(0),
            skills=frozenset(),
            shifts=(horizon,),
            capacity=float(instance.capacity),
        )
        for k in range(instance.vehicles)
    )
    requests = tuple(
        Request(
            id=f"c{i}",
            location=MatrixLoc(i),
            skills=frozenset(),
            duration_min=float(instance.service[i]),
            windows=(Interval(at(instance.ready[i]), at(instance.due[i] + instance.service[i])),),
            demand=float(instance.demand[i]),
        )
        for i in range(1, len(instance.xy))
    )
    return Scenario(
        name=instance.name, travel=Matrix(seconds), volunteers=volunteers, requests=requests
    )


@dataclass(frozen=True)
class Outcome:
    distance: float | None  # None when not every customer is served or the plan is infeasible
    wall_s: float
    note: str = ""


def run_ours(instance: Instance, limit: float, seed: int) -> Outcome:
    scenario = to_scenario(instance)
    plan, wall = timed(lambda: solve(scenario, time_limit_s=limit, seed=seed))
    violations = check(scenario, plan)
    if violations:
        return Outcome(None, wall, f"INFEASIBLE: {violations[0]}")
    if plan.unassigned:
        return Outcome(None, wall, f"{len(plan.unassigned)} unserved")
    travel = objective(scenario, plan.routes).travel_seconds
    return Outcome(round(travel / SECONDS_PER_UNIT, 1), wall)


def run_pyvrp(instance: Instance, limit: float, seed: int) -> Outcome:
    from pyvrp import Model
    from pyvrp.stop import MaxRuntime

    model = Model()
    places = [model.add_location(x, y) for x, y in instance.xy]
    model.add_depot(places[0], tw_early=10 * instance.ready[0], tw_late=10 * instance.due[0])
    model.add_vehicle_type(
        num_available=instance.vehicles,
        capacity=instance.capacity,
        tw_early=10 * instance.ready[0],
        tw_late=10 * instance.due[0],
    )
    for i in range(1, len(places)):
        model.add_client(
            places[i],
            delivery=instance.demand[i],
            service_duration=10 * instance.service[i],
            tw_early=10 * instance.ready[i],
            tw_late=10 * instance.due[i],
        )
    for a, row in zip(places, tenths(instance), strict=True):
        for b, arc in zip(places, row, strict=True):
            model.add_edge(a, b, distance=arc, duration=arc)
    result, wall = timed(lambda: model.solve(stop=MaxRuntime(limit), seed=seed, display=False))
    if not result.is_feasible():
        return Outcome(None, wall, "infeasible")
    # PyVRP's clients are numbered from 0; customer i is client i - 1.
    routes = [[a.idx + 1 for a in route if a.is_client()] for route in result.best.routes()]
    violations = check_routes(instance, routes)
    note = f"its routes break our rules: {violations[0]}" if violations else ""
    return Outcome(result.best.distance() / 10, wall, note)


def check_routes(instance: Instance, routes: list[list[int]]) -> list[str]:
    """Customer routes (from another solver) as our plan, timed as early as possible, and
    run through our checker: a cross-check of this file's conversion of the instance."""
    scenario = to_scenario(instance)
    seconds = scenario.travel.seconds if isinstance(scenario.travel, Matrix) else ()
    plan_routes = []
    for k, route in enumerate(routes):
        clock = instance.ready[0] * SECONDS_PER_UNIT
        place = 0
        visits = []
        for c in route:
            clock = max(clock + int(seconds[place][c]), instance.ready[c] * SECONDS_PER_UNIT)
            start = EPOCH + timedelta(seconds=clock)
            clock += instance.service[c] * SECONDS_PER_UNIT
            visits.append(Visit(f"c{c}", start, EPOCH + timedelta(seconds=clock)))
            place = c
        plan_routes.append(Route(f"vehicle{k + 1}", 0, tuple(visits)))
    served = {c for route in routes for c in route}
    missing = tuple(
        Unassigned(f"c{c}", "not served") for c in range(1, len(instance.xy)) if c not in served
    )
    plan = Plan(instance.name, tuple(plan_routes), missing, objective(scenario, plan_routes))
    return check(scenario, plan)


def _mean_row(label: str, results: list[dict[float, tuple[float | None, ...]]],
              limits: Sequence[float]) -> list[str]:  # fmt: skip
    row = [label, "", ""]
    for limit in limits:
        gaps = [r[limit][0] for r in results]
        ratios = [r[limit][1] for r in results]
        row += ["", pct(mean(gaps)), "", fmt(mean(ratios), 4)]
    return row


def bench(args: argparse.Namespace) -> str:
    rows: list[list[str]] = []
    notes: list[str] = []
    # Per instance and limit: (our gap, ours/PyVRP, PyVRP's gap), None where not available.
    everything: list[dict[float, tuple[float | None, ...]]] = []
    for size in args.sizes:
        best = optima(args.data, size)
        names = args.instances or (QUICK if args.quick else sorted(best))
        results: list[dict[float, tuple[float | None, ...]]] = []
        for name in names:
            instance = read_instance(args.data / "instances" / str(size) / f"{name}.txt")
            row = [name, str(size), fmt(best[name])]
            result: dict[float, tuple[float | None, ...]] = {}
            for limit in args.limits:
                progress(f"{name}/{size} @ {limit:g}s")
                ours = run_ours(instance, limit, args.seed)
                theirs = run_pyvrp(instance, limit, args.seed)
                gap = None if ours.distance is None else ours.distance / best[name] - 1
                their_gap = None if theirs.distance is None else theirs.distance / best[name] - 1
                r = ratio(ours.distance, theirs.distance)
                result[limit] = (gap, r, their_gap)
                for who, out in (("ours", ours), ("pyvrp", theirs)):
                    if out.note:
                        notes.append(f"{name}/{size} {who}@{limit:g}s: {out.note}")
                row += [fmt(ours.distance), pct(gap), fmt(theirs.distance), fmt(r, 4)]
            rows.append(row)
            results.append(result)
        rows.append(_mean_row(f"mean {size}", results, args.limits))
        everything += results
    if len(args.sizes) > 1:
        rows.append(_mean_row("mean all", everything, args.limits))
    headers = ["instance", "n", "optimum"]
    for limit in args.limits:
        headers += [f"ours@{limit:g}s", "gap", f"pyvrp@{limit:g}s", "ratio"]
    for limit in args.limits:
        their = mean(r[limit][2] for r in everything)
        notes.append(f"PyVRP mean gap to the optimum @{limit:g}s: {pct(their)}")
    return table(headers, rows) + "\n\n" + "\n".join(f"- {n}" for n in notes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.solomon",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=SHARED / "bench" / "solomon",
        help="folder with instances/ and opt_*_distance_trunc1.csv",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100])
    parser.add_argument("--instances", nargs="+", help="names, e.g. C101 R205 (default: all)")
    parser.add_argument("--limits", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    args = parser.parse_args(argv)
    print(header("bench.solomon", sys.argv[1:] if argv is None else argv))
    print()
    print(bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
