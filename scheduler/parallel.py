"""Components planned on every core: worker processes, a portfolio per component, fallbacks.

``workers()`` is the number of processes one plan may use: ``DOORSTEP_PLANNER_WORKERS`` when
set (read at each call, so a deployment can change it without a restart), else the cores this
process may run on. With one worker everything runs in this process, one component after the
other (``plan_components`` with ``count=1``), exactly as before there were workers.

With more, the components are spread over the workers by size (largest first, each to the
least loaded worker); when there are fewer components than workers, the spare workers run
other members of the portfolio (``scheduler.component.VARIANTS``: another seed and kind of
search) on the largest components. Each worker is a forked process: it inherits the problem
(nothing is pickled on the way in), plans its share until the deadline and sends the routes
back through a pipe. Per component the best result under the formats' objective (assigned
priority, then travel) is kept. A worker that dies, raises or does not answer by the deadline
costs only its own results: a component nobody answered for gets the fallback routes (the
greedy plan's routes on its shifts), so the plan is never lost.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

from scheduler.component import (
    OTHER_ENGINES_MIN_S,
    PROVED,
    plan_component,
    preload_other_engines,
    variant_of,
)
from scheduler.problem import Problem
from scheduler.timetable import score

WORKERS_SETTING = "DOORSTEP_PLANNER_WORKERS"
# How long past the deadline the parent waits for a worker's answer before giving up on it:
# at least GRACE_S, else this share of the time the workers were given. A worker ends its
# search at the deadline, but on a loaded machine its last step (a model build, an exact
# solve) can end late: on one core shared with six busy processes a 2 s plan's worker
# answered up to 0.55 s late. A late answer is worth the wait (the alternative is the
# component's greedy routes); only a worker that hangs costs the whole wait.
GRACE_S = 0.5
LATE_SHARE = 0.5
# A test hook: a component index here makes the worker that plans it exit abruptly;
# "hang:<index>" makes it stop answering instead.
FAIL_COMPONENTS_SETTING = "DOORSTEP_PLANNER_TEST_FAIL_COMPONENTS"

# The status of a component whose worker failed (its routes are the fallback's).
FALLBACK = "fallback"

Routes = dict[int, list[int]]
Part = tuple[list[int], list[int]]  # requests, vehicles
Result = tuple[Routes | None, str]


def workers() -> int:
    """Processes one plan may use: the setting, or the cores available to this process."""
    setting = os.environ.get(WORKERS_SETTING, "").strip()
    if setting:
        try:
            return max(1, int(setting))
        except ValueError:
            raise ValueError(f"{WORKERS_SETTING} must be a whole number, got {setting!r}") from None
    counter = getattr(os, "process_cpu_count", None)  # Python 3.13+
    if counter is not None:
        return max(1, counter() or 1)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def assign(parts: list[Part], count: int, *, portfolio: bool) -> list[list[tuple[int, int]]]:
    """(component, variant) tasks per worker. Components go largest first to the least loaded
    worker; with ``portfolio``, spare workers take further variants of the largest
    components."""
    order = sorted(range(len(parts)), key=lambda i: (-len(parts[i][0]), i))
    jobs: list[list[tuple[int, int]]] = [[] for _ in range(min(count, max(1, len(parts))))]
    loads = [0] * len(jobs)
    for i in order:
        w = loads.index(min(loads))
        jobs[w].append((i, 0))
        loads[w] += len(parts[i][0])
    spare = count - len(jobs) if portfolio else 0
    for n in range(spare if order else 0):
        jobs.append([(order[n % len(order)], 1 + n // len(order))])
    return jobs


def plan_tasks(
    problem: Problem,
    parts: list[Part],
    tasks: list[tuple[int, int]],
    deadline: float,
    *,
    seed: int,
    prior: Routes,
    fairness: float,
    threads: int = 1,
) -> dict[tuple[int, int], Result]:
    """Plan ``tasks`` one after the other; each gets a share of the time left by its size.
    ``threads`` is what a member may use for VROOM: the cores of the plan's workers."""
    results: dict[tuple[int, int], Result] = {}
    fail, hang = _failing_components()
    for n, (i, variant) in enumerate(tasks):
        if i in fail:
            os._exit(3)  # a crash, as abrupt as a segfault: no exception handler runs
        if i in hang:
            time.sleep(3600)  # alive but silent, as a deadlocked worker
        requests, vehicles = parts[i]
        remaining = sum(len(parts[j][0]) for j, _ in tasks[n:])
        budget = max(0.01, (deadline - time.perf_counter()) * len(requests) / remaining)
        results[(i, variant)] = plan_component(
            problem,
            requests,
            vehicles,
            time.perf_counter() + budget,
            seed=seed,
            prior=prior,
            fairness=fairness,
            variant=variant,
            threads=threads,
        )
    return results


def _failing_components() -> tuple[set[int], set[int]]:
    """Components whose worker crashes, and those whose worker hangs (the test hook)."""
    crash: set[int] = set()
    hang: set[int] = set()
    for token in os.environ.get(FAIL_COMPONENTS_SETTING, "").split(","):
        kind, _, index = token.strip().rpartition(":")
        if index:
            (hang if kind == "hang" else crash).add(int(index))
    return crash, hang


def _worker(conn: Connection, run: Callable[[], dict[tuple[int, int], Result]]) -> None:
    try:
        conn.send(("ok", run()))
    except BaseException:  # noqa: BLE001 - reported to the parent, which falls back
        conn.send(("error", traceback.format_exc(limit=5)))
    finally:
        conn.close()


def plan_components(
    problem: Problem,
    parts: list[Part],
    deadline: float,
    *,
    seed: int,
    prior: Routes,
    fairness: float,
    fallback: Callable[[Part], Routes],
    count: int,
) -> tuple[list[Result], list[str]]:
    """Each component's best result, and notes on workers that failed (empty when none)."""
    # With a previous plan or fairness the objective weighs more than priority and travel,
    # which is all the choice between members of a portfolio looks at: no portfolio then.
    jobs = assign(parts, count, portfolio=not prior and fairness <= 0) if count > 1 else []
    if len(jobs) <= 1:  # one worker's worth of work: no process to fork
        tasks = [(i, 0) for i in range(len(parts))]
        done = plan_tasks(
            problem, parts, tasks, deadline, seed=seed, prior=prior, fairness=fairness
        )
        return [done[(i, 0)] for i in range(len(parts))], []
    if deadline - time.perf_counter() >= OTHER_ENGINES_MIN_S and any(
        variant_of(variant).other_engines for job in jobs for _, variant in job
    ):
        preload_other_engines()
    results, notes = _forked(problem, parts, jobs, deadline, seed, prior, fairness)
    best: list[Result] = []
    for i, part in enumerate(parts):
        answered = results.get(i, [])
        found = [r for r in answered if r[0] is not None]
        if found:
            best.append(max(found, key=lambda r: score(problem, (r[0] or {}).items())))
        elif answered:  # searched and found nothing in time, as on one core
            best.append(answered[0])
        else:
            best.append((fallback(part), FALLBACK))
    return best, notes


def _forked(
    problem: Problem,
    parts: list[Part],
    jobs: list[list[tuple[int, int]]],
    deadline: float,
    seed: int,
    prior: Routes,
    fairness: float,
) -> tuple[dict[int, list[Result]], list[str]]:
    """Run each job in a forked process; the results per component, and notes on failures."""
    context = multiprocessing.get_context("fork")
    running: list[tuple[BaseProcess, Connection]] = []
    for tasks in jobs:
        receive, send = context.Pipe(duplex=False)

        def run(tasks: list[tuple[int, int]] = tasks) -> dict[tuple[int, int], Result]:
            return plan_tasks(
                problem, parts, tasks, deadline, seed=seed, prior=prior, fairness=fairness,
                threads=len(jobs),
            )  # fmt: skip

        process: BaseProcess = context.Process(target=_worker, args=(send, run))
        process.start()
        send.close()
        running.append((process, receive))
    give_up_at = deadline + max(GRACE_S, LATE_SHARE * max(0.0, deadline - time.perf_counter()))
    results: dict[int, list[Result]] = {}
    notes: list[str] = []
    waiting = {
        receive: (process, tasks) for (process, receive), tasks in zip(running, jobs, strict=True)
    }
    while waiting:
        ready = wait(list(waiting), timeout=max(0.0, give_up_at - time.perf_counter()))
        if not ready:  # past the deadline and its grace: the rest are given up on
            for _, tasks in waiting.values():
                notes.append(f"worker for components {_names(tasks)} failed: no answer in time")
            break
        for conn in ready:
            assert isinstance(conn, Connection)
            _, tasks = waiting.pop(conn)
            answer = _receive(conn)
            if answer is None or answer[0] != "ok":
                detail = "died" if answer is None else str(answer[1]).strip().splitlines()[-1]
                notes.append(f"worker for components {_names(tasks)} failed: {detail}")
                continue
            done: dict[tuple[int, int], Result] = answer[1]  # type: ignore[assignment]
            for (i, _), result in done.items():
                results.setdefault(i, []).append(result)
        # Once every component is proved optimal, the other members cannot do better.
        if all(any(r[1] == PROVED for r in results.get(i, [])) for i in range(len(parts))):
            break
    for process, _ in running:
        _stop(process)
    for receive in waiting:
        receive.close()
    return results, notes


def _names(tasks: list[tuple[int, int]]) -> str:
    """The components of a worker's tasks, and which portfolio members it ran when not the
    first: which member fails or is late is what a diagnosis needs."""
    members = sorted({variant for _, variant in tasks if variant})
    named = str(sorted({i for i, _ in tasks}))
    return named + (f" (portfolio member {', '.join(map(str, members))})" if members else "")


def _receive(conn: Connection) -> tuple[str, object] | None:
    try:
        answer: tuple[str, object] = conn.recv()
        return answer
    except (EOFError, OSError):  # the worker died before sending
        return None
    finally:
        conn.close()


def _stop(process: BaseProcess) -> None:
    process.join(timeout=0.05)
    if process.is_alive():
        process.kill()
        process.join()
