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
