"""The coordinator's request page: timeline of events, messages, audit, possible duplicates;
and merging a duplicate into the request it repeats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.models import AuditLog, Event, HelpRequest, Message, Resident
from dispatch.services.errors import InvalidCommand
from dispatch.services.requests import CancelRequest, cancel
from dispatch.services.unit import audit, get_request
from dispatch.services.unit_of_work import atomic
from dispatch.states import OPEN_REQUEST_STATUSES


@dataclass(frozen=True)
class RequestDetails:
    events: list[Event]
    messages: list[Message]
    audit: list[AuditLog]
    duplicates: list[HelpRequest]


def details(session: Session, req: HelpRequest) -> RequestDetails:
    events = list(
        session.scalars(
            select(Event)
            .where(Event.payload["request_id"].as_integer() == req.id)
            .order_by(Event.created_at, Event.id)
        )
    )
    messages = list(
        session.scalars(
            select(Message).where(Message.request_id == req.id).order_by(Message.created_at)
        )
    )
    assignment_ids = [str(a.id) for a in req.assignments]
    audit_rows = list(
        session.scalars(
            select(AuditLog)
            .where(
                or_(
                    and_(AuditLog.entity_type == "request", AuditLog.entity_id == str(req.id)),
                    and_(
                        AuditLog.entity_type == "assignment",
                        AuditLog.entity_id.in_(assignment_ids),
                    ),
                )
            )
            .order_by(AuditLog.at, AuditLog.id)
        )
    )
    return RequestDetails(events, messages, audit_rows, possible_duplicates(session, req))


def possible_duplicates(session: Session, req: HelpRequest) -> list[HelpRequest]:
    """Other open requests of the same commune from the same phone (any kind)."""
    return list(
        session.scalars(
            select(HelpRequest)
            .join(Resident, HelpRequest.resident_id == Resident.id)
            .where(
                HelpRequest.id != req.id,
                HelpRequest.commune_code == req.commune_code,
                HelpRequest.status.in_(list(OPEN_REQUEST_STATUSES)),
                Resident.phone == req.resident.phone,
            )
            .order_by(HelpRequest.created_at)
        )
    )


@dataclass(frozen=True)
class MergeRequests:
    keep_id: int
    duplicate_id: int
    actor: str
    expected_version: int | None = None  # of the duplicate


def merge(session: Session, cmd: MergeRequests, now: datetime) -> HelpRequest:
    """Cancel the duplicate with a reason naming the kept request; note it on the kept one."""
    now = as_utc(now)
    if cmd.keep_id == cmd.duplicate_id:
        raise InvalidCommand("a request cannot be merged into itself")
    keep = get_request(session, cmd.keep_id, None)
    duplicate = get_request(session, cmd.duplicate_id, cmd.expected_version)
    if duplicate.commune_code != keep.commune_code:
        raise InvalidCommand("only requests of the same commune can be merged")
    reason = f"merged into {keep.reference}"
    cancel(
        session,
        CancelRequest(duplicate.id, cmd.actor, reason, cmd.expected_version),
        now,
    )
    with atomic(session):
        extra = duplicate.text.strip()
        if extra and extra not in keep.text:
            keep.text = f"{keep.text}\n{extra}".strip()
            keep.updated_at = now
        audit(
            session,
            actor=cmd.actor,
            action="request.merge",
            entity=keep,
            before=None,
            after={"merged": duplicate.reference},
            at=now,
            reason=reason,
        )
    return keep
