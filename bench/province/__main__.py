"""``python -m bench.province PART [options]``: the province on the production shape.

Parts (each < 10 min, each on a fresh private stack; see bench/README.md):
  webhooks  signed inbound SMS webhooks/s, p50/p99, gunicorn 2 workers x 4 threads
  offers    submit -> offer SMS latency at --rate submits/s with a worker and a planner
  peak      the province day's morning peak replayed (--minutes, --speedup)
  faults    the fault table (bench.province.faults)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

from bench.province import scenarios
from bench.province.stack import Stack, new_stack
from demo.province import ProvinceSpec


def _workers(stack: Stack, workers: int, planners: int) -> None:
    for n in range(workers):
        stack.start_worker(f"worker{n}", ["messages", "events"])
    for n in range(planners):
        stack.start_worker(f"planner{n}", ["planning"])
    time.sleep(4)


def _print(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n### {title}\n")
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        cells = [f"{v:.1f}" if isinstance(v, float) else json.dumps(v) if isinstance(v, dict)
                 else str(v) for v in row.values()]  # fmt: skip
        print("| " + " | ".join(cells) + " |")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.province")
    parser.add_argument("part", choices=["webhooks", "offers", "peak", "faults"])
    parser.add_argument("--scale", type=float, default=1.0, help="province size (1 = 102 communes)")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--speedup", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--planners", type=int, default=1)
    parser.add_argument("--threads", type=int, nargs="+", default=[4, 8, 16])
    parser.add_argument("--keep", action="store_true", help="leave the stack's folder")
    args = parser.parse_args(argv)
    spec = ProvinceSpec().scaled(args.scale)
    print(f"machine: {os.cpu_count()} cores; province {spec}", file=sys.stderr)
    stack = new_stack(args.scale)
    try:
        stack.start_web()
        if args.part == "webhooks":
            scenarios.webhooks(stack, 5, 8, None)  # warm-up: imports, pools, caches
            rows = [scenarios.webhooks(stack, args.seconds, t, None) for t in args.threads]
            rows.append(scenarios.webhooks(stack, args.seconds, 16, args.rate))
            _print("signed inbound SMS webhooks (no worker running)", rows)
        elif args.part == "offers":
            _workers(stack, args.workers, args.planners)
            _print(f"submit -> offer SMS, {args.workers} worker + {args.planners} planner",
                   [scenarios.offers(stack, args.rate, args.seconds, spec)])  # fmt: skip
        elif args.part == "peak":
            _workers(stack, args.workers, args.planners)
            _print(f"morning peak, {args.workers} worker + {args.planners} planner(s)",
                   [scenarios.peak(stack, spec, args.minutes, args.speedup)])  # fmt: skip
        else:
            from bench.province import faults

            _workers(stack, args.workers, args.planners)
            faults.main(stack, spec, args)
    finally:
        stack.stop_all()
        print(f"stack folder: {stack.root}", file=sys.stderr)
        if not args.keep:
            import shutil

            shutil.rmtree(stack.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
