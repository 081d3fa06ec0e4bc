"""STOP and START: one flag per phone number, checked by every path that sends.

A volunteer's own ``opted_out`` column follows the same flag, so the coordinator panel shows
it; the per-phone row is the one the senders read (it covers residents and unknown numbers).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dispatch.clock import utcnow
from dispatch.models import PhoneOptOut, Volunteer


def is_opted_out(session: Session, phone: str) -> bool:
    row = session.get(PhoneOptOut, phone)
    if row is not None:
        return row.opted_out
    flagged = session.scalar(select(Volunteer.opted_out).where(Volunteer.phone == phone))
    return bool(flagged)


def set_opt_out(session: Session, phone: str, opted_out: bool, source: str) -> bool:
    """Record STOP (True) or START (False) for ``phone``; returns whether anything changed."""
    row = session.get(PhoneOptOut, phone)
    changed = row is None or row.opted_out != opted_out
    if row is None:
        row = PhoneOptOut(phone=phone, opted_out=opted_out, source=source, changed_at=utcnow())
        session.add(row)
    elif changed:
        row.opted_out, row.source, row.changed_at = opted_out, source, utcnow()
    session.execute(update(Volunteer).where(Volunteer.phone == phone).values(opted_out=opted_out))
    session.flush()
    return changed
