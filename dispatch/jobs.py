"""RQ job entry points. Each takes ids, reloads, checks the state is still as expected,
commits, then does its side effect; a failure raises so RQ records and retries the job.

Event handlers (see ``dispatch.handlers``) take the outbox event id.
"""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

from rq import Retry, get_current_job
from rq.exceptions import DuplicateJobError

from dispatch import planning, replan
from dispatch.clock import utcnow
from dispatch.events import (
    AssignmentEvent,
    AssignmentWithdrawn,
    DomainEvent,
    VisitCompleted,
    parse_event,
)
from dispatch.models import Assignment, Event
from dispatch.queues import FAILURE_TTL_S, offer_expiry_job_id
from dispatch.runtime import current
from dispatch.services.planning_writeback import SOLVER
from dispatch.states import AssignmentStatus

log = logging.getLogger(__name__)

EXPIRE_OFFER = "dispatch.jobs.expire_offer"
# Renewed while the plan runs (``replan.LockKeeper``): a killed plan frees its commune in this
# time, or at once when its worker is reaped.
PLAN_LOCK_TTL_S = 4.0


def _event(event_id: int) -> DomainEvent | None:
    with current().sessions() as session:
        row = session.get(Event, event_id)
        if row is None:
            log.warning("event %s not found (rolled back?)", event_id)
            return None
        return parse_event(row.type, row.payload)


def replan_for_event(event_id: int) -> None:
    """Ask for a re-plan of the event's commune (coalesced; see ``dispatch.replan``)."""
    event = _event(event_id)
    if event is None:
        return
    if isinstance(event, AssignmentWithdrawn) and event.by == SOLVER:
        return  # the planner's own output must not trigger another plan
    if isinstance(event, VisitCompleted) and not event.request_reopened:
        return  # nothing went back to the queue
    runtime = current()
    replan.request_replan(
        runtime.queues, event.commune_code, runtime.settings.replan_debounce_seconds
    )


def plan_commune(commune_code: str) -> Retry | None:
    """The coalesced plan job of one commune; re-runs itself when work came in meanwhile."""
    runtime = current()
    queues = runtime.queues
    debounce = runtime.settings.replan_debounce_seconds
    job = get_current_job()
    owner = (job.worker_name if job is not None else None) or "local"
    token = replan.acquire_plan_lock(queues, commune_code, PLAN_LOCK_TTL_S, owner)
    if token is None:
        # Another plan of this commune is running (or its horse just died and the lock is
        # lapsing): keep the work and try again once the lock's TTL has passed.
        queues.connection.sadd(replan.DIRTY_SET, commune_code)
        log.info("plan of %s already running: trying again later", commune_code)
        return Retry(max=100_000, interval=math.ceil(PLAN_LOCK_TTL_S))
    keeper = replan.LockKeeper(queues, commune_code, token, PLAN_LOCK_TTL_S)
    keeper.start()
    try:
        replan.claim(queues, commune_code)
        backlog = queues.planning.count
        outcome = planning.plan_commune(
            runtime.sessions,
            commune_code,
            offer_timeout_minutes=runtime.settings.offer_timeout_minutes,
            time_limit_s=replan.time_limit_under_backlog(planning.PLAN_TIME_LIMIT_S, backlog),
        )
        if outcome.needs_rerun:
            queues.connection.sadd(replan.DIRTY_SET, commune_code)
    finally:
        keeper.stop()
        replan.release_plan_lock(queues, commune_code, token)
    return replan.rerun_if_dirty(queues, commune_code, debounce)


def schedule_offer_expiry(event_id: int) -> None:
    """Schedule the expiry of an offer at its deadline (one job per assignment)."""
    event = _event(event_id)
    if event is None:
        return
    if not isinstance(event, AssignmentEvent):
        raise TypeError(f"{event.type} is about no assignment: wired to the wrong job")
    assignment_id = event.assignment_id
    runtime = current()
    with runtime.sessions() as session:
        live = session.get(Assignment, assignment_id)
        if live is None or live.status != AssignmentStatus.OFFERED or live.expires_at is None:
            return
        expires_at = live.expires_at
    try:
        runtime.queues.events.enqueue_at(
            expires_at.astimezone(UTC),
            EXPIRE_OFFER,
            args=(assignment_id,),
            job_id=offer_expiry_job_id(assignment_id),
            unique=True,
            result_ttl=3600,
            failure_ttl=FAILURE_TTL_S,
        )
    except DuplicateJobError:
        pass  # already scheduled


def expire_offer(assignment_id: int) -> bool:
    """Expire the offer if still unanswered at its deadline (the OfferExpired event re-plans)."""
    return planning.expire_offer(current().sessions, assignment_id, _now())


def _now() -> datetime:
    return utcnow()
