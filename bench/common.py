"""Shared bits of the benchmarks: paths, timing, number formats and a Markdown table printer."""

from __future__ import annotations

import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared folder next to the repository (or next to a folder of worktrees above it).
SHARED = next(
    (p / "shared" for p in REPO_ROOT.parents if (p / "shared").is_dir()),
    REPO_ROOT.parent / "shared",
)

T = TypeVar("T")


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """Run ``call`` and return its result with the wall time in seconds."""
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}"


def pct(value: float | None) -> str:
    """A relative gap as a signed percentage, e.g. ``+1.23%``."""
    return "-" if value is None else f"{100 * value:+.2f}%"


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def geomean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None and v > 0]
    return statistics.geometric_mean(present) if present else None


def machine_cores() -> int:
    """The cores this process may run on: what a peer (VROOM) is given, all of them."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def header(title: str, argv: Sequence[str]) -> str:
    """A first line that says what ran, where and when, so tables can be pasted as is."""
    from scheduler.parallel import workers

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    command = " ".join(["python -m", title, *argv])
    return (
        f"`{command}` — {now}, Python {platform.python_version()}, {machine_cores()} cores, "
        f"our planner on {workers()} worker(s)"
    )


def worst(values: Iterable[float | None]) -> float | None:
    """The largest (worst) ratio."""
    present = [v for v in values if v is not None]
    return max(present) if present else None


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table with aligned columns (readable in a terminal too)."""
    body = [list(map(str, row)) for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), rule, *(line(row) for row in body)])


def progress(message: str) -> None:
    """Progress goes to stderr so stdout holds only the tables."""
    print(message, file=sys.stderr, flush=True)
