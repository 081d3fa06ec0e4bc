"""The fast path of an inbound SMS webhook: store it claimed, answer, and handle it in a job.

The web request does step 1 only: one ``INSERT ... ON CONFLICT DO NOTHING`` on
(channel, provider_id), committed, then a job ``handle_inbound(message_id)`` on the ``events``
queue (fixed job id per message). Step 2 (act, queue the replies, mark handled) runs in that
job as one transaction that begins with a conditional claim, ``UPDATE message ... WHERE
status = 'handling'``: two copies of the job (a duplicate webhook, a retry, the sweep) can
never both act, since the second finds the row handled and rolls back.

A copy of a message whose first delivery is still fresh does nothing (its job covers it); one
left "handling" for ``RECLAIM_AFTER`` (the web died between commit and enqueue, or Redis lost
the job) is claimed again and handled in a new job, as is the worker's sweep.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import Direction, Message, MessageStatus
from dispatch.queues import EVENT_RETRY, FAILURE_TTL_S, Queues
from dispatch.runtime import current
from notifications import inbound
from notifications.inbound import HANDLING, InboundSms
from notifications.phone import InvalidPhone, to_e164
from notifications.text import nfc

log = logging.getLogger(__name__)

HANDLE_JOB = "notifications.inbound_accept.handle_inbound"


def store(session: Session, sms: InboundSms) -> tuple[int, bool]:
    """Step 1: insert the message claimed; (id, True) when new, (id of the stored one, False)
    for a copy. One statement, one commit, no exception on a duplicate."""
    now = utcnow()
    try:
        phone = to_e164(sms.sender)
    except InvalidPhone:
        phone = sms.sender[:20]
    history = [{"status": s, "at": now.isoformat()} for s in (MessageStatus.RECEIVED, HANDLING)]
    values: dict[str, Any] = {
        "direction": Direction.INBOUND, "channel": sms.channel, "peer_phone": phone,
        "body": nfc(sms.body), "provider_id": sms.provider_id, "status": HANDLING,
        "status_history": history, "attempts": 1, "created_at": now, "updated_at": now,
    }  # fmt: skip
    # Straight on a connection, not through the ORM unit of work: this is the hot path of
    # every inbound SMS, and one statement needs none of the session's bookkeeping.
    engine = session.get_bind()
    dialect = engine.dialect.name
    statement: Any
    if dialect == "postgresql":
        statement = (
            postgresql.insert(Message)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        )
    elif dialect == "sqlite":
        statement = (
            sqlite.insert(Message)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["channel", "provider_id"])
        )
    else:  # pragma: no cover - only the two databases above are supported
        statement = insert(Message).values(**values)
    with engine.begin() as connection:
        new_id = connection.scalar(statement.returning(Message.id))
        if new_id is not None:
            return int(new_id), True
        stored = connection.scalar(
            select(Message.id).where(
                Message.channel == sms.channel, Message.provider_id == sms.provider_id
            )
        )
    assert stored is not None  # the conflict just said so
    return int(stored), False


def accept(session: Session, queues: Queues, sms: InboundSms) -> bool:
    """Store ``sms`` and hand it to a job; True when it was new. A copy whose handling was
    dropped long enough ago is claimed again and handed to a new job."""
    message_id, new = store(session, sms)
    if not new and not inbound.reclaim_stale(session, message_id, utcnow()):
        return False
    enqueue_handling(queues, message_id)
    return new


def enqueue_handling(queues: Queues, message_id: int) -> None:
    """Best effort: with Redis down the row waits for a retry or the sweep (RECLAIM_AFTER).

    Not RQ's unique enqueue (a Lua script per call): a second job for one message happens only
    after a reclaim, and its conditional claim makes it a no-op anyway."""
    try:
        queues.events.enqueue_call(
            HANDLE_JOB,
            args=(message_id,),
            job_id=f"inbound-{message_id}",
            retry=EVENT_RETRY,
            result_ttl=600,
            failure_ttl=FAILURE_TTL_S,
        )
    except redis.RedisError as error:
        log.warning("inbound %s left for the sweep: %s", message_id, error)


def handle_inbound(message_id: int) -> int:
    """The job: step 2 of one stored message, once; returns how many replies it queued."""
    from notifications.outbound import enqueue_delivery

    runtime = current()
    with runtime.sessions() as session:
        row = session.get(Message, message_id)
        if row is None or row.status != HANDLING:
            return 0  # handled (or given up) already
        if row.attempts > inbound.MAX_TRIES:
            inbound.give_up(session, row)
            return 0
        replies = inbound.handle(session, runtime.settings, row)
        enqueue_delivery(runtime.queues, replies)
        return len(replies)
