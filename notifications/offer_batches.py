"""The offers one plan run made to one volunteer (``OffersMade``), told together.

Two or more offers go out as ONE digest when it fits in two segments in the commune's mode
("Việc mới: A) VNeID, Công Sự, 8h30 T3; B) BHYT, Vân Tập, 14h00 T3. Nhắn 1 nhận hết, 1A chỉ
nhận A, 2A từ chối A"): the message lists them (``Message.listed``), so a bare "1" answering
it accepts exactly those. Otherwise, and for a single offer, each offer goes alone with its
letter ("Nhắn 1B để nhận").

The choice is made once: the messages' ids derive from the event (the digest's) and from each
offer (the single ones), and a re-run that finds any of them written returns those instead of
choosing again, so a retried job never sends a digest and singles both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.models import Assignment, Message, Volunteer
from dispatch.states import AssignmentStatus
from notifications.handlers import offer_values, run_handler
from notifications.offer_texts import MAX_SEGMENTS, listing
from notifications.outbound import Outgoing, message_our_id, segments_of, sms_language
from notifications.recipients import hamlet_name, to_volunteer

DIGEST = "offer_digest"


def offers_made(event_id: int) -> None:
    run_handler(event_id, _build)


def _build(session: Session, event: Any, cause: str) -> Sequence[Outgoing | Message]:
    volunteer = session.get(Volunteer, event.volunteer_id)
    if volunteer is None:
        return []
    told = _told_already(session, volunteer.phone, cause, event.assignment_ids)
    if told:
        return told
    offers = [
        a
        for a in (session.get(Assignment, i) for i in event.assignment_ids)
        if a is not None and a.status is AssignmentStatus.OFFERED
    ]
    if len(offers) >= 2:
        digest = _digest(session, volunteer, offers, cause)
        if digest is not None:
            return [digest]
    return [_single(volunteer, a, cause) for a in offers]


def _single(volunteer: Volunteer, assignment: Assignment, cause: str) -> Outgoing:
    return to_volunteer(
        volunteer, assignment.request, "offer", f"{cause}:a{assignment.id}",
        **offer_values(assignment),
    )  # fmt: skip


def _digest(
    session: Session, volunteer: Volunteer, offers: list[Assignment], cause: str
) -> Outgoing | None:
    def outgoing(values: dict[str, Any]) -> Outgoing:
        digest = to_volunteer(volunteer, None, DIGEST, cause, **values)
        return replace(digest, listed=[a.id for a in offers])

    values = listing(
        offers,
        lambda a: hamlet_name(a.request),
        sms_language(volunteer.languages),
        lambda v: segments_of(session, outgoing(v)) <= MAX_SEGMENTS,
        details=(2,),  # a digest IS the offer: every item in full, or no digest
    )
    return None if values is None else outgoing(values)


def _told_already(
    session: Session, phone: str, cause: str, assignment_ids: list[int]
) -> list[Message]:
    ids = [message_our_id(cause, DIGEST, phone)] + [
        message_our_id(f"{cause}:a{i}", "offer", phone) for i in assignment_ids
    ]
    return list(session.scalars(select(Message).where(Message.our_id.in_(ids))))
