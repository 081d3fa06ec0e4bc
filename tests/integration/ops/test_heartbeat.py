"""A worker killed by SIGKILL shows on /healthz within its heartbeat TTL, and a live worker
then reaps it: the job it was running is retried at once instead of after RQ's minutes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from rq import Retry
from rq.job import Job, JobStatus

from dispatch import heartbeat
from dispatch.queues import SERIALIZER, make_queues
from dispatch.settings import load_settings
from web import create_app

TTL = "2"


def _redis_url(client: redis.Redis[bytes]) -> str:
    configured = os.environ.get("REDIS_URL", "").strip()
    if configured:
        return configured
    return f"unix://{client.connection_pool.connection_kwargs['path']}"


@pytest.fixture
def env(tmp_path: Path, fresh_database_url: str, redis_conn: redis.Redis[bytes]) -> dict[str, str]:
    return {
        "DOORSTEP_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": _redis_url(redis_conn),
        "DOORSTEP_SECRET_KEY": "test-secret-key-0123456789",
        "DOORSTEP_HEARTBEAT_SECONDS": TTL,
    }


@pytest.fixture
def start_worker(
    env: dict[str, str], tmp_path: Path, redis_conn: redis.Redis[bytes]
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> subprocess.Popen[bytes]:
        with (tmp_path / f"worker{len(started)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "worker", *flags, "events", "messages"],
                env={**os.environ, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: the work horse dies with it
            )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # A killed worker's blocking dequeue can outlive it in Redis while a child that inherited
    # its socket is still exiting; the next test's job would then be taken by the dead worker
    # (seen once: the next test waited forever on an empty queue).
    for client in redis_conn.client_list():
        if "b" in client.get("flags", ""):
            redis_conn.client_kill_filter(_id=client["id"])


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s: {what}"
        time.sleep(0.1)
    return time.monotonic() - started


@pytest.mark.parametrize("flags", [(), ("--no-fork",)], ids=["forking", "no-fork"])
def test_sigkilled_worker_is_reported_then_reaped_and_its_job_retried(
    flags: tuple[str, ...],
    env: dict[str, str],
    redis_conn: redis.Redis[bytes],
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    client = create_app(load_settings(env)).test_client()
    queues = make_queues(redis_conn)
    first = start_worker(*flags)
    _wait(lambda: len(heartbeat.alive(redis_conn)) == 1, 30, "first heartbeat")
    time.sleep(float(TTL) + 0.5)  # past the start-up grace: judged like any worker
    assert client.get("/healthz").json["checks"]["workers"] == "ok"

    # A job that runs long enough to be killed in the middle, with a retry left.
    job = queues.events.enqueue("time.sleep", args=(3,), retry=Retry(max=1))
    _wait(lambda: job.get_status() == JobStatus.STARTED, 20, "job started")
    os.killpg(first.pid, signal.SIGKILL)  # worker and work horse, mid-job
    first.wait()

    took = _wait(
        lambda: client.get("/healthz").status_code == 503, 3 * float(TTL) + 2, "reported dead"
    )
    answer = client.get("/healthz").json
    assert answer["checks"]["workers"].startswith(f"no heartbeat for {TTL} s from 1 worker")
    assert took < 3 * float(TTL) + 2  # seconds, not RQ's 420 s worker TTL

    start_worker()  # a live worker reaps the dead one and the job runs again
    _wait(lambda: client.get("/healthz").status_code == 200, 30, "reaped")
    _wait(lambda: job.get_status() == JobStatus.FINISHED, 30, "job retried and finished")
    job = Job.fetch(job.id, connection=redis_conn, serializer=SERIALIZER)
    assert int(redis_conn.get(heartbeat.REAPED_COUNTER) or 0) == 1
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "doorstep_workers_reaped_total 1" in metrics
    assert "doorstep_workers_alive 1" in metrics


def test_a_killed_schedulers_queues_are_taken_over_in_seconds(
    env: dict[str, str],
    redis_conn: redis.Redis[bytes],
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    """RQ's scheduler lock outlives a SIGKILLed scheduler by a minute and the other workers
    look again only every ten: scheduled jobs (debounced plans, retries) would wait that long."""
    from datetime import timedelta

    queues = make_queues(redis_conn)
    first = start_worker("--with-scheduler")
    lock = "rq:scheduler-lock:events"
    _wait(lambda: bool(redis_conn.exists(lock)), 30, "first scheduler's lock")
    os.killpg(first.pid, signal.SIGKILL)  # worker and its scheduler process
    first.wait()
    assert redis_conn.exists(lock)  # still held by the dead scheduler
    start_worker("--with-scheduler")
    job = queues.events.enqueue_in(timedelta(seconds=1), "time.sleep", args=(0,))
    # The new worker must start (seconds on a loaded machine), beat, release the dead lock and
    # take the queue: well under RQ's 60 s lock TTL, let alone its 10-minute maintenance.
    took = _wait(lambda: job.get_status() == JobStatus.FINISHED, 55, "scheduled job ran")
    assert took < 55


def test_a_job_left_running_by_a_worker_that_quit_on_its_own_is_handed_back(
    redis_conn: redis.Redis[bytes],
) -> None:
    """A worker that loses Redis mid-job quits and unregisters itself; no dead worker points at
    its job any more, which RQ would otherwise retry only at its ten-minute maintenance."""
    from rq import SimpleWorker

    from tests.fixtures.redis import drain

    queues = make_queues(redis_conn)
    job = queues.events.enqueue("time.sleep", args=(0,), retry=Retry(max=1))
    quitter = SimpleWorker([queues.events], connection=redis_conn, serializer=SERIALIZER)
    quitter.register_birth()
    taken = quitter.dequeue_job_and_maintain_ttl(timeout=1)
    assert taken is not None and taken[0].id == job.id
    quitter.prepare_execution(job)  # what RQ does before running it
    quitter.prepare_job_execution(job)
    quitter.register_death()  # what RQ does when it quits on an unhandled error
    assert job.get_status() == JobStatus.STARTED

    assert heartbeat.reap(redis_conn, 0.5) == []  # no registered worker to reap
    assert heartbeat.reap_orphans(redis_conn, 0.5) == []  # started under 0.5 s ago: left
    time.sleep(0.6)
    assert heartbeat.reap_orphans(redis_conn, 0.5) == [job.id]
    assert job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED)  # its retry
    drain(queues, wait_scheduled_s=5)
    assert job.get_status() == JobStatus.FINISHED


def test_a_running_job_of_a_live_worker_is_not_an_orphan(redis_conn: redis.Redis[bytes]) -> None:
    from rq import SimpleWorker

    queues = make_queues(redis_conn)
    job = queues.events.enqueue("time.sleep", args=(0,), retry=Retry(max=1))
    busy = SimpleWorker([queues.events], connection=redis_conn, serializer=SERIALIZER)
    busy.register_birth()  # registered, so alive for RQ, though it has no heartbeat of ours
    assert busy.dequeue_job_and_maintain_ttl(timeout=1) is not None
    busy.prepare_execution(job)
    busy.prepare_job_execution(job)
    time.sleep(0.6)
    assert heartbeat.reap_orphans(redis_conn, 0.5) == []
    assert job.get_status() == JobStatus.STARTED


def test_a_zombie_scheduler_counts_as_dead() -> None:
    """A SIGKILLed scheduler whose worker died too waits as a zombie for an init process that
    may never reap it (a container): it must not keep its lock alive."""
    child = subprocess.Popen(["sleep", "0"])
    _wait(lambda: Path(f"/proc/{child.pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z",
          10, "child exited")  # fmt: skip
    assert not heartbeat._alive(child.pid)
    assert heartbeat._alive(os.getpid())
    child.wait()
    assert not heartbeat._alive(child.pid)


def test_a_lock_whose_scheduler_never_registered_is_released_once_stale(
    redis_conn: redis.Redis[bytes],
) -> None:
    """A worker killed right after taking the lock, before its scheduler process registered:
    nothing names a process to check, but nothing refreshes the lock either."""
    redis_conn.set("rq:scheduler-lock:events", "ghost", ex=61)  # just taken: left alone
    assert heartbeat.release_dead_scheduler_locks(redis_conn) == 0
    redis_conn.expire("rq:scheduler-lock:events", heartbeat.UNREFRESHED_LOCK_TTL_S - 1)
    assert heartbeat.release_dead_scheduler_locks(redis_conn) == 1
    assert not redis_conn.exists("rq:scheduler-lock:events")
