"""``doorstep plan SCENARIO.json -o PLAN.json [--time-limit S] [--seed N] [--previous PLAN]``.

Writes the plan (atomically: a bad input or a failure writes nothing) and prints one summary
line to stderr. Exit status 0 on success, 2 for a bad scenario, previous plan or option (one
line naming the field and id at fault), 1 for anything unexpected. Never a traceback: errors
are caught here, at the edge, and nowhere else.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from scheduler.checker import check
from scheduler.fields import FormatError
from scheduler.greedy import greedy
from scheduler.io import load_plan, load_scenario, parse_plan, plan_to_dict, scenario_tzinfo
from scheduler.types import Plan, Scenario

PROG = "doorstep plan"


class UsageError(Exception):
    """A bad command line; the message is one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage and exit
        raise UsageError(message)


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Plan visits: scenario v1 in, plan v1 out.")
    parser.add_argument("scenario", help="scenario JSON file (shared/formats, version 1)")
    parser.add_argument("-o", "--output", required=True, help="where to write the plan JSON")
    parser.add_argument("--time-limit", type=float, default=5.0, metavar="SECONDS")
    parser.add_argument("--seed", type=int, default=0, metavar="N")
    parser.add_argument("--previous", metavar="PLAN.json", help="warm start from this plan")
    parser.add_argument(
        "--fairness", type=float, default=0.0, metavar="W", help="workload balance weight"
    )
    parser.add_argument("--greedy", action="store_true", help="greedy baseline, no solver")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except UsageError as exc:
        return _fail(2, f"{PROG}: {exc}")
    except FormatError as exc:
        return _fail(2, f"{PROG}: {exc}")
    except KeyboardInterrupt:
        return _fail(130, f"{PROG}: interrupted, no plan written")
    except Exception as exc:  # the CLI edge: one line, never a traceback
        return _fail(1, f"{PROG}: internal error, no plan written ({type(exc).__name__}: {exc})")


def _fail(status: int, message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)
    return status


def _run(argv: list[str]) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help printed its text
        return exc.code if isinstance(exc.code, int) else 0
    limit: float = args.time_limit
    if not math.isfinite(limit) or limit <= 0:
        raise UsageError(f"--time-limit: must be a positive number of seconds, got {limit}")
    if args.seed < 0:
        raise UsageError(f"--seed: must be 0 or more, got {args.seed}")
    if not math.isfinite(args.fairness) or args.fairness < 0:
        raise UsageError(f"--fairness: must be 0 or more, got {args.fairness}")
    output = Path(args.output)
    if not output.parent.is_dir():
        raise UsageError(f"-o: directory {str(output.parent)!r} does not exist")
    began = time.perf_counter()
    scenario = load_scenario(args.scenario)
    previous = None if args.previous is None else load_plan(args.previous)
    plan = _plan(scenario, args, previous)
    document = plan_to_dict(plan, tz=scenario_tzinfo(scenario))
    fallback = ""
    if check(scenario, parse_plan(document)):  # never write a plan our own checker rejects
        plan = greedy(scenario)
        document = plan_to_dict(plan, tz=scenario_tzinfo(scenario))
        document["solver"]["fallback"] = "solver plan failed the feasibility check"
        fallback = " (greedy fallback)"
    wall = time.perf_counter() - began
    document["solver"].setdefault("time_limit_s", limit)
    document["solver"]["wall_s"] = round(wall, 3)
    _write_atomically(output, document)
    _summary(scenario, plan, wall, output, fallback)
    return 0


def _plan(scenario: Scenario, args: argparse.Namespace, previous: Plan | None) -> Plan:
    if args.greedy:
        return greedy(scenario)
    from scheduler.component import preload_other_engines
    from scheduler.parallel import workers
    from scheduler.solver import solve  # OR-Tools loads only when the solver runs

    if workers() > 1:  # the second member's engines load before the plan's clock starts too
        preload_other_engines()
    return solve(
        scenario,
        time_limit_s=args.time_limit,
        seed=args.seed,
        previous=previous,
        fairness=args.fairness,
    )


def _write_atomically(path: Path, document: dict[str, object]) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"-o: cannot write in {str(path.parent)!r} ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"-o: cannot write {str(path)!r} ({exc.strerror})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _summary(scenario: Scenario, plan: Plan, wall: float, output: Path, note: str) -> None:
    total = len(scenario.requests)
    goal = plan.objective
    possible = sum(request.priority for request in scenario.requests)
    print(
        f"{PROG}: assigned {goal.assigned}/{total}, priority {goal.assigned_priority}/{possible}, "
        f"travel {goal.travel_seconds:.1f} s ({goal.travel_seconds / 3600:.2f} h), "
        f"wall {wall:.2f} s{note} -> {output}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    raise SystemExit(main())
