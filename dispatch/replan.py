"""Re-plans coalesce per commune: one plan job, a short debounce, a dirty flag.

- Asking for a re-plan marks the commune dirty (a Redis set) and makes sure ONE plan job for it
  exists (fixed job id, RQ's atomic unique enqueue), scheduled ``debounce`` seconds ahead so a
  burst of submits becomes one plan.
- The plan job clears the flag when it starts. If new work marked the commune dirty while it was
  running, the job returns ``rq.Retry``, which makes RQ run the same job once more.
- The dirty set is the truth of "work pending": the worker's sweep re-creates the plan job of a
  dirty commune whose job vanished (a Redis restart, or a request that landed just as the job
  was finishing), so no re-plan is lost.
"""

from __future__ import annotations

import math
import threading
import uuid
from datetime import timedelta
from typing import Any

from rq import Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

from dispatch.queues import (
    FAILURE_TTL_S,
    PLAN_RETRY,
    PLAN_TIMEOUT_S,
    SERIALIZER,
    Queues,
    plan_job_id,
)

DIRTY_SET = "doorstep:replan:dirty"
PLAN_JOB = "dispatch.jobs.plan_commune"
# A plan re-run is "number_of_retries" to RQ; a busy commune may re-run many times in a row.
_RERUN_MAX = 100_000
_PENDING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}


def request_replan(queues: Queues, commune_code: str, debounce_s: float) -> bool:
    """Mark the commune dirty and make sure its plan job exists; True if a job was created."""
    queues.connection.sadd(DIRTY_SET, commune_code)
    return _ensure_plan_job(queues, commune_code, debounce_s)


def claim(queues: Queues, commune_code: str) -> None:
    """Called by the plan job as it starts: the work asked for so far is now being done."""
    queues.connection.srem(DIRTY_SET, commune_code)


def is_dirty(queues: Queues, commune_code: str) -> bool:
    return bool(queues.connection.sismember(DIRTY_SET, commune_code))


def rerun_if_dirty(queues: Queues, commune_code: str, debounce_s: float) -> Retry | None:
    """What the plan job returns: a Retry (run once more) when work came in while it ran."""
    if not is_dirty(queues, commune_code):
        return None
    return Retry(max=_RERUN_MAX, interval=math.ceil(debounce_s))


def dirty_communes(queues: Queues) -> list[str]:
    members = queues.connection.smembers(DIRTY_SET)
    return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)


def sweep_dirty(queues: Queues, debounce_s: float) -> int:
    """Re-create the plan job of every dirty commune that has none; returns how many."""
    return sum(_ensure_plan_job(queues, code, debounce_s) for code in dirty_communes(queues))


def _ensure_plan_job(queues: Queues, commune_code: str, debounce_s: float) -> bool:
    job_id = plan_job_id(commune_code)
    for _attempt in range(3):
        try:
            _enqueue(queues, commune_code, job_id, debounce_s)
            return True
        except DuplicateJobError:
            pass
        try:
            existing = Job.fetch(job_id, connection=queues.connection, serializer=SERIALIZER)
        except NoSuchJobError:
            continue  # finished and deleted in between: try again
        if existing.get_status() in _PENDING:
            return False  # coalesced: the queued (or running, then re-running) job covers it
        existing.delete()  # a leftover failed/stopped/cancelled job: replace it
    return False


def _enqueue(queues: Queues, commune_code: str, job_id: str, debounce_s: float) -> None:
    options: dict[str, Any] = {
        "args": (commune_code,),
        "job_id": job_id,
        "unique": True,
        "retry": PLAN_RETRY,
        "result_ttl": 0,  # deleted when done, so the next request creates a fresh job
        "failure_ttl": FAILURE_TTL_S,
        "job_timeout": PLAN_TIMEOUT_S,
        "description": f"plan commune {commune_code}",
    }
    if debounce_s > 0:
        queues.planning.enqueue_in(timedelta(seconds=debounce_s), PLAN_JOB, **options)
    else:
        queues.planning.enqueue(PLAN_JOB, **options)


# -- one plan of a commune at a time ------------------------------------------------------------
# The fixed job id already keeps one plan job per commune, but a Redis restart that loses the
# running job (the sweep then re-creates it from the dirty set) or a reaped worker whose horse
# still runs could start a second one. A lock per commune, owned by a token and released only by
# its owner, makes that impossible; the loser marks the commune dirty so the winner re-runs.
_LOCK_PREFIX = "doorstep:plan-lock:"
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
RELEASE_SCRIPT = _RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


def lock_key(commune_code: str) -> str:
    return _LOCK_PREFIX + commune_code


def acquire_plan_lock(
    queues: Queues, commune_code: str, ttl_s: float, owner: str = ""
) -> str | None:
    """A token when this caller may plan the commune now, None while another plan runs.

    The token starts with ``owner`` (the RQ worker's name), so when that worker is found dead
    its locks are released at once (``dispatch.heartbeat.reap``) instead of after ``ttl_s``.
    """
    token = f"{owner}:{uuid.uuid4().hex}"
    taken = queues.connection.set(lock_key(commune_code), token, nx=True, px=int(ttl_s * 1000))
    return token if taken else None


class LockKeeper(threading.Thread):
    """Renews a held plan lock every ``ttl/4`` s while the plan runs, so the lock can be short:
    a plan whose work horse is SIGKILLed frees its commune within one TTL."""

    def __init__(self, queues: Queues, commune_code: str, token: str, ttl_s: float) -> None:
        super().__init__(name=f"plan-lock-{commune_code}", daemon=True)
        self.queues, self.commune_code, self.token, self.ttl_s = queues, commune_code, token, ttl_s
        self._stop_event = threading.Event()

    def run(self) -> None:
        key, ms = lock_key(self.commune_code), int(self.ttl_s * 1000)
        while not self._stop_event.wait(self.ttl_s / 4):
            try:
                self.queues.connection.eval(_RENEW, 1, key, self.token, ms)  # type: ignore[no-untyped-call]
            except Exception:  # Redis away: the lock may lapse; the plan goes on regardless
                continue

    def stop(self) -> None:
        self._stop_event.set()


def release_plan_lock(queues: Queues, commune_code: str, token: str) -> None:
    queues.connection.eval(_RELEASE, 1, lock_key(commune_code), token)  # type: ignore[no-untyped-call]


def release_locks_of(client: Any, owner: str) -> int:
    """Release every plan lock held by a dead worker; returns how many."""
    released = 0
    for key in client.scan_iter(match=_LOCK_PREFIX + "*", count=500):
        value = client.get(key)
        if value is not None and value.decode().startswith(owner + ":"):
            released += int(client.eval(_RELEASE, 1, key, value))
    return released


# -- back-pressure --------------------------------------------------------------------------------
# When more communes wait for a plan than the planners can solve at the full time limit, each
# solve gets a shorter limit (never under ``MIN_TIME_LIMIT_S``): the queue drains at the price of
# a little quality, and the next quiet re-plan improves it (plans start from the previous one).
MIN_TIME_LIMIT_S = 0.5
BACKLOG_AT_FULL_LIMIT = 4


# A small problem gets a small limit: the search otherwise spends the whole limit on a commune
# with two open requests (measured: 1.96 s of 2 s for 2 requests among 78 volunteers), which
# is what made one planner serve a busy province one commune every two seconds.
SIZE_BASE_S = 0.25
SIZE_PER_REQUEST_S = 0.05


def time_limit_for_size(limit_s: float, requests: int) -> float:
    return min(limit_s, SIZE_BASE_S + SIZE_PER_REQUEST_S * requests)


def time_limit_under_backlog(base_s: float, backlog: int) -> float:
    if backlog <= BACKLOG_AT_FULL_LIMIT:
        return base_s
    return max(MIN_TIME_LIMIT_S, base_s * BACKLOG_AT_FULL_LIMIT / backlog)
