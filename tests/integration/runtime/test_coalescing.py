"""Re-plans coalesce per commune: one plan job for many submits; a dirty flag re-runs."""

from __future__ import annotations

import dataclasses
import threading
import time

from rq import SimpleWorker
from sqlalchemy import select

from dispatch import replan
from dispatch.models import Assignment, PlanRun
from dispatch.queues import SERIALIZER, Queues, plan_job_id
from dispatch.runtime import Runtime
from tests.fixtures.redis import RunJobs
from tests.integration.runtime.conftest import COMMUNE, submit_request


def _run_events(queues: Queues) -> None:
    SimpleWorker([queues.events], connection=queues.connection, serializer=SERIALIZER).work(
        burst=True, logging_level="WARNING"
    )


def test_many_submits_make_one_debounced_plan_job(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    runtime.settings = dataclasses.replace(runtime.settings, replan_debounce_seconds=0.5)
    for n in range(6):
        submit_request(runtime.sessions, n)
    _run_events(queues)  # six re-plan handlers run

    scheduled = queues.planning.scheduled_job_registry.get_job_ids()
    assert scheduled == [plan_job_id(COMMUNE)]  # one job, waiting out the debounce
    assert queues.planning.count == 0
    assert replan.dirty_communes(queues) == [COMMUNE]

    run_jobs(wait_scheduled_s=2)
    with runtime.sessions() as session:
        assert len(session.scalars(select(PlanRun)).all()) == 1
        assert len(session.scalars(select(Assignment)).all()) == 6
    assert replan.dirty_communes(queues) == []


def test_work_arriving_during_a_plan_runs_it_once_more(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    submit_request(runtime.sessions, 1)
    _run_events(queues)
    assert queues.planning.job_ids == [plan_job_id(COMMUNE)]

    answers: list[bool] = []

    def new_work_while_planning() -> None:
        # Wait until the plan job is running (it cleared the dirty flag), then ask again.
        # (Each check is a Redis round trip; the deadline stops a thread that would spin on.)
        deadline = time.monotonic() + 30
        while replan.is_dirty(queues, COMMUNE) and time.monotonic() < deadline:
            continue
        answers.append(replan.request_replan(queues, COMMUNE, 0))

    asker = threading.Thread(target=new_work_while_planning)
    asker.start()
    SimpleWorker([queues.planning], connection=queues.connection, serializer=SERIALIZER).work(
        burst=True, max_jobs=1, logging_level="WARNING"
    )
    asker.join(timeout=30)
    assert answers == [False]  # coalesced into the running job, not a second job
    assert queues.planning.job_ids == [plan_job_id(COMMUNE)]  # requeued by its own Retry

    run_jobs()
    with runtime.sessions() as session:
        assert [r.status for r in session.scalars(select(PlanRun))] == ["done", "done"]
        assert len(session.scalars(select(Assignment)).all()) == 1
    assert replan.dirty_communes(queues) == []


def test_sweep_recreates_a_lost_plan_job(runtime: Runtime, queues: Queues) -> None:
    replan.request_replan(queues, COMMUNE, 0)
    queues.planning.empty()  # the job is lost (e.g. Redis restarted without it)
    assert replan.sweep_dirty(queues, 0) == 1
    assert queues.planning.job_ids == [plan_job_id(COMMUNE)]
    assert replan.sweep_dirty(queues, 0) == 0  # exists: nothing to do
