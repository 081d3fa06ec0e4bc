"""One service call = one transaction: state change + outbox events + audit row.

``transaction(session)`` commits on success and rolls everything back on error, turning
SQLAlchemy's stale-version error into ``Conflict``. ``audit()`` adds the audit row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dispatch.models import Assignment, AuditLog, HelpRequest
from dispatch.services.errors import Conflict, InvalidCommand, NotFound


@contextmanager
def transaction(session: Session) -> Iterator[None]:
    """Commit what the block did, or roll it all back (pending caller changes included)."""
    try:
        yield
        session.flush()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(f"changed by someone else meanwhile: {exc}") from exc
    except BaseException:
        session.rollback()
        raise
    try:
        session.commit()
    except StaleDataError as exc:
        session.rollback()
        raise Conflict(f"changed by someone else meanwhile: {exc}") from exc


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


def get_request(session: Session, request_id: int, expected_version: int | None) -> HelpRequest:
    req = session.get(HelpRequest, request_id)
    if req is None:
        raise NotFound("request", request_id)
    if expected_version is not None and req.version != expected_version:
        raise Conflict(f"request {request_id} is at version {req.version}, not {expected_version}")
    return req


def get_assignment(
    session: Session, assignment_id: int, expected_version: int | None
) -> Assignment:
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("assignment", assignment_id)
    if expected_version is not None and assignment.version != expected_version:
        raise Conflict(
            f"assignment {assignment_id} is at version {assignment.version}, not {expected_version}"
        )
    return assignment


def require_reason(reason: str | None) -> str:
    if reason is None or not reason.strip():
        raise InvalidCommand("a reason is required")
    return reason.strip()
