"""Messaging figures for the panel: the per-commune cost ledger (messages and SMS segments by
channel and local day) and the channel alerts a person must act on.

A message counts when its provider accepted it (it has a provider id): that is what Zalo and
the SMS providers bill. A Zalo message replaced by an SMS counts only if Zalo had accepted it
after all (its late receipt), and its SMS counts on the SMS channel. ZNS is billed per message,
so its segments are 0; SMS segments are the GSM-7/UCS-2 parts we counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.models import ChannelAlert, Direction, Message


@dataclass(frozen=True)
class LedgerRow:
    day: date
    commune_code: str
    channel: str
    messages: int
    segments: int


def _local_day(session: Session) -> Any:
    """The local (UTC+7, no daylight saving in Vietnam) calendar day of ``created_at``."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("Asia/Ho_Chi_Minh", Message.created_at))
    return func.date(Message.created_at, "+7 hours")


def cost_ledger(
    session: Session, communes: list[str], start: datetime, end: datetime
) -> list[LedgerRow]:
    """Rows for messages created in [start, end) in ``communes``, by day, commune, channel."""
    day = _local_day(session).label("day")
    rows = session.execute(
        select(
            day,
            Message.commune_code,
            Message.channel,
            func.count(Message.id),
            func.coalesce(func.sum(Message.segments), 0),
        )
        .where(
            Message.commune_code.in_(communes),
            Message.direction == Direction.OUTBOUND,
            Message.provider_id.is_not(None),
            Message.created_at >= start,
            Message.created_at < end,
        )
        .group_by(day, Message.commune_code, Message.channel)
        .order_by(day.desc(), Message.commune_code, Message.channel)
    )
    return [
        LedgerRow(
            day=value if isinstance(value, date) else date.fromisoformat(str(value)),
            commune_code=str(commune),
            channel=str(channel),
            messages=int(count),
            segments=int(segments),
        )
        for value, commune, channel, count, segments in rows
    ]


def recent_alerts(session: Session, since: datetime) -> list[ChannelAlert]:
    """Alerts raised since ``since`` (e.g. a ZNS template Zalo has not approved), newest first."""
    return list(
        session.scalars(
            select(ChannelAlert)
            .where(ChannelAlert.last_at >= since)
            .order_by(ChannelAlert.last_at.desc())
        )
    )
