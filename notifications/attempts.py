"""What one delivery attempt leaves on the message row, and the scheduling of the next attempt.

Shared by the SMS path (``notifications.delivery``) and the Zalo path
(``notifications.zalo_delivery``), so that neither imports the other for them.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import Message, MessageStatus
from dispatch.runtime import Runtime
from dispatch.services.errors import Conflict
from dispatch.services.unit_of_work import unit_of_work_from
from notifications.outbound import DELIVER_JOB, DELIVERY_JOB_OPTIONS, delivery_job_id
from notifications.policy import status_moves_forward

log = logging.getLogger(__name__)


def load_message(session: Session, our_id: str) -> Message:
    message = session.scalar(select(Message).where(Message.our_id == our_id))
    if message is None:  # deleted while we were sending: nothing to record on
        raise LookupError(f"message {our_id} vanished")
    return message


def history_entry(status: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "at": utcnow().isoformat(), **{k: v for k, v in extra.items() if v}}


def record_sent(
    runtime: Runtime,
    our_id: str,
    provider_id: str,
    status: str,
    *,
    segments: int | None = None,
    reconciled: bool = False,
) -> None:
    """Store the provider's id and word. The provider has the message already, so a busy
    database is waited for a few times rather than losing that knowledge."""
    for wait_s in (1.0, 3.0, 0.0):
        try:
            _store_sent(runtime, our_id, provider_id, status, segments, reconciled)
            return
        except (OperationalError, Conflict) as error:
            busy = isinstance(error, OperationalError) or isinstance(
                error.__cause__, OperationalError
            )  # the unit of work calls a locked SQLite database a Conflict
            if not wait_s or not busy:
                raise
            log.warning("database busy recording %s; again in %.0f s", our_id, wait_s)
            time.sleep(wait_s)


def _store_sent(
    runtime: Runtime,
    our_id: str,
    provider_id: str,
    status: str,
    segments: int | None,
    reconciled: bool,
) -> None:
    with unit_of_work_from(runtime.sessions) as session:
        message = load_message(session, our_id)
        message.provider_id = message.provider_id or provider_id
        status = status.lower()
        # "sending" is our own claim; the provider's first word replaces it, unless a status
        # callback that beat us here already moved the message further.
        if message.status == MessageStatus.SENDING or status_moves_forward(message.status, status):
            message.status = status
        message.status_history = [
            *message.status_history,
            history_entry(status, provider_id=provider_id, reconciled=reconciled),
        ]
        if segments and segments != message.segments:
            log.info(
                "provider counts %s segments for %s, we counted %s",
                segments,
                our_id,
                message.segments,
            )


def schedule_attempt(
    runtime: Runtime, our_id: str, attempt: int, at: datetime, suffix: str = ""
) -> None:
    job_id = delivery_job_id(our_id, attempt) + (f"-{suffix}" if suffix else "")
    options: dict[str, Any] = {"job_id": job_id, **DELIVERY_JOB_OPTIONS}
    if at <= utcnow():
        runtime.queues.messages.enqueue_call(DELIVER_JOB, args=(our_id, attempt), **options)
    else:
        runtime.queues.messages.enqueue_at(at, DELIVER_JOB, our_id, attempt, **options)
