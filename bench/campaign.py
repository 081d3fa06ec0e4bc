"""Door-to-door campaign planning: ``python -m bench.campaign [--seeds 1 2 3] [--quick]``.

A generated commune (``bench.campaign_world``: 1,500 households, 18 hamlet teams of about 8,
5 days, one 3-hour block a day, mostly evenings and early mornings when farmers are home,
residents' visits already on some blocks). First, per seed, the households no volunteer's
shift and language can ever reach (``bench.campaign_diagnosis``; 0 in this world).
Each peer plans the same world:

- **ours**: ``dispatch.campaign_model.plan_day`` (the production code) day by day, the OR-Tools
  planner per hamlet; after each day's outcomes the next day is planned again, "nobody home"
  households going back in at another part of the day (as the RQ day jobs do).
- **greedy**: the same rolling procedure, each hamlet's day planned by ``scheduler.greedy``.
- **all at once**: one OR-Tools plan per hamlet over all 5 days, made before the campaign and
  kept (no re-planning: a "nobody home" is not retried), with the same total time budget.

Reported per peer: wall time of the first 5-day plan (target <= 60 s), households in more than
one list and in none (both must be 0; each one in none with its cause), visits outside free
shift time or over a resident's visit (must be 0), ``scheduler.check`` problems (must be 0);
then, with ``--miss`` (20%) of the visits finding nobody home each day, households reached
after 5 days, against the best possible: every list full and everybody home (the doors the
first plan lists).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace

from bench.campaign_diagnosis import CAUSES, causes, infeasible
from bench.campaign_peers import DAY_LIMIT_S, Outcome, all_at_once, stop_faults
from bench.campaign_world import World, make_world
from bench.common import fmt, header, progress, table, timed
from dispatch.campaign_model import (
    DayPlan,
    Door,
    Planner,
    part_of,
    plan_day,
)
from scheduler import check, greedy


def _plan(world: World, index: int, doors: list[Door], planner: Planner | None) -> DayPlan:
    return plan_day(
        f"bench {world.seed}",
        world.days[index],
        doors,
        world.walkers[index],
        time_limit_s=DAY_LIMIT_S,
        planner=planner,
    )


def rolling(world: World, peer: str, planner: Planner | None, miss: float) -> Outcome:
    state = {d.id: d for d in world.doors}
    listed: dict[str, int] = {}  # door -> day index of the list it is on
    lists: dict[int, DayPlan] = {}
    appearances: dict[str, int] = defaultdict(int)
    plan_s = 0.0
    for index in range(len(world.days)):  # the first plan: every day, in order
        doors = [d for d in state.values() if d.id not in listed]
        plan, wall = timed(lambda doors=doors, index=index: _plan(world, index, doors, planner))
        plan_s += wall
        lists[index] = plan
        for stop in plan.stops:
            listed[stop.door] = index
            appearances[stop.door] += 1
    faults = [stop_faults(p.stops, {w.id: w for w in world.walkers[i]}) for i, p in lists.items()]
    problems = sum(len(check(s, p)) for plan in lists.values() for s, p in plan.scenarios)
    best = len(appearances)
    why = causes(world, lists, set(appearances))
    rng = random.Random(world.seed * 7919)
    reached: set[str] = set()
    misses: dict[str, int] = defaultdict(int)
    for index in range(len(world.days)):
        if index > 0:  # the day job after yesterday's outcomes
            doors = [
                state[h]
                for h in state
                if h not in reached and misses[h] < 3 and listed.get(h, index) <= index
            ]
            lists[index] = _plan(world, index, doors, planner)
            for stop in lists[index].stops:
                listed[stop.door] = index
        for stop in lists[index].stops:
            if rng.random() < miss:
                misses[stop.door] += 1
                state[stop.door] = replace(
                    state[stop.door],
                    avoid_part=part_of(stop.start),
                    priority=state[stop.door].priority + 1,
                )
                listed.pop(stop.door, None)
            else:
                reached.add(stop.door)
    return Outcome(
        peer,
        world.seed,
        plan_s,
        sum(n > 1 for n in appearances.values()),
        len(world.doors) - best,
        sum(f[0] for f in faults),
        sum(f[1] for f in faults),
        problems,
        best,
        len(reached),
        len(world.doors),
        dict(why),
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.campaign", description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--miss", type=float, default=0.2, help="share of visits nobody home")
    parser.add_argument("--households", type=int, default=1500)
    parser.add_argument("--quick", action="store_true", help="300 households, 4 teams")
    parser.add_argument("--peers", nargs="+", default=["ours", "greedy", "all"])
    args = parser.parse_args(argv)
    size = dict(households=300, teams=4) if args.quick else dict(households=args.households)
    print(header("bench.campaign", sys.argv[1:] if argv is None else list(argv)))
    results: list[Outcome] = []
    feasibility: list[list[str]] = []
    for seed in args.seeds:
        world = make_world(seed, **size)  # type: ignore[arg-type]
        never = infeasible(world)
        progress(
            f"seed {seed}: {len(world.doors)} households, {sum(map(len, world.walkers))} shifts, "
            f"{len(never)} no volunteer's shift and language can ever reach"
        )
        feasibility.append(
            [str(seed), str(len(world.doors)), str(len(never))]
            + [str(sum(c == cause for c in never.values())) for cause in CAUSES[:2]]
        )
        if "ours" in args.peers:
            results.append(rolling(world, "ours", None, args.miss))
        if "greedy" in args.peers:
            results.append(rolling(world, "greedy", lambda s, _b: greedy(s), args.miss))
        if "all" in args.peers:
            results.append(all_at_once(world, args.miss))
        for r in results[-len(args.peers) :]:
            progress(
                f"  {r.peer}: plan {r.plan_s:.1f}s reached {r.reached}/{r.households} best {r.best}"
            )
    rows = [
        [
            r.peer,
            str(r.seed),
            fmt(r.plan_s),
            str(r.twice),
            str(r.unlisted),
            str(r.outside_shift),
            str(r.over_resident),
            str(r.check_problems),
            str(r.best),
            str(r.reached),
            fmt(100 * r.reached / r.households),
            fmt(100 * r.reached / r.best if r.best else 0),
        ]
        for r in results
    ]
    print(
        table(
            [
                "peer",
                "seed",
                "plan s",
                "twice",
                "unlisted",
                "outside shift",
                "over resident",
                "check",
                "best",
                "reached",
                "reached %",
                "% of best",
            ],
            rows,
        )
    )
    print()
    print(table(["seed", "households", "infeasible", *CAUSES[:2]], feasibility))
    print()
    why_rows = [[r.peer, str(r.seed), str(r.unlisted)] + [str(r.causes.get(c, 0)) for c in CAUSES]
                for r in results if r.peer != "all at once"]  # fmt: skip
    print(table(["peer", "seed", "unlisted", *CAUSES], why_rows))
    print()
    summary = []
    for peer in dict.fromkeys(r.peer for r in results):
        mine = [r for r in results if r.peer == peer]
        shares = [r.reached / r.best for r in mine if r.best]
        times = [r.plan_s for r in mine]
        summary.append(
            [
                peer,
                str(len(mine)),
                fmt(sum(times) / len(times)),
                fmt(max(times)),
                fmt(100 * sum(shares) / len(shares)),
                fmt(100 * min(shares)),
                fmt(100 * sum(r.reached / r.households for r in mine) / len(mine)),
            ]
        )
    print(
        table(
            [
                "peer",
                "seeds",
                "plan s mean",
                "plan s worst",
                "% of best mean",
                "% of best worst",
                "reached % mean",
            ],
            summary,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
