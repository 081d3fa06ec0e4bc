"""One attempt at a Zalo (ZNS) message, claimed by ``notifications.delivery.deliver``.

What Zalo's answer means (``notifications.channels.zalo_zns.ZNS_KINDS``):

- sent: the message row keeps Zalo's ``msg_id``; the delivery webhook marks it delivered.
- no Zalo account, invalid number, cannot receive: the next SMS channel carries it now.
- night (22:00-06:00): a message quiet hours let through at night goes by SMS now; any other
  waits for the morning (06:00, or the end of our quiet hours if later) and tries Zalo again.
- quota: the OA is marked spent for the day (ZNS is then not even tried) and SMS carries it.
- template refused: an alert for the coordinators' panel, and SMS carries it.
- Zalo's own trouble (unknown error, HTTP 5xx, a second token rejection): retried with
  backoff, then SMS.
- an answer lost after the request went out (read timeout), or an attempt that never recorded
  Zalo's answer (a killed worker): Zalo may have created the message,
  and its API has no way to look one up by our ``tracking_id`` nor refuses a repeated one. So
  we never send that ZNS again: we wait ``ZALO_CONFIRM_SECONDS`` for the delivery webhook
  (which carries our tracking id), and only without one does SMS carry the message.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import Message, MessageStatus
from dispatch.runtime import Runtime
from dispatch.services.unit_of_work import unit_of_work_from
from notifications import wiring
from notifications.attempts import history_entry, record_sent, schedule_attempt
from notifications.channels import RetryableSendError
from notifications.channels.zalo_zns import (
    NIGHT,
    NO_ZALO,
    QUOTA,
    TEMPLATE,
    ZaloApiError,
    ZaloAuthError,
)
from notifications.outbound import enqueue_delivery, sent_at_night
from notifications.policy import backoff_seconds, zalo_morning
from notifications.routing import fall_back
from notifications.zalo_account import mark_quota_spent, quota_spent_today, record_alert

log = logging.getLogger(__name__)

ZALO_MAX_ATTEMPTS = 4  # then SMS: a person should not wait hours for Zalo to recover
UNCONFIRMED = "unconfirmed"
TEMPLATE_ALERT = "zalo_template"
TOKEN_ALERT = "zalo_token"  # Zalo refuses our refresh token: the OA must be authorised again


def deliver_zalo(runtime: Runtime, our_id: str, attempt: int) -> str:
    settings = runtime.settings
    zalo = wiring.zalo_settings(settings)
    # Read only, and closed before Zalo answers: no lock held meanwhile. Each way out below
    # opens its own unit of work, which checks the message again under the lock.
    with runtime.sessions() as session:
        message = session.scalar(select(Message).where(Message.our_id == our_id))
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return "done-already"
        unconfirmed = any(h.get("status") == UNCONFIRMED for h in message.status_history)
        # The last attempt was claimed and never told what Zalo said (a killed worker, a
        # database error after the send): it may have landed, so it is unconfirmed too.
        unanswered = attempt > 1 and not _answered(message, attempt - 1)
        quota = zalo is not None and quota_spent_today(session, zalo.app_id, utcnow())
        phone, template = message.peer_phone, message.template or ""
        data = dict(message.template_data or {})
    if unconfirmed:
        return _fall_back_now(runtime, our_id, UNCONFIRMED)
    if unanswered:
        error = RetryableSendError("earlier attempt without an answer", maybe_sent=True)
        return _retry(runtime, our_id, attempt, error)
    if quota:
        return _fall_back_now(runtime, our_id, "quota")
    try:
        channel = wiring.channels(runtime).zalo()
        sent = channel.send(phone, template, data, our_id)
    except wiring.ChannelUnavailable as error:
        log.warning("ZNS %s not sent: %s", our_id, error)
        return _fall_back_now(runtime, our_id, "no_channel")
    except ZaloApiError as error:
        return _refused(runtime, our_id, attempt, error)
    except ZaloAuthError as error:
        with unit_of_work_from(runtime.sessions) as session:
            record_alert(session, TOKEN_ALERT, zalo.app_id if zalo else "?", str(error))
        return _retry(runtime, our_id, attempt, error)
    except RetryableSendError as error:
        return _retry(runtime, our_id, attempt, error)
    record_sent(runtime, our_id, sent.msg_id, MessageStatus.SENT)
    return "sent"


def _answered(message: Message, attempt: int) -> bool:
    outcomes = ("retry", "held", UNCONFIRMED)
    return any(
        h.get("attempt") == attempt and h.get("status") in outcomes for h in message.status_history
    )


def _locked(session: Session, our_id: str) -> Message | None:
    """The message, locked until the unit of work ends: the delivery webhook may be writing
    it at the same moment (SQLite: the unit's write lock; PostgreSQL: the row lock)."""
    return session.scalar(select(Message).where(Message.our_id == our_id).with_for_update())


def _fall_back(session: Session, message: Message, reason: str) -> Message | None:
    """The replacement SMS, or None when the message failed (no SMS channel in the order)."""
    replacement = fall_back(session, message, reason)
    if replacement is None:  # no SMS channel in the order: nothing else can carry it
        message.status = MessageStatus.FAILED
        message.error_code = reason[:16]
        message.status_history = [
            *message.status_history,
            history_entry(MessageStatus.FAILED, error_code=reason),
        ]
    return replacement


def _fall_back_now(runtime: Runtime, our_id: str, reason: str) -> str:
    with unit_of_work_from(runtime.sessions) as session:
        message = _locked(session, our_id)
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return "done-already"  # the delivery webhook came first
        replacement = _fall_back(session, message, reason)
    return _handed_over(runtime, replacement, reason)


def _handed_over(runtime: Runtime, replacement: Message | None, reason: str) -> str:
    """After the fallback's commit: its SMS goes to the delivery queue."""
    if replacement is None:
        return f"failed-{reason}"
    enqueue_delivery(runtime.queues, [replacement])
    return f"fallback-{reason}"


def _refused(runtime: Runtime, our_id: str, attempt: int, error: ZaloApiError) -> str:
    code = str(error.code)
    settings = runtime.settings
    if error.kind == NO_ZALO:
        return _fall_back_now(runtime, our_id, code)
    if error.kind == QUOTA:
        zalo = wiring.zalo_settings(settings)
        if zalo is not None:
            with unit_of_work_from(runtime.sessions) as session:
                day = mark_quota_spent(session, zalo.app_id, utcnow(), zalo.refresh_token)
            log.warning("Zalo quota spent (%s): SMS for the rest of %s", code, day)
        return _fall_back_now(runtime, our_id, code)
    if error.kind == TEMPLATE:
        with unit_of_work_from(runtime.sessions) as session:
            message = session.scalar(select(Message).where(Message.our_id == our_id))
            template = (message.template if message else None) or "?"
            record_alert(session, TEMPLATE_ALERT, template, f"{error} (template {template})")
        return _fall_back_now(runtime, our_id, code)
    if error.kind == NIGHT:
        return _night(runtime, our_id, attempt, code)
    return _retry(runtime, our_id, attempt, RetryableSendError(str(error), code=error.code))


def _night(runtime: Runtime, our_id: str, attempt: int, code: str) -> str:
    replacement, morning = None, None
    with unit_of_work_from(runtime.sessions) as session:
        message = _locked(session, our_id)
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return "done-already"
        if sent_at_night(message):  # an answer or a sign-in code cannot wait for the morning
            replacement = _fall_back(session, message, code)
        else:
            settings = runtime.settings
            morning = zalo_morning(utcnow(), settings.quiet_hours, settings.timezone)
            message.status = MessageStatus.QUEUED
            message.send_after = morning
            message.status_history = [
                *message.status_history,
                history_entry("held", error_code=code, until=morning.isoformat(), attempt=attempt),
            ]
    if morning is None:
        return _handed_over(runtime, replacement, code)
    schedule_attempt(runtime, our_id, attempt + 1, morning)
    return "held"


def _retry(runtime: Runtime, our_id: str, attempt: int, error: RetryableSendError) -> str:
    code = str(error.code or error.http_status or "network")
    now = utcnow()
    replacement = None
    with unit_of_work_from(runtime.sessions) as session:
        message = _locked(session, our_id)
        if message is None or message.status not in (MessageStatus.QUEUED, MessageStatus.SENDING):
            return "confirmed"  # the delivery webhook proved the send got through
        given_up = not error.maybe_sent and attempt >= ZALO_MAX_ATTEMPTS
        if given_up:
            replacement = _fall_back(session, message, f"gave-up:{code}")
        elif error.maybe_sent:
            # Never a second ZNS for a send that may have landed: wait for its receipt.
            at = now + timedelta(seconds=runtime.settings.zalo_timing.confirm_s)
            entry = history_entry(UNCONFIRMED, error_code=code, attempt=attempt)
        else:
            scale = wiring.channels(runtime).backoff_scale
            at = now + timedelta(seconds=backoff_seconds(attempt) * scale)
            entry = history_entry("retry", error_code=code, attempt=attempt)
        if not given_up:
            message.send_after = at
            message.status_history = [*message.status_history, entry]
    if given_up:
        return _handed_over(runtime, replacement, f"gave-up:{code}")
    schedule_attempt(runtime, our_id, attempt + 1, at)
    log.info("ZNS %s attempt %s: %s; next at %s", our_id, attempt, error, at.isoformat())
    return UNCONFIRMED if error.maybe_sent else "retry"
