"""Read-side queries for the volunteer pages: "My visits" in route order."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from dispatch.models import Assignment, HelpRequest
from dispatch.states import LIVE_ASSIGNMENT_STATUSES, AssignmentStatus


def my_visits(session: Session, volunteer_id: int, since: datetime) -> list[Assignment]:
    """The volunteer's live visits from ``since`` on (and any visit under way), plus the ones
    finished since then, in time order: for one volunteer that is the route order."""
    statement = (
        select(Assignment)
        .where(
            Assignment.volunteer_id == volunteer_id,
            or_(
                Assignment.status == AssignmentStatus.IN_PROGRESS,
                (Assignment.start_at >= since)
                & Assignment.status.in_([*LIVE_ASSIGNMENT_STATUSES, AssignmentStatus.DONE]),
            ),
        )
        .options(
            selectinload(Assignment.request).selectinload(HelpRequest.resident),
        )
        .order_by(Assignment.start_at, Assignment.id)
    )
    return list(session.scalars(statement))


def visit_of(session: Session, assignment_id: int, volunteer_id: int) -> Assignment | None:
    """The assignment only when it belongs to this volunteer (others look like 404)."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.volunteer_id != volunteer_id:
        return None
    return assignment
