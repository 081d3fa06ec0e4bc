"""Zalo Official Account state: its OAuth tokens, delivery receipts seen, and panel alerts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.models.base import Base


class ZaloAccount(Base):
    """One row per Zalo app: the current tokens (a refresh token works once, so the new one
    is stored in the same transaction that read the old one) and the day quota ran out."""

    __tablename__ = "zalo_account"

    app_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]
    refreshed_at: Mapped[datetime | None]
    refreshes: Mapped[int] = mapped_column(default=0)
    quota_out_on: Mapped[date | None]  # local day Zalo said "quota": SMS until midnight


class ZaloReceipt(Base):
    """A ``user_received_message`` webhook already applied: Zalo retries them, keyed by msg_id."""

    __tablename__ = "zalo_receipt"

    msg_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    tracking_id: Mapped[str | None] = mapped_column(String(48), index=True)
    delivered_at: Mapped[datetime | None]
    received_at: Mapped[datetime]


class ChannelAlert(Base):
    """Something only a person can fix (e.g. a ZNS template Zalo has not approved), shown in
    the coordinator panel; repeats of one problem update one row."""

    __tablename__ = "channel_alert"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_channel_alert_kind_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    count: Mapped[int] = mapped_column(default=1)
    first_at: Mapped[datetime]
    last_at: Mapped[datetime]
