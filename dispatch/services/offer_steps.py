"""Building blocks shared by offers, coordinator overrides and the plan write-back:
the offer command, volunteer and time checks, and making an offered assignment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.events import AssignmentOffered
from dispatch.models import Assignment, HelpRequest, Volunteer
from dispatch.models.requests import AssignmentSource, free_letter
from dispatch.services.errors import Conflict, InvalidCommand, NotFound
from dispatch.services.unit import assignment_refs, live_assignment, record_change
from dispatch.states import LIVE_ASSIGNMENT_STATUSES, AssignmentStatus, RequestStatus, transition

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


def next_letter(session: Session, volunteer_id: int) -> str:
    """The first letter none of the volunteer's live visits has. The volunteer's row is locked
    (PostgreSQL) until the caller commits, so two offers to one volunteer never share a letter
    (SQLite lets one writer in at a time anyway)."""
    session.execute(select(Volunteer.id).where(Volunteer.id == volunteer_id).with_for_update())
    used = session.scalars(
        select(Assignment.letter).where(
            Assignment.volunteer_id == volunteer_id,
            Assignment.status.in_(LIVE_ASSIGNMENT_STATUSES),
            Assignment.letter.is_not(None),
        )
    )
    return free_letter({letter for letter in used if letter})


def create_offer(
    session: Session,
    req: HelpRequest,
    cmd: OfferAssignment,
    now: datetime,
    *,
    locked: bool = False,
    batched: bool = False,
) -> Assignment:
    """Make the assignment and its AssignmentOffered event (inside the caller's transaction).

    ``batched``: the caller tells the volunteer of it with others (``OffersMade``).
    """
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
        letter=next_letter(session, volunteer.id),
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
        plan_run_id=cmd.plan_run_id,
        batched=batched,
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
