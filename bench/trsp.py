"""Technicians from their own homes, with skills (TRSP, ``shared/bench/trsp``): ours vs VROOM.

Each instance is converted by the rule of ``shared/bench/trsp/README.md`` (``to_scenario``).
VROOM (pyvroom, exploration level 5, every core of the machine) runs first; ours then runs at
VROOM's wall time (``--min-limit`` sets a floor) and at ``--limit`` seconds (default 10).
Served requests come first (every request has priority 1), then travel; every plan goes
through ``scheduler.checker.check``. A summary gives the served difference (worst) and the
mean and worst travel ratio over the instances.

    python -m bench.trsp --quick
    python -m bench.trsp --instances C101 R201 RC105
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from bench.common import SHARED, fmt, header, mean, progress, ratio, table, timed, worst
from bench.vroom_baseline import solve_vroom
from scheduler.checker import check
from scheduler.solver import solve
from scheduler.types import Interval, Matrix, MatrixLoc, Plan, Request, Scenario, Volunteer

EPOCH = datetime(2026, 11, 30, tzinfo=UTC)
TECHNICIANS = 25  # rows 1-25 of every crew25 instance
QUICK = ("C101", "C201", "R101", "R201", "RC101", "RC201")
ROW = re.compile(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\[([^]]*)]\s+\[([^]]*)]")


def _ids(text: str) -> list[int]:
    return [int(t) for t in text.split(",") if t.strip()]


def to_scenario(name: str, text: str) -> Scenario:
    """An instance file as a scenario. Rows 1-25 are technicians (home, one shift TWS-TWE),
    later rows requests; SKILLS -> ``s:N`` and TOOLS -> ``tool:N`` on both sides; travel is 60 s
    per unit of Euclidean distance, to the millisecond; priority 1. A request's TWS-TWE bounds
    the start of its service, as in Solomon (in the C instances every such window is shorter
    than the service), and our windows hold the whole visit, so ours is [TWS, TWE + Serv]."""
    rows = [m.groups() for line in text.splitlines() if (m := ROW.match(line))]
    places = [r for r in rows if int(r[0]) >= 1]
    if len(places) <= TECHNICIANS:
        raise ValueError(f"{name}: {len(places)} rows, expected technicians and requests")
    xy = [(float(r[1]), float(r[2])) for r in places]
    seconds = tuple(tuple(round(60.0 * math.dist(a, b), 3) for b in xy) for a in xy)

    def at(minutes: float) -> datetime:
        return EPOCH + timedelta(minutes=minutes)

    def skills(row: tuple[str, ...]) -> frozenset[str]:
        return frozenset([f"s:{n}" for n in _ids(row[6])] + [f"tool:{n}" for n in _ids(row[7])])

    volunteers = tuple(
        Volunteer(
            id=f"t{row[0]}",
            location=MatrixLoc(i),
            skills=skills(row),
            shifts=(Interval(at(float(row[3])), at(float(row[4]))),),
        )
        for i, row in enumerate(places[:TECHNICIANS])
    )
    requests = tuple(
        Request(
            id=f"r{row[0]}",
            location=MatrixLoc(i),
            skills=skills(row),
            duration_min=float(row[5]),
            windows=(Interval(at(float(row[3])), at(float(row[4]) + float(row[5]))),),
        )
        for i, row in enumerate(places)
        if i >= TECHNICIANS
    )
    return Scenario(name=name, travel=Matrix(seconds), volunteers=volunteers, requests=requests)


def instances(data: Path, names: Sequence[str] | None) -> list[Path]:
    files = sorted(data.iterdir())
    if not names:
        return files
    wanted = {n.upper() for n in names}
    return [f for f in files if f.name.split(".")[0].upper() in wanted]


def _cells(plan: Plan, scenario: Scenario, vroom: Plan, wall: float) -> list[str]:
    obj = plan.objective
    bad = check(scenario, plan)
    return [
        f"{obj.assigned}",
        fmt(obj.travel_seconds / 60, 1),
        fmt(ratio(obj.travel_seconds, vroom.objective.travel_seconds), 3),
        fmt(wall, 1),
        "yes" if not bad else f"NO ({len(bad)}: {bad[0]})",
    ]


def bench(args: argparse.Namespace) -> str:
    rows: list[list[str]] = []
    notes: list[str] = []
    # Per limit label: (served - VROOM's, travel ratio) per instance.
    outcomes: dict[str, list[tuple[int, float | None]]] = {"vroom wall": [], "limit": []}
    for path in instances(args.data, args.instances or (QUICK if args.quick else None)):
        name = path.name.split(".")[0]
        text = path.read_text()
        if not text.strip():
            notes.append(f"{name}: empty file, skipped")
            continue
        scenario = to_scenario(name, text)
        progress(f"{name}: vroom")
        vroom, vroom_wall = solve_vroom(scenario, exploration_level=args.vroom_level)
        at_vroom = max(vroom_wall, args.min_limit)
        progress(f"{name}: ours @ {at_vroom:.1f}s and @ {args.limit:g}s")
        short, short_wall = timed(partial(solve, scenario, time_limit_s=at_vroom, seed=args.seed))
        long, long_wall = timed(partial(solve, scenario, time_limit_s=args.limit, seed=args.seed))
        vroom_bad = check(scenario, vroom)
        rows.append([
            name, str(vroom.objective.assigned), fmt(vroom.objective.travel_seconds / 60, 1),
            fmt(vroom_wall, 1), "yes" if not vroom_bad else f"NO ({len(vroom_bad)})",
            *_cells(short, scenario, vroom, short_wall),
            *_cells(long, scenario, vroom, long_wall),
        ])  # fmt: skip
        for label, plan in (("vroom wall", short), ("limit", long)):
            outcomes[label].append(
                (
                    plan.objective.assigned - vroom.objective.assigned,
                    ratio(plan.objective.travel_seconds, vroom.objective.travel_seconds),
                )
            )
    headers = ["instance", "vroom served", "vroom travel min", "vroom s", "ok",
               "ours@vroom served", "travel min", "ratio", "s", "ok",
               f"ours@{args.limit:g}s served", "travel min", "ratio", "s", "ok"]  # fmt: skip
    summary = []
    for label, results in outcomes.items():
        if not results:
            continue
        equal = [r for d, r in results if d == 0]
        summary.append([
            "VROOM's wall time" if label == "vroom wall" else f"{args.limit:g} s",
            str(len(results)),
            f"{min(d for d, _ in results):+d}",
            str(sum(1 for d, _ in results if d < 0)),
            fmt(mean(r for _, r in results), 4),
            fmt(worst(r for _, r in results), 4),
            fmt(mean(equal), 4),
        ])  # fmt: skip
    summary_headers = ["ours at", "instances", "worst served diff", "fewer served",
                       "mean travel/vroom", "worst travel/vroom", "mean, equal served"]  # fmt: skip
    return (
        table(headers, rows)
        + ("\n\n" + "\n".join(f"- {n}" for n in notes) if notes else "")
        + "\n\n"
        + table(summary_headers, summary)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.trsp",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", type=Path, default=SHARED / "bench" / "trsp" / "crew25")
    parser.add_argument("--instances", nargs="+", help="names, e.g. C101 R201 (default: all)")
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--limit", type=float, default=10.0, help="our second time limit")
    parser.add_argument("--min-limit", type=float, default=0.0, help="floor at VROOM's time")
    parser.add_argument("--vroom-level", type=int, default=5, help="exploration level 1-5")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(header("bench.trsp", sys.argv[1:] if argv is None else argv))
    print()
    print(bench(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
