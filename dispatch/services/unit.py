"""What every service writes and reads alike: the change's outbox event and audit row, rows
read fresh for the change, the ids events carry.

``audit()`` adds the audit row; ``record_change()`` adds a change's outbox event and its audit
row together. Where the transaction begins and ends is ``dispatch.services.unit_of_work``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import outbox
from dispatch.events import DomainEvent
from dispatch.models import Assignment, AuditLog, HelpRequest
from dispatch.services.errors import Conflict, InvalidCommand, NotFound
from dispatch.states import LIVE_ASSIGNMENT_STATUSES

M = TypeVar("M", HelpRequest, Assignment)


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: HelpRequest | Assignment,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime,
    reason: str | None = None,
) -> AuditLog:
    req = entity if isinstance(entity, HelpRequest) else entity.request
    row = AuditLog(
        at=at,
        actor=actor,
        action=action,
        entity_type="request" if isinstance(entity, HelpRequest) else "assignment",
        entity_id=str(entity.id),
        before=before,
        after=after,
        reason=reason,
        commune_code=req.commune_code,
    )
    session.add(row)
    return row


def record_change(
    session: Session,
    entity: HelpRequest | Assignment,
    event: DomainEvent,
    *,
    actor: str,
    action: str,
    before: dict[str, Any] | None,
    at: datetime,
    reason: str | None = None,
) -> None:
    """The change's event and its audit row, from ``before`` to the entity as it is now."""
    outbox.record(session, event)
    after = (
        request_snapshot(entity) if isinstance(entity, HelpRequest) else assignment_snapshot(entity)
    )
    audit(
        session,
        actor=actor,
        action=action,
        entity=entity,
        before=before,
        after=after,
        at=at,
        reason=reason,
    )


class AssignmentRefs(TypedDict):
    commune_code: str
    assignment_id: int
    request_id: int
    volunteer_id: int


def assignment_refs(a: Assignment) -> AssignmentRefs:
    """The ids every assignment event carries (``Event(**assignment_refs(a), ...)``)."""
    return {
        "commune_code": a.request.commune_code,
        "assignment_id": a.id,
        "request_id": a.request_id,
        "volunteer_id": a.volunteer_id,
    }


def request_snapshot(req: HelpRequest) -> dict[str, Any]:
    return {
        "status": str(req.status),
        "version": req.version,
        "preferred_windows": list(req.preferred_windows),
        "priority": req.priority,
    }


def assignment_snapshot(a: Assignment) -> dict[str, Any]:
    return {
        "status": str(a.status),
        "volunteer_id": a.volunteer_id,
        "start_at": a.start_at.isoformat(),
        "end_at": a.end_at.isoformat(),
        "locked": a.locked,
        "version": a.version,
    }


def fresh(session: Session, model: type[M], ident: int) -> M | None:
    """The row as the database has it now, row-locked (PostgreSQL) for this transaction.

    A copy the session kept from an earlier transaction is reloaded, so a stale state never
    drives a change; the caller's ``expected_version`` is what detects staleness on purpose.
    """
    cached = session.identity_map.get(session.identity_key(model, ident))
    if cached is not None and cached not in session.dirty:
        session.expire(cached)
    return session.get(model, ident, with_for_update=True)


def get_request(session: Session, request_id: int, expected_version: int | None) -> HelpRequest:
    req = fresh(session, HelpRequest, request_id)
    if req is None:
        raise NotFound("request", request_id)
    if expected_version is not None and req.version != expected_version:
        raise Conflict(f"request {request_id} is at version {req.version}, not {expected_version}")
    return req


def get_assignment(
    session: Session, assignment_id: int, expected_version: int | None
) -> Assignment:
    assignment = fresh(session, Assignment, assignment_id)
    if assignment is None:
        raise NotFound("assignment", assignment_id)
    if expected_version is not None and assignment.version != expected_version:
        raise Conflict(
            f"assignment {assignment_id} is at version {assignment.version}, not {expected_version}"
        )
    # Its request too: services change both.
    fresh(session, HelpRequest, assignment.request_id)
    return assignment


def live_assignment(session: Session, req: HelpRequest) -> Assignment | None:
    """The request's offered, accepted or in-progress assignment, read fresh."""
    return session.scalars(
        select(Assignment)
        .where(Assignment.request_id == req.id, Assignment.status.in_(LIVE_ASSIGNMENT_STATUSES))
        .order_by(Assignment.id.desc())
        .limit(1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def require_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise InvalidCommand("a reason is required")
    return reason.strip()
