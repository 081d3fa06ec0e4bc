"""SMS (and web) messages in both directions, with their delivery history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.models.base import Base, Timestamps


def new_message_id() -> str:
    return uuid.uuid4().hex


class Direction:
    INBOUND = "in"
    OUTBOUND = "out"


class MessageStatus:
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    RECEIVED = "received"  # inbound
    REPLACED = "replaced"  # Zalo could not carry it: an SMS (fallback_of_id) carries it instead


class Message(Timestamps, Base):
    __tablename__ = "message"
    __table_args__ = (
        # Providers retry webhooks: the same provider id must not be stored twice.
        UniqueConstraint("channel", "provider_id", name="uq_message_channel_provider_id"),
        Index("ix_message_peer_created", "peer_phone", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    our_id: Mapped[str] = mapped_column(String(40), unique=True, default=new_message_id)
    direction: Mapped[str] = mapped_column(String(4))
    # twilio | android_gateway | zalo | sandbox | web
    channel: Mapped[str] = mapped_column(String(32))
    peer_phone: Mapped[str] = mapped_column(String(20))  # E.164
    body: Mapped[str] = mapped_column(Text)
    segments: Mapped[int] = mapped_column(default=1)
    encoding: Mapped[str] = mapped_column(String(8), default="GSM-7")  # GSM-7 | UCS-2
    template: Mapped[str | None] = mapped_column(String(64))
    provider_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.QUEUED)
    # [{"status": ..., "at": ISO-8601, "error_code": ...}]
    status_history: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    error_code: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    send_after: Mapped[datetime | None]  # quiet hours hold outbound messages until then
    # Zalo (ZNS) messages: the template parameters; ``body`` is then the SMS text to send
    # instead when Zalo cannot deliver (see notifications.routing).
    template_data: Mapped[dict[str, Any] | None]
    # An SMS sent because the message it replaces could not go by Zalo.
    fallback_of_id: Mapped[int | None] = mapped_column(ForeignKey("message.id"))
    commune_code: Mapped[str | None] = mapped_column(ForeignKey("commune.code"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("help_request.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    # The assignments an outbound message lists (a digest of offers, a "which one?"): a bare
    # "1" answering it means these, never others.
    listed: Mapped[list[int] | None] = mapped_column(JSON)
