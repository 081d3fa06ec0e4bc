"""Record events in the caller's transaction (the relay publishes them after commit)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.events import DomainEvent
from dispatch.models import Event


def record(session: Session, event: DomainEvent) -> Event:
    """Add an outbox row for ``event``; it is stored only if the caller's transaction commits."""
    row = Event(type=event.type, payload=event.to_payload(), created_at=utcnow(), attempts=0)
    session.add(row)
    return row
