"""Delivery status callbacks: idempotent, and a status never moves backwards.

Callbacks arrive late, twice, or out of order ("delivered" before "sent"); each one is
appended to the message's history only when it moves the status forward, so replaying any
of them changes nothing. A callback may also beat the send job's own bookkeeping: it is
matched by our id (carried in the callback URL) and fills in the provider id.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import Message, MessageStatus
from notifications.optout import set_opt_out
from notifications.policy import OPT_OUT_ERROR_CODE, status_moves_forward

#: Android gateway webhook events and the status each one means.
GATEWAY_STATUS = {
    "sms:sent": MessageStatus.SENT,
    "sms:delivered": MessageStatus.DELIVERED,
    "sms:failed": MessageStatus.FAILED,
}


def find_message(
    session: Session, *, our_id: str | None, channel: str, provider_id: str | None
) -> Message | None:
    if our_id:
        found = session.scalar(select(Message).where(Message.our_id == our_id))
        if found is not None:
            return found
    if provider_id:
        return session.scalar(
            select(Message).where(Message.channel == channel, Message.provider_id == provider_id)
        )
    return None


def advance(message: Message, status: str, error_code: str | None = None) -> bool:
    """Move ``message`` to ``status`` if that is forward; returns whether it moved."""
    status = status.lower()
    if not status_moves_forward(message.status, status):
        return False
    message.status = status
    if error_code:
        message.error_code = error_code
    entry = {"status": status, "at": utcnow().isoformat()}
    if error_code:
        entry["error_code"] = error_code
    message.status_history = [*message.status_history, entry]
    return True


def apply_status(
    session: Session,
    *,
    our_id: str | None,
    channel: str,
    provider_id: str | None,
    status: str,
    error_code: str | None,
) -> bool:
    """Apply one callback in the caller's unit of work; returns whether the message changed."""
    message = find_message(session, our_id=our_id, channel=channel, provider_id=provider_id)
    if message is None or not status:
        return False  # not ours, or not yet known: nothing to store
    changed = False
    if provider_id and message.provider_id is None:
        message.provider_id = provider_id
        changed = True
    moved = advance(message, status, error_code)
    if moved and error_code == str(OPT_OUT_ERROR_CODE):
        set_opt_out(session, message.peer_phone, True, f"error:{OPT_OUT_ERROR_CODE}")
    return changed or moved
