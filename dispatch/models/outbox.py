"""The event outbox: rows written in the same transaction as the state change they report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.clock import utcnow
from dispatch.models.base import Base


class Event(Base):
    __tablename__ = "event"
    # The relay's sweep looks for rows not yet published, oldest first.
    __table_args__ = (Index("ix_event_unpublished", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
