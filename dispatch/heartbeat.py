"""Worker heartbeats: a Redis key per worker with a short TTL, so a killed worker shows in seconds.

RQ's own worker registration outlives a SIGKILLed worker by its 420 s TTL, and the job it was
running stays "started" until the job's monitoring window runs out. Each ``doorstep worker``
therefore refreshes ``doorstep:hb:<worker name>`` every ``ttl/3`` seconds from a thread of its
main process (the work horse RQ forks does not inherit the thread). A registered worker whose
key has expired (and that was born more than one TTL ago, so a starting one is not judged) is
dead: ``/healthz`` says so, and any live worker's beat reaps it: its running job is handed to
RQ's abandoned-job handling at once (retried while it has retries left) and its registration
removed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import redis
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.worker import BaseWorker

from dispatch import replan
from dispatch.queues import QUEUE_NAMES, SERIALIZER

log = logging.getLogger(__name__)

KEY_PREFIX = "doorstep:hb:"
REAPED_COUNTER = "doorstep:workers:reaped"
_REAP_LOCK = "doorstep:reap-lock"
_ORPHAN_LOCK = "doorstep:orphan-reap-lock"


def beat(client: redis.Redis[bytes], name: str, queues: Sequence[str], ttl_s: float) -> None:
    payload = {"pid": os.getpid(), "host": socket.gethostname(), "queues": list(queues)}
    client.set(KEY_PREFIX + name, json.dumps(payload), px=max(1, int(ttl_s * 1000)))


def alive(client: redis.Redis[bytes]) -> set[str]:
    """Names of workers whose heartbeat key is live."""
    names: set[str] = set()
    for key in client.scan_iter(match=KEY_PREFIX + "*", count=500):
        names.add((key.decode() if isinstance(key, bytes) else str(key)).removeprefix(KEY_PREFIX))
    return names


def dead_workers(client: redis.Redis[bytes], ttl_s: float) -> list[BaseWorker]:
    """Registered RQ workers without a live heartbeat, born more than ``ttl_s`` ago."""
    live = alive(client)
    now = datetime.now(UTC)
    dead = []
    for worker in Worker.all(connection=client, serializer=SERIALIZER):
        born = worker.birth_date
        if born is not None and born.tzinfo is None:
            born = born.replace(tzinfo=UTC)
        if worker.name in live or born is None or (now - born).total_seconds() < ttl_s:
            continue
        dead.append(worker)
    return dead


def reap(client: redis.Redis[bytes], ttl_s: float) -> list[str]:
    """Hand the running jobs of dead workers to RQ's abandoned-job handling; returns names."""
    if not client.set(_REAP_LOCK, "1", nx=True, px=max(1, int(ttl_s * 1000))):
        return []
    reaped = []
    for worker in dead_workers(client, ttl_s):
        job_id = worker.get_current_job_id()
        if job_id:
            for queue in worker.queues:
                _expire_now(StartedJobRegistry(queue=queue), job_id)
        worker.register_death()  # type: ignore[no-untyped-call]
        replan.release_locks_of(client, worker.name)
        client.incr(REAPED_COUNTER)
        reaped.append(worker.name)
        log.warning("worker %s has no heartbeat: reaped (job %s)", worker.name, job_id)
    return reaped


def reap_orphans(client: redis.Redis[bytes], ttl_s: float) -> list[str]:
    """Hand running jobs whose worker is gone to RQ's abandoned-job handling; returns job ids.

    A worker that quits on its own mid-job (Redis went away under it: RQ logs "found an
    unhandled exception, quitting") unregisters itself on the way out, so no dead worker
    points at the job it held and ``reap`` never sees it; RQ would retry it at its next
    maintenance, up to ten minutes later. A job counts as orphaned when its worker has no
    heartbeat and is not registered, and it started more than ``ttl_s`` ago.
    """
    if not client.set(_ORPHAN_LOCK, "1", nx=True, px=max(1, int(ttl_s * 1000))):
        return []  # another worker's heartbeat does it this round
    live = alive(client)
    registered = {w.name for w in Worker.all(connection=client, serializer=SERIALIZER)}
    now = datetime.now(UTC)
    orphans = []
    for name in QUEUE_NAMES:
        registry = StartedJobRegistry(queue=Queue(name, connection=client, serializer=SERIALIZER))
        for job_id in registry.get_job_ids(cleanup=False):
            try:
                job = Job.fetch(job_id, connection=client, serializer=SERIALIZER)
            except NoSuchJobError:
                continue
            owner, started = job.worker_name, job.started_at
            if not owner or owner in live or owner in registered or started is None:
                continue
            if started.tzinfo is None:
                started = started.replace(tzinfo=UTC)
            if (now - started).total_seconds() < ttl_s:
                continue
            _expire_now(registry, job_id)
            orphans.append(job_id)
            log.warning("job %s of vanished worker %s handed back to RQ", job_id, owner)
    return orphans


def _expire_now(registry: StartedJobRegistry, job_id: str) -> None:
    """Mark the job's execution as expired, then let RQ's cleanup retry or fail it."""
    client = registry.connection
    entries = client.zrange(registry.key, 0, -1)
    mine = [
        e for e in entries if (e.decode() if isinstance(e, bytes) else e).startswith(job_id + ":")
    ]
    if not mine:
        return
    client.zadd(registry.key, dict.fromkeys(mine, 1))
    registry.cleanup()


_SCHEDULER_LOCKS = "rq:scheduler-lock:*"
_SCHEDULER_KEY = "rq:scheduler:"
# RQ takes a scheduler lock for its interval + 60 s and refreshes it every interval; one left
# this far below that with no scheduler registered is nobody's.
UNREFRESHED_LOCK_TTL_S = 50


def release_dead_scheduler_locks(client: redis.Redis[bytes]) -> int:
    """RQ's scheduler lock of a queue outlives a SIGKILLed scheduler by a minute, and the other
    workers look for a free lock only every ten minutes: scheduled jobs (debounced plans,
    retries) would wait that long. A lock whose scheduler ran on this host in a process that
    no longer exists, or whose scheduler never registered and has not refreshed it, is
    released; returns how many."""
    host = socket.gethostname()
    released = 0
    for key in client.scan_iter(match=_SCHEDULER_LOCKS, count=100):
        owner = client.get(key)
        if owner is None:
            continue
        info = client.hgetall(_SCHEDULER_KEY.encode() + owner)
        if info:
            pid = int(info.get(b"pid", b"0") or 0)
            on_host = info.get(b"hostname", b"").decode() == host
            if not on_host or not pid or _alive(pid):
                continue
            whose = f"dead process {pid}"
        else:
            # Killed between taking the lock and registering (its first milliseconds): nobody
            # refreshes the lock, while a live scheduler keeps it near a minute every second.
            if not 0 <= client.ttl(key) < UNREFRESHED_LOCK_TTL_S:
                continue
            whose = "a scheduler that never registered"
        released += int(client.eval(replan.RELEASE_SCRIPT, 1, key, owner))  # type: ignore[no-untyped-call]
        log.warning("scheduler lock %s of %s released", key.decode(), whose)
    return released


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A killed scheduler whose parent died too is a zombie until an init process reaps it,
    # which in a container may be never: it holds no lock, so it counts as dead.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[:1] != ["Z"]
    except OSError:  # no /proc (not Linux), or it has just gone
        return True


class Heartbeat(threading.Thread):
    """Beats every ``ttl/3`` s and reaps dead peers; Redis errors are logged, never fatal."""

    def __init__(
        self,
        client: redis.Redis[bytes],
        name: str,
        queues: Sequence[str],
        ttl_s: float,
        on_beat: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(name="doorstep-heartbeat", daemon=True)
        self.client, self.worker_name, self.queues, self.ttl_s = client, name, queues, ttl_s
        self.on_beat = on_beat
        self._stop_event = threading.Event()

    def run(self) -> None:
        last_reap = time.monotonic()
        while True:
            try:
                beat(self.client, self.worker_name, self.queues, self.ttl_s)
                if time.monotonic() - last_reap >= self.ttl_s:
                    last_reap = time.monotonic()
                    reap(self.client, self.ttl_s)
                    reap_orphans(self.client, self.ttl_s)
                    release_dead_scheduler_locks(self.client)
                    if self.on_beat is not None:
                        self.on_beat()
            except redis.RedisError as error:
                log.warning("heartbeat skipped, Redis unreachable: %s", error)
            except Exception:
                log.exception("heartbeat failed")
            if self._stop_event.wait(self.ttl_s / 3):
                break
        try:
            self.client.delete(KEY_PREFIX + self.worker_name)
        except redis.RedisError:
            pass

    def stop(self) -> None:
        self._stop_event.set()
