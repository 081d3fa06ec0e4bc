"""One plan of a commune at a time (a Redis lock), released at once when its worker is reaped;
shorter solves when many communes wait (back-pressure); the Procfile's roles and queues."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dispatch import jobs, replan
from dispatch.models import PlanRun
from dispatch.queues import PLANNING, QUEUE_NAMES, Queues, plan_job_id
from dispatch.runtime import Runtime
from tests.fixtures.redis import RunJobs
from tests.integration.runtime.conftest import COMMUNE, submit_request


def _plans(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(PlanRun)) or 0


def test_a_second_plan_of_a_commune_waits_for_the_first(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    submit_request(runtime.sessions, 1)
    held = replan.acquire_plan_lock(queues, COMMUNE, 60, owner="other-worker")
    assert held is not None
    assert replan.acquire_plan_lock(queues, COMMUNE, 60) is None  # taken

    run_jobs()  # the handler asks for a plan; the plan job finds the lock held
    assert _plans(runtime) == 0
    assert replan.dirty_communes(queues) == [COMMUNE]  # the work is kept
    # ... and the job waits out the lock's TTL (a scheduled re-run), never a second plan.
    assert queues.planning.scheduled_job_registry.get_job_ids() == [plan_job_id(COMMUNE)]

    replan.release_plan_lock(queues, COMMUNE, "someone-else:x")  # not the owner: no effect
    assert replan.acquire_plan_lock(queues, COMMUNE, 60) is None
    replan.release_plan_lock(queues, COMMUNE, held)
    assert replan.sweep_dirty(queues, 0) == 0  # its job is still there
    run_jobs(wait_scheduled_s=jobs.PLAN_LOCK_TTL_S + 1)
    assert _plans(runtime) == 1
    assert replan.dirty_communes(queues) == []
    assert not queues.connection.exists(replan.lock_key(COMMUNE))  # released after the plan


def test_a_dead_workers_locks_are_released(queues: Queues) -> None:
    mine = replan.acquire_plan_lock(queues, "C1", 60, owner="dead-one")
    theirs = replan.acquire_plan_lock(queues, "C2", 60, owner="dead-one-2")
    assert mine and theirs
    assert replan.release_locks_of(queues.connection, "dead-one") == 1
    assert replan.acquire_plan_lock(queues, "C1", 60) is not None
    assert replan.acquire_plan_lock(queues, "C2", 60) is None


def test_backlog_shortens_the_solve_but_not_below_the_floor() -> None:
    assert replan.time_limit_under_backlog(2.0, 0) == 2.0
    assert replan.time_limit_under_backlog(2.0, replan.BACKLOG_AT_FULL_LIMIT) == 2.0
    assert replan.time_limit_under_backlog(2.0, 8) == 1.0
    assert replan.time_limit_under_backlog(2.0, 1000) == replan.MIN_TIME_LIMIT_S


def test_procfile_keeps_planning_apart_from_messages() -> None:
    procfile = Path(__file__).parents[3] / "Procfile"
    roles = dict(line.split(":", 1) for line in procfile.read_text().splitlines() if line.strip())
    assert set(roles) == {"web", "worker", "planner"}
    assert "gunicorn" in roles["web"] and "web:create_app()" in roles["web"]
    worker, planner = shlex.split(roles["worker"]), shlex.split(roles["planner"])
    queues_of = {name: [a for a in argv if a in QUEUE_NAMES] for name, argv in
                 (("worker", worker), ("planner", planner))}  # fmt: skip
    assert PLANNING not in queues_of["worker"] and set(queues_of["worker"]) == {
        "events",
        "messages",
    }
    assert queues_of["planner"] == [PLANNING]
    # Each role moves its own scheduled jobs (debounced plans, retries, held SMS) to its queues.
    assert "--with-scheduler" in worker and "--with-scheduler" in planner


def test_a_running_plan_keeps_its_short_lock_and_a_dead_one_lets_it_lapse(queues: Queues) -> None:
    import time

    token = replan.acquire_plan_lock(queues, "C3", 0.4)
    assert token is not None
    keeper = replan.LockKeeper(queues, "C3", token, 0.4)
    keeper.start()
    time.sleep(1.0)  # well past the TTL: renewed meanwhile
    assert queues.connection.get(replan.lock_key("C3")) == token.encode()
    keeper.stop()  # the plan's horse "dies": nobody renews
    keeper.join()
    time.sleep(0.6)
    assert replan.acquire_plan_lock(queues, "C3", 0.4) is not None


def test_the_sweep_replans_a_commune_whose_request_no_plan_has_seen(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from dispatch.clock import utcnow
    from dispatch.models import HelpRequest
    from dispatch.replan_sweep import STALE_AFTER, communes_with_unplanned_requests
    from dispatch.worker import sweep_once

    submit_request(runtime.sessions, 1)
    queues.connection.flushdb()  # its handler job and the dirty flag are lost (kills, restarts)
    assert communes_with_unplanned_requests(runtime.sessions, utcnow()) == []  # too fresh
    with runtime.sessions.begin() as session:
        past = utcnow() - STALE_AFTER - timedelta(seconds=5)
        session.execute(update(HelpRequest).values(created_at=past))
    assert communes_with_unplanned_requests(runtime.sessions, utcnow()) == [COMMUNE]
    sweep_once(runtime)
    run_jobs()
    assert _plans(runtime) == 1
    assert communes_with_unplanned_requests(runtime.sessions, utcnow()) == []  # seen now


def test_small_problems_get_small_limits() -> None:
    assert replan.time_limit_for_size(2.0, 0) == replan.SIZE_BASE_S
    assert replan.time_limit_for_size(2.0, 2) == pytest.approx(0.35)
    assert replan.time_limit_for_size(2.0, 100) == 2.0
