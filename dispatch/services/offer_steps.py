"""Building blocks shared by offers, coordinator overrides and the plan write-back:
the offer command, volunteer and time checks, and making an offered assignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.events import AssignmentOffered
from dispatch.models import Assignment, HelpRequest, Volunteer
from dispatch.models.requests import AssignmentSource
from dispatch.services.errors import Conflict, InvalidCommand, NotFound
from dispatch.services.unit import assignment_refs, live_assignment, record_change
from dispatch.states import AssignmentStatus, RequestStatus, transition

A = AssignmentStatus
R = RequestStatus


@dataclass(frozen=True)
class OfferAssignment:
    request_id: int
    volunteer_id: int
    start_at: datetime
    end_at: datetime
    expires_at: datetime | None
    actor: str = "solver"
    source: str = AssignmentSource.SOLVER
    plan_run_id: int | None = None
    expected_version: int | None = None  # of the request


def check_volunteer(session: Session, volunteer_id: int) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("volunteer", volunteer_id)
    if not volunteer.active or volunteer.opted_out:
        raise InvalidCommand(f"volunteer {volunteer_id} is not taking visits")
    return volunteer


def check_times(start_at: datetime, end_at: datetime) -> tuple[datetime, datetime]:
    try:
        start, end = as_utc(start_at), as_utc(end_at)
    except ValueError as exc:
        raise InvalidCommand(str(exc)) from None
    if end <= start:
        raise InvalidCommand("a visit must end after it starts")
    return start, end


def create_offer(
    session: Session,
    req: HelpRequest,
    cmd: OfferAssignment,
    now: datetime,
    *,
    locked: bool = False,
) -> Assignment:
    """Make the assignment and its AssignmentOffered event (inside the caller's transaction)."""
    volunteer = check_volunteer(session, cmd.volunteer_id)
    start, end = check_times(cmd.start_at, cmd.end_at)
    if live_assignment(session, req) is not None:
        raise Conflict(f"request {req.id} already has a live assignment")
    assignment = Assignment(
        request=req,
        volunteer_id=volunteer.id,
        start_at=start,
        end_at=end,
        status=A.OFFERED,
        source=cmd.source,
        locked=locked,
        offered_at=now,
        expires_at=as_utc(cmd.expires_at) if cmd.expires_at else None,
        plan_run_id=cmd.plan_run_id,
        created_at=now,
        updated_at=now,
    )
    session.add(assignment)
    req.status = transition(req.status, R.OFFERED)
    req.updated_at = now
    session.flush()
    offered = AssignmentOffered(
        **assignment_refs(assignment),
        start_at=start,
        end_at=end,
        expires_at=assignment.expires_at,
        source=cmd.source,
    )
    record_change(
        session,
        assignment,
        offered,
        actor=cmd.actor,
        action="assignment.offer",
        before=None,
        at=now,
    )
    return assignment
