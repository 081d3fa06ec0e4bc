"""Per-phone SMS state owned by messaging: the request dialogue and the opt-out flag.

Both are keyed by the E.164 phone, not by a resident: the dialogue starts before anyone is
known, and STOP applies to the number whoever it belongs to (a household shares one phone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.clock import utcnow
from dispatch.models.base import Base


class SmsDialogue(Base):
    """What a resident has told us so far, until a request is submitted or it expires."""

    __tablename__ = "sms_dialogue"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    draft: Mapped[dict[str, Any]]  # notifications.dialogue.Draft.to_json()
    asked: Mapped[str | None] = mapped_column(String(32))  # template of the open question
    expires_at: Mapped[datetime]
    # The provider id of the last inbound message applied: a re-delivered turn is a no-op.
    last_inbound_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PhoneOptOut(Base):
    """A number that sent STOP (or that the carrier reports unsubscribed, Twilio 21610).

    No message is sent to it until it sends START; the row is kept with ``opted_out`` False
    afterwards, as a record of when and how it changed.
    """

    __tablename__ = "phone_opt_out"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    opted_out: Mapped[bool] = mapped_column(default=True)
    source: Mapped[str] = mapped_column(String(32))  # "keyword" | "error:21610"
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
