"""The safety net for outgoing messages whose delivery job is gone.

A message is committed first and its delivery job enqueued after; the job can then be lost:
Redis down at the enqueue, a worker SIGKILLed between taking the job from the queue and
registering it as started, a job that failed for good. ``sweep_stuck`` restarts such a message
as soon as no job of its current attempt exists any more in Redis (queued, scheduled,
deferred or running; a running job of a dead worker is handed to RQ's retry by the
heartbeat's reaper, so it counts as alive until then). A message whose last change is only
``SETTLE`` old is left alone, so the window between the commit and its enqueue is never
mistaken for a loss. The restarted attempt asks the provider first whether an earlier
attempt got through (``notifications.delivery``), so a restart never sends twice.

``STUCK_AFTER`` stays as the last resort for a message whose job exists but never moves
(e.g. queued on a queue no worker listens to).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select

from dispatch.clock import utcnow
from dispatch.models import ChannelKind, Message, MessageStatus
from dispatch.queues import SERIALIZER, Queues
from dispatch.runtime import Runtime
from dispatch.services.unit_of_work import unit_of_work_from
from notifications import wiring
from notifications.attempts import schedule_attempt
from notifications.channels import SendError
from notifications.delivery import fail_message
from notifications.outbound import delivery_job_id
from notifications.policy import MAX_ATTEMPTS
from notifications.status import apply_status

#: How old a message's last change must be before a missing job counts as lost: far longer
#: than the commit-to-enqueue window (milliseconds), shorter than any user would wait.
SETTLE = timedelta(seconds=45)
#: A message whose job exists but has not moved for this long is restarted all the same.
STUCK_AFTER = timedelta(minutes=20)  # longer than the longest backoff (15 min)
#: A message the provider accepted and has said nothing more of for this long is asked about.
CONFIRM_AFTER = timedelta(minutes=2)
SWEEP_SUFFIX = "sweep"
_ALIVE = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED}
_BATCH = 500


def sweep_stuck(runtime: Runtime) -> int:
    """Restart due messages without a living delivery job; returns how many were restarted."""
    now = utcnow()
    due: list[tuple[str, int]] = []
    with unit_of_work_from(runtime.sessions) as session:
        rows = session.scalars(
            select(Message)
            .where(
                Message.direction == "out",
                Message.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
                Message.provider_id.is_(None),
                Message.updated_at < now - SETTLE,
            )
            .order_by(Message.updated_at)
            .limit(_BATCH)
        ).all()
        for message in rows:
            if message.send_after is not None and message.send_after > now:
                continue
            stuck = message.updated_at < now - STUCK_AFTER
            if not stuck and has_live_job(runtime.queues, message):
                continue
            if message.attempts >= MAX_ATTEMPTS:
                fail_message(message, "gave-up:stuck")  # e.g. a channel left unset
                continue
            due.append((message.our_id, message.attempts + 1))
    # Enqueued after the commit, as every job is.
    for our_id, attempt in due:
        schedule_attempt(runtime, our_id, attempt, now, suffix=SWEEP_SUFFIX)
    return len(due)


def sweep_unconfirmed(runtime: Runtime) -> int:
    """Fetch the provider's status of accepted messages with no news for ``CONFIRM_AFTER``;
    returns how many moved. One still waiting at the provider is asked again after another
    ``CONFIRM_AFTER``. Zalo has no lookup: its own confirmation wait covers it."""
    now = utcnow()
    with runtime.sessions() as session:
        rows = session.execute(
            select(Message.id, Message.our_id, Message.channel, Message.provider_id)
            .where(
                Message.direction == "out",
                Message.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
                Message.provider_id.is_not(None),
                Message.channel != ChannelKind.ZALO,
                Message.updated_at < now - CONFIRM_AFTER,
            )
            .order_by(Message.updated_at)
            .limit(_BATCH)
        ).all()
    moved = 0
    for message_id, our_id, channel_name, provider_id in rows:
        try:
            found = wiring.channels(runtime).channel_for(channel_name).fetch(str(provider_id))
        except (wiring.ChannelUnavailable, SendError):
            continue  # asked again at the next sweep
        with unit_of_work_from(runtime.sessions) as session:
            if found is not None and apply_status(
                session,
                our_id=our_id,
                channel=channel_name,
                provider_id=provider_id,
                status=found.status,
                error_code=None if found.error_code is None else str(found.error_code),
            ):
                moved += 1
                continue
            row = session.get(Message, message_id)
            if row is not None:  # no news: asked again after another CONFIRM_AFTER
                row.updated_at = utcnow()
    return moved


def has_live_job(queues: Queues, message: Message) -> bool:
    """Whether a job that may still deliver ``message`` exists: the claimed attempt's or the
    next one's, under any id they are given (plain, held until a time, restarted by a sweep)."""
    for job_id in _job_ids(message):
        try:
            job = Job.fetch(job_id, connection=queues.connection, serializer=SERIALIZER)
        except NoSuchJobError:
            continue
        if job.get_status(refresh=False) in _ALIVE:
            return True
    return False


def _job_ids(message: Message) -> list[str]:
    suffixes = [SWEEP_SUFFIX]
    if message.send_after is not None:
        suffixes.append(f"h{int(_aware(message.send_after).timestamp())}")
    ids = []
    for attempt in {max(1, message.attempts), message.attempts + 1}:
        base = delivery_job_id(message.our_id, attempt)
        ids += [base, *(f"{base}-{suffix}" for suffix in suffixes)]
    return ids


def _aware(moment: datetime) -> datetime:
    """The stored time as the scheduler computed it (SQLite hands back naive UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
