"""The delivery job: one attempt at sending one Message, then the next attempt if needed.

``deliver(our_id, attempt)`` claims the row for that attempt number with one conditional
UPDATE (a duplicate job, or an older attempt, claims nothing and stops) in its own unit of
work, and only after that commit talks to the provider; what the provider said is recorded
in the next unit. Before any resend it asks the provider whether an earlier
attempt got through after all (a read timeout after the provider created the message), so a
lost answer never becomes a second SMS. Rate limits, provider errors and network errors are
retried with jittered exponential backoff by scheduling the next attempt; permanent errors
(21211, 21408, 21610, 21614) mark the message failed with the code, and 21610 opts the
number out. Quiet hours are checked when the job runs, so a retry or a reminder that falls
in the night waits for the morning.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import ChannelKind, Message, MessageStatus
from dispatch.runtime import Runtime, current
from dispatch.services.unit_of_work import unit_of_work_from
from notifications import wiring
from notifications.attempts import history_entry, load_message, record_sent, schedule_attempt
from notifications.channels import PermanentSendError, RetryableSendError
from notifications.optout import is_opted_out, set_opt_out
from notifications.outbound import (
    SENT_DESPITE_OPT_OUT,
    sent_at_night,
)
from notifications.policy import (
    MAX_ATTEMPTS,
    OPT_OUT_ERROR_CODE,
    backoff_seconds,
    quiet_hours_end,
)
from notifications.zalo_delivery import deliver_zalo

log = logging.getLogger(__name__)
ZALO = ChannelKind.ZALO

# Provider clocks drift a little from ours: look for earlier attempts a bit before the first.
_RECONCILE_SKEW = timedelta(minutes=2)


def deliver(our_id: str, attempt: int) -> str:
    """RQ job entry point; returns a short word for the job result (logs, tests)."""
    runtime = current()
    now = utcnow()
    with unit_of_work_from(runtime.sessions) as session:  # the claim, committed before sending
        message = session.scalar(select(Message).where(Message.our_id == our_id))
        if message is None:
            return "missing"
        if message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return "done-already"
        if message.attempts >= attempt:
            return "superseded"  # a duplicate job, or one a newer attempt already replaced
        hold = _hold_until(runtime, message, now)
        if hold is not None:
            message.send_after = hold
        elif message.template not in SENT_DESPITE_OPT_OUT and is_opted_out(
            session, message.peer_phone
        ):
            fail_message(message, "opted_out")
            return "opted-out"
        elif not _claim(session, message, attempt, now):
            return "lost-claim"
        to, body, channel_name = message.peer_phone, message.body, message.channel
        first_try = message.created_at
    if hold is not None:
        # Its own job id: this job's id is still the running job's, which RQ finishes (and
        # later expires) after we return.
        schedule_attempt(runtime, our_id, attempt, hold, suffix=f"h{int(hold.timestamp())}")
        return "held"
    if channel_name == ZALO:
        return deliver_zalo(runtime, our_id, attempt)
    return _send_sms(runtime, our_id, attempt, channel_name, to, body, first_try)


def _send_sms(
    runtime: Runtime,
    our_id: str,
    attempt: int,
    channel_name: str,
    to: str,
    body: str,
    first_try: datetime,
) -> str:
    """The claimed attempt over an SMS channel: reconcile a possibly lost earlier one, send."""
    try:
        channel = wiring.channels(runtime).channel_for(channel_name)
    except wiring.ChannelUnavailable as error:
        log.warning("SMS %s not sent: %s", our_id, error)
        return _give_up(runtime, our_id, "no_channel")
    try:
        found = None
        if attempt > 1:
            found = channel.reconcile(our_id, to, body, first_try - _RECONCILE_SKEW)
        if found is not None:
            record_sent(runtime, our_id, found.provider_id, found.status, reconciled=True)
            return "reconciled"
        result = channel.send(to, body, our_id, None)
    except PermanentSendError as error:
        _record_permanent(runtime, our_id, error)
        return f"failed-{error.code}"
    except RetryableSendError as error:
        return _retry_later(runtime, our_id, attempt, error)
    record_sent(runtime, our_id, result.provider_id, result.status, segments=result.segments)
    return "sent"


def _hold_until(runtime: Runtime, message: Message, now: datetime) -> datetime | None:
    """When a message must wait: its own send_after, or the end of quiet hours."""
    if message.send_after is not None and message.send_after > now:
        return message.send_after
    if sent_at_night(message):
        return None
    settings = runtime.settings
    later = quiet_hours_end(now, settings.quiet_hours, settings.timezone)
    return later if later > now else None


def _claim(session: Session, message: Message, attempt: int, now: datetime) -> bool:
    claimed = session.execute(
        update(Message)
        .where(
            Message.id == message.id,
            Message.attempts == attempt - 1,
            Message.status.in_([MessageStatus.QUEUED, MessageStatus.SENDING]),
        )
        .values(attempts=attempt, status=MessageStatus.SENDING, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def fail_message(message: Message, code: str) -> None:
    message.status = MessageStatus.FAILED
    message.error_code = code[:16]
    message.status_history = [
        *message.status_history,
        history_entry(MessageStatus.FAILED, error_code=code),
    ]


def _give_up(runtime: Runtime, our_id: str, code: str) -> str:
    """This channel cannot carry the message: the next SMS channel of the commune's order
    does, if there is one; otherwise the message fails with ``code``."""
    from notifications.outbound import enqueue_delivery
    from notifications.routing import fall_back

    with unit_of_work_from(runtime.sessions) as session:
        message = load_message(session, our_id)
        replacement = fall_back(session, message, code)
        if replacement is None:
            fail_message(message, code)
            return code.split(":")[0].replace("_", "-")
    enqueue_delivery(runtime.queues, [replacement])
    return f"fallback-{replacement.channel}"


def _record_permanent(runtime: Runtime, our_id: str, error: PermanentSendError) -> None:
    with unit_of_work_from(runtime.sessions) as session:
        message = load_message(session, our_id)
        if error.code == OPT_OUT_ERROR_CODE:
            set_opt_out(session, message.peer_phone, True, f"error:{OPT_OUT_ERROR_CODE}")
        fail_message(message, str(error.code or error.http_status or "permanent"))
    log.warning("SMS %s failed for good: %s", our_id, error)


def _retry_later(runtime: Runtime, our_id: str, attempt: int, error: RetryableSendError) -> str:
    code = str(error.code or error.http_status or "network")
    with unit_of_work_from(runtime.sessions) as session:
        message = load_message(session, our_id)
        if message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return "confirmed"  # a status callback proved the lost attempt got through
        last = attempt >= MAX_ATTEMPTS
        if not last:
            entry = history_entry(
                "retry", error_code=code, attempt=attempt, maybe_sent=error.maybe_sent
            )
            message.status_history = [*message.status_history, entry]
    if last:  # after the unit above: the give-up takes the write lock itself
        return _give_up(runtime, our_id, f"gave-up:{code}")
    delay = backoff_seconds(attempt) * wiring.channels(runtime).backoff_scale
    schedule_attempt(runtime, our_id, attempt + 1, utcnow() + timedelta(seconds=delay))
    log.info("SMS %s attempt %s failed (%s); next in %.1f s", our_id, attempt, error, delay)
    return "retry"
