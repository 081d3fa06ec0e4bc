"""A commune's messaging settings, changed by a coordinator: the order of its channels."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from dispatch.models import AuditLog, ChannelKind, Commune, SmsChannelKind
from dispatch.services.errors import InvalidCommand, NotFound
from dispatch.services.unit_of_work import atomic


class BadChannelOrder(InvalidCommand):
    """An unknown channel, a repeat, or no SMS channel to fall back on."""


def parse_channel_order(raw: str) -> str:
    """``"zalo, android_gateway,twilio"`` -> ``"zalo,android_gateway,twilio"``; empty stays
    empty (the commune's SMS channel alone)."""
    channels = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [c for c in channels if c not in ChannelKind.ALL]
    if unknown:
        raise BadChannelOrder(f"unknown channel {unknown[0]!r}")
    if len(set(channels)) != len(channels):
        raise BadChannelOrder("a channel appears twice")
    if channels and not any(c in SmsChannelKind.ALL for c in channels):
        raise BadChannelOrder("the order needs an SMS channel to fall back on")
    return ",".join(channels)


def set_channel_order(
    session: Session, commune_code: str, raw: str, *, actor: str, at: datetime
) -> Commune:
    """Store the commune's channel order with an audit row, in the caller's unit of work."""
    with atomic(session):
        commune = session.get(Commune, commune_code)
        if commune is None:
            raise NotFound("commune", commune_code)
        order = parse_channel_order(raw)
        before = commune.channel_order
        commune.channel_order = order
        session.add(
            AuditLog(
                at=at,
                actor=actor,
                action="set_channel_order",
                entity_type="commune",
                entity_id=commune_code,
                before={"channel_order": before},
                after={"channel_order": order},
                commune_code=commune_code,
            )
        )
    return commune
