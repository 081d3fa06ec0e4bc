"""Which channel carries a message: the commune's order (e.g. zalo, android_gateway, twilio),
and the SMS that replaces a message its channel could not carry.

Zalo goes first only where it can work: a Vietnamese number, a Vietnamese reader (ZNS texts
are registered in one language), a template with an approved ZNS twin, and Zalo configured
(or its sandbox). Otherwise, and whenever Zalo later refuses, the message goes by the next SMS
channel of the order: the replacement is its own Message row (``fallback_of_id``) with the SMS
text rendered when the message was queued, sent by the ordinary delivery job.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import (
    ChannelKind,
    Commune,
    Direction,
    Message,
    MessageStatus,
    SmsChannelKind,
)
from dispatch.settings import Settings
from notifications.segments import count_segments
from notifications.zalo_templates import ZNS_TEMPLATES

DEFAULT_ORDER = [SmsChannelKind.TWILIO]


def order_of(commune: Commune | None) -> list[str]:
    return commune.channels if commune is not None else list(DEFAULT_ORDER)


def zalo_can_carry(settings: Settings, template: str, lang: str, phone: str) -> bool:
    from notifications import wiring

    return (
        lang == "vi"
        and phone.startswith("+84")
        and template in ZNS_TEMPLATES
        and template in wiring.zalo_template_ids(settings)
    )


def first_channel(
    settings: Settings, commune: Commune | None, template: str, lang: str, phone: str
) -> str:
    for channel in order_of(commune):
        if channel != ChannelKind.ZALO:
            return channel
        if zalo_can_carry(settings, template, lang, phone):
            return channel
    return DEFAULT_ORDER[0]  # unreachable: a commune's order always ends with an SMS channel


def next_sms_channel(commune: Commune | None, current: str) -> str | None:
    """The SMS channel after ``current`` in the order (Zalo is never tried twice)."""
    order = order_of(commune)
    after = order[order.index(current) + 1 :] if current in order else order
    return next((c for c in after if c in SmsChannelKind.ALL), None)


def _entry(status: str, **extra: Any) -> dict[str, Any]:
    return {"status": status, "at": utcnow().isoformat(), **{k: v for k, v in extra.items() if v}}


def fall_back(session: Session, message: Message, reason: str) -> Message | None:
    """Hand ``message`` to the next SMS channel: the replacement row (the caller's unit of work
    commits it, then it is enqueued), or None when the order has no channel left."""
    commune = session.get(Commune, message.commune_code) if message.commune_code else None
    channel = next_sms_channel(commune, message.channel)
    if channel is None:
        return None
    our_id = hashlib.sha256(f"fallback|{message.our_id}|{channel}".encode()).hexdigest()[:32]
    existing = session.scalar(select(Message).where(Message.our_id == our_id))
    if existing is not None:
        return existing
    queued = _entry(MessageStatus.QUEUED, fallback=True)
    first = message.status_history[0] if message.status_history else {}
    if "urgent" in first:  # quiet hours judge the replacement as they judged the message
        queued["urgent"] = first["urgent"]
    message.status = MessageStatus.REPLACED
    message.error_code = reason[:16]
    message.status_history = [
        *message.status_history,
        _entry(MessageStatus.REPLACED, error_code=reason, by=channel),
    ]
    info = count_segments(message.body)
    replacement = Message(
        our_id=our_id,
        direction=Direction.OUTBOUND,
        channel=channel,
        peer_phone=message.peer_phone,
        body=message.body,
        segments=info.segments,
        encoding=str(info.encoding),
        template=message.template,
        status=MessageStatus.QUEUED,
        commune_code=message.commune_code,
        request_id=message.request_id,
        assignment_id=message.assignment_id,
        volunteer_id=message.volunteer_id,
        resident_id=message.resident_id,
        fallback_of_id=message.id,
        attempts=0,
        created_at=utcnow(),
        status_history=[queued],
    )
    session.add(replacement)
    session.flush()
    return replacement
