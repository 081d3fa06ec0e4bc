"""Fault tests: Redis down at submit, the same event published twice, a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select, update

from dispatch import relay
from dispatch.handlers import handlers_for
from dispatch.models import Assignment, Event, PlanRun
from dispatch.queues import PLAN_RETRY, SERIALIZER, Queues, event_job_id, make_queues, plan_job_id
from dispatch.redis_conn import EmbeddedRedis
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.settings import Settings
from tests.fixtures.redis import RunJobs, drain
from tests.integration.runtime.conftest import COMMUNE, seed_commune, submit_request


def _count(runtime: Runtime, event_type: str) -> int:
    with runtime.sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(Event).where(Event.type == event_type))
            or 0
        )


def test_redis_down_at_submit_is_published_by_the_sweep(
    settings: Settings, fresh_database_url: str, tmp_path: Path
) -> None:
    server = EmbeddedRedis(tmp_path / "own-redis")
    server.ensure_running()
    client = server.client()
    runtime = bootstrap(settings, worker=True, redis_client=client, database_url=fresh_database_url)
    install(runtime)
    try:
        seed_commune(runtime.sessions)
        server.stop()  # Redis goes away

        request_id = submit_request(runtime.sessions, 1)  # still stored, with its event
        with runtime.sessions() as session:
            row = session.scalars(select(Event).where(Event.type == "request.submitted")).one()
            assert row.published_at is None
            assert row.attempts == 1 and row.last_error and "ConnectionError" in row.last_error
            with pytest.raises(redis.ConnectionError):
                relay.sweep(runtime.sessions, runtime.queues)  # still down: still kept

        server.ensure_running()  # Redis is back; the sweep publishes what waited
        assert relay.sweep(runtime.sessions, runtime.queues) == 1
        assert drain(make_queues(client)) >= 2
        with runtime.sessions() as session:
            offer = session.scalars(select(Assignment)).one()
            assert offer.request_id == request_id
    finally:
        install(None)
        runtime.close()
        server.stop()


def test_same_event_published_twice_runs_once(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    submit_request(runtime.sessions, 1)
    with runtime.sessions() as session:
        event = session.scalars(select(Event)).one()
    job_ids = {event_job_id(event.id, handler) for handler in handlers_for(event.type)}
    job_id = event_job_id(event.id, "dispatch.jobs.replan_for_event")
    assert job_id in job_ids

    # Publish again: directly, and by the sweep after "losing" the published mark.
    assert relay.enqueue_handlers(queues, event.id, event.type) == 0
    with runtime.sessions.begin() as session:
        session.execute(update(Event).values(published_at=None))
    assert relay.sweep(runtime.sessions, runtime.queues) == 1
    assert set(queues.events.job_ids) == job_ids

    run_jobs()
    # Once more after it ran: the finished job's id still guards it.
    with runtime.sessions.begin() as session:
        session.execute(
            update(Event).where(Event.type == "request.submitted").values(published_at=None)
        )
    relay.sweep(runtime.sessions, runtime.queues)
    assert queues.events.count == 0 and run_jobs() == 0

    # Even past the job's lifetime, re-running the handler and the plan changes nothing.
    Job.fetch(job_id, connection=queues.connection, serializer=SERIALIZER).delete()
    assert relay.enqueue_handlers(queues, event.id, event.type) == 1
    run_jobs()  # the handler, then one more plan
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Assignment)) == 1
        assert session.scalar(select(func.count()).select_from(PlanRun)) == 2
    assert _count(runtime, "assignment.offered") == 1


def test_worker_killed_mid_job_runs_it_again_without_double_effect(
    settings: Settings, fresh_database_url: str, tmp_path: Path
) -> None:
    """A forking RQ worker (as in production) loses its work horse to SIGKILL during a plan
    job: the worker records the kill, RQ's retry runs the job again, nothing is doubled."""
    runtime = bootstrap(settings, worker=True, database_url=fresh_database_url)  # embedded Redis
    install(runtime)
    queues = runtime.queues
    env = dict(
        os.environ,
        DATABASE_URL=fresh_database_url,
        DOORSTEP_INSTANCE_PATH=str(settings.instance_path),
        DOORSTEP_SECRET_KEY=settings.secret_key,
        DOORSTEP_REPLAN_DEBOUNCE_SECONDS="0",
    )
    env.pop("REDIS_URL", None)
    worker = None
    worker_log = tmp_path / "worker.log"
    try:
        # With room for six visits a shift, six requests have too many routes to list for an
        # exact solve: the plan job searches for its whole time limit, long enough to kill.
        seed_commune(runtime.sessions, max_visits=6)
        for n in range(6):
            submit_request(runtime.sessions, n)
        drain_events_only(queues)  # the handlers ask for one plan job
        assert queues.planning.job_ids == [plan_job_id(COMMUNE)]

        with worker_log.open("wb") as log:
            worker = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "worker", "planning"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            horse = wait_for_horse(worker.pid, queues)
            horse.send_signal(signal.SIGKILL)  # the job dies mid-solve
            job = Job.fetch(
                plan_job_id(COMMUNE), connection=queues.connection, serializer=SERIALIZER
            )
            deadline = time.monotonic() + 20
            while job.get_status() not in (JobStatus.SCHEDULED, JobStatus.QUEUED):
                assert time.monotonic() < deadline, job.get_status()
                time.sleep(0.1)
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)

        # Proof that the kill happened, not merely that a plan finished: the horse is gone,
        # the worker saw it die of signal 9, RQ spent one retry, and the plan run it was
        # writing was left unfinished.
        assert not psutil.pid_exists(horse.pid) or horse.status() == psutil.STATUS_ZOMBIE
        assert "Work-horse terminated unexpectedly" in worker_log.read_text(errors="replace")
        assert "(signal 9)" in worker_log.read_text(errors="replace")
        job.refresh()
        assert job.retries_left == PLAN_RETRY.max - 1
        with runtime.sessions() as session:
            killed = session.scalars(select(PlanRun)).one()
            assert killed.status == "running" and killed.finished_at is None
            assert session.scalars(select(Assignment)).all() == []  # it died before writing

        # RQ's retry policy runs the same job again (here in-process, after its pause).
        drain(queues, wait_scheduled_s=10)
        with runtime.sessions() as session:
            offers = session.scalars(select(Assignment)).all()
            assert sorted(a.request_id for a in offers) == list(range(1, 7))
            statuses = sorted(session.scalars(select(PlanRun.status)).all())
            assert statuses.count("done") >= 1 and statuses.count("running") == 1
        assert _count(runtime, "assignment.offered") == 6  # once per request, never twice
    finally:
        if worker is not None and worker.poll() is None:
            worker.kill()
        install(None)
        queues.connection.flushdb()
        runtime.close()
        EmbeddedRedis(settings.instance_path).stop()


def drain_events_only(queues: Queues) -> None:
    from rq import SimpleWorker

    SimpleWorker([queues.events], connection=queues.connection, serializer=SERIALIZER).work(
        burst=True, logging_level="WARNING"
    )


def wait_for_horse(worker_pid: int, queues: Queues) -> psutil.Process:
    """The work horse RQ forked for the plan job, once the job is running."""
    registry = StartedJobRegistry(queue=queues.planning)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = psutil.Process(worker_pid).children()
        if children and registry.get_job_ids():
            time.sleep(0.3)  # well into the job (the solve takes seconds)
            return children[0]
        time.sleep(0.05)
    raise AssertionError("the worker never started the plan job")
