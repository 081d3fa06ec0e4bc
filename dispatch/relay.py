"""The outbox relay: committed Event rows become RQ jobs, one per (event, handler).

Each job's id is derived from the event id and the handler path and enqueued with RQ's atomic
``unique=True``, so publishing the same row twice (after-commit publish racing the sweep, or a
crash between enqueue and marking) runs nothing twice. A row is marked published only after
all its jobs are in Redis; when Redis is down the row stays unpublished and the periodic sweep
publishes it later: an outage delays work, never loses it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import redis
from rq.exceptions import DuplicateJobError
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from dispatch.clock import utcnow
from dispatch.handlers import handlers_for
from dispatch.models import Event
from dispatch.queues import (
    EVENT_RESULT_TTL_S,
    EVENT_RETRY,
    FAILURE_TTL_S,
    Queues,
    event_job_id,
)
from dispatch.services.unit_of_work import unit_of_work_from

log = logging.getLogger(__name__)

SWEEP_BATCH = 500
_PENDING_KEY = "doorstep.relay.pending_event_ids"


def enqueue_handlers(queues: Queues, event_id: int, event_type: str) -> int:
    """Enqueue one job per handler of the event; returns how many were new."""
    created = 0
    for handler in handlers_for(event_type):
        try:
            queues.events.enqueue_call(
                handler,
                args=(event_id,),
                job_id=event_job_id(event_id, handler),
                unique=True,
                retry=EVENT_RETRY,
                result_ttl=EVENT_RESULT_TTL_S,
                failure_ttl=FAILURE_TTL_S,
                description=f"{handler}({event_type} #{event_id})",
            )
            created += 1
        except DuplicateJobError:
            pass  # already published: the job exists (queued, running or finished)
    return created


def publish(
    sessions: sessionmaker[Session],
    queues: Queues | Callable[[], Queues],
    event_ids: Iterable[int] | None = None,
) -> int:
    """Publish the given events (or the oldest unpublished ones); returns rows marked published.

    ``queues`` may be a callable, so Redis is reached only when there is something to publish.
    Raises ``redis.RedisError`` when Redis is unreachable, after marking what did get out and
    recording the failure on the row it was publishing.
    """
    with sessions() as session:
        query = select(Event.id, Event.type).where(Event.published_at.is_(None))
        if event_ids is not None:
            wanted = sorted(set(event_ids))
            if not wanted:
                return 0
            query = query.where(Event.id.in_(wanted))
        rows = session.execute(query.order_by(Event.id).limit(SWEEP_BATCH)).all()
    return publish_rows(sessions, queues, [(row[0], row[1]) for row in rows])


def publish_rows(
    sessions: sessionmaker[Session],
    queues: Queues | Callable[[], Queues],
    rows: Sequence[tuple[int, str]],
) -> int:
    """Publish committed rows whose (id, type) the caller knows; one UPDATE marks them."""
    done: list[int] = []
    try:
        for event_id, event_type in rows:
            try:
                if not isinstance(queues, Queues):
                    queues = queues()
                enqueue_handlers(queues, event_id, event_type)
            except redis.RedisError as error:
                _record_failure(sessions, event_id, error)
                raise
            done.append(event_id)
    finally:
        _mark_published(sessions, done)
    return len(done)


def sweep(sessions: sessionmaker[Session], queues: Queues) -> int:
    """Publish every row not marked published, in batches; returns how many."""
    total = 0
    while True:
        count = publish(sessions, queues)
        total += count
        if count < SWEEP_BATCH:
            return total


def _mark_published(sessions: sessionmaker[Session], event_ids: list[int]) -> None:
    if not event_ids:
        return
    with unit_of_work_from(sessions) as session:
        session.execute(
            update(Event)
            .where(Event.id.in_(event_ids), Event.published_at.is_(None))
            .values(published_at=utcnow(), last_error=None)
        )


def _record_failure(sessions: sessionmaker[Session], event_id: int, error: Exception) -> None:
    try:
        with unit_of_work_from(sessions) as session:
            session.execute(
                update(Event)
                .where(Event.id == event_id)
                .values(attempts=Event.attempts + 1, last_error=f"{type(error).__name__}: {error}")
            )
    except Exception:  # the database may be the thing that is down; the sweep retries anyway
        log.exception("could not record the publish failure of event %s", event_id)


def publish_after_commit(sessions: sessionmaker[Session], queues: Callable[[], Queues]) -> None:
    """Hook the relay onto a session factory: events committed through it are published at once.

    Best effort: a failure is logged and left to the sweep. SQL cannot run in the committing
    session inside ``after_commit``, so publishing uses a fresh session from the same factory.
    """

    @sa_event.listens_for(sessions, "after_flush")
    def _collect(session: Session, _context: Any) -> None:
        new_ids = [obj.id for obj in session.new if isinstance(obj, Event)]
        if new_ids:
            session.info.setdefault(_PENDING_KEY, set()).update(new_ids)

    @sa_event.listens_for(sessions, "after_commit")
    def _publish(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a SAVEPOINT was released; the rows are not committed yet
        ids: set[int] | None = session.info.pop(_PENDING_KEY, None)
        if not ids:
            return
        try:
            # Re-read the rows: an id flushed inside a rolled-back SAVEPOINT has no row (and
            # SQLite may hand the same id to a later event, which must not find a job waiting).
            publish(sessions, queues, ids)
        except Exception as error:  # never fail the caller's already-committed work
            log.warning("events %s left for the sweep: %s", sorted(ids), error)

    @sa_event.listens_for(sessions, "after_rollback")
    def _forget(session: Session) -> None:
        if not session.in_transaction():
            session.info.pop(_PENDING_KEY, None)
