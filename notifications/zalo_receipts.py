"""Zalo's ``user_received_message`` webhook: the person's phone got the ZNS.

Zalo retries a webhook until it gets HTTP 200 and may send one twice: the ``zalo_receipt`` row
(keyed by ``msg_id``) makes a repeat change nothing. The message is found by our tracking id
(so a receipt for a send whose answer was lost still confirms it) or by Zalo's msg_id. A
receipt for a message already handed to SMS is kept in its history ("late"): the person got
both, which the fault bench counts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import ChannelKind, Message, MessageStatus, ZaloReceipt
from dispatch.services.unit_of_work import atomic
from notifications.status import advance

RECEIPT_EVENT = "user_received_message"


def _moment(millis: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(str(millis)) / 1000, UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def apply_receipt(session: Session, event: dict[str, object]) -> str:
    """Apply one receipt in the caller's unit of work; returns what happened (logs, tests)."""
    payload = event.get("message")
    if not isinstance(payload, dict) or not payload.get("msg_id"):
        return "ignored"
    msg_id = str(payload["msg_id"])[:64]
    tracking_id = str(payload.get("tracking_id") or "")[:48] or None
    try:
        with atomic(session):  # a savepoint: a repeat's failed insert is undone alone
            session.add(
                ZaloReceipt(
                    msg_id=msg_id,
                    tracking_id=tracking_id,
                    delivered_at=_moment(payload.get("delivery_time")),
                    received_at=utcnow(),
                )
            )
    except IntegrityError:
        return "duplicate"
    message = None
    if tracking_id:
        message = session.scalar(select(Message).where(Message.our_id == tracking_id))
    if message is None:
        message = session.scalar(
            select(Message).where(
                Message.channel == ChannelKind.ZALO, Message.provider_id == msg_id
            )
        )
    if message is None:
        return "unknown"  # the receipt is kept: a repeat still finds it
    message.provider_id = message.provider_id or msg_id
    if message.status == MessageStatus.REPLACED:
        entry = {"status": MessageStatus.DELIVERED, "at": utcnow().isoformat(), "late": True}
        message.status_history = [*message.status_history, entry]
        outcome = "late"
    else:
        advance(message, MessageStatus.DELIVERED)
        outcome = "delivered"
    return outcome
