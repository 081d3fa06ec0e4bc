"""The life of one offer: offer -> accept | decline | expire, then start -> complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.events import (
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    VisitCompleted,
    VisitStarted,
)
from dispatch.models import Assignment
from dispatch.models.requests import AssignmentSource, VisitOutcome
from dispatch.services.errors import Conflict, InvalidCommand
from dispatch.services.offer_steps import OfferAssignment as OfferAssignment  # re-exported
from dispatch.services.offer_steps import check_volunteer, create_offer
from dispatch.services.unit import (
    assignment_refs,
    assignment_snapshot,
    get_assignment,
    get_request,
    record_change,
)
from dispatch.services.unit_of_work import atomic
from dispatch.states import AssignmentStatus, IllegalTransition, RequestStatus, transition

A = AssignmentStatus
R = RequestStatus


@dataclass(frozen=True)
class AcceptOffer:
    assignment_id: int
    actor: str
    expected_version: int | None = None


@dataclass(frozen=True)
class DeclineOffer:
    assignment_id: int
    actor: str
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ExpireOffer:
    assignment_id: int
    actor: str = "system"


@dataclass(frozen=True)
class StartVisit:
    assignment_id: int
    actor: str
    expected_version: int | None = None


@dataclass(frozen=True)
class CompleteVisit:
    assignment_id: int
    outcome: str
    actor: str
    note: str | None = None
    expected_version: int | None = None


def offer(session: Session, cmd: OfferAssignment, now: datetime) -> Assignment:
    """Offer an open request to a volunteer at a time; the offer expires at ``expires_at``."""
    now = as_utc(now)
    with atomic(session):
        req = get_request(session, cmd.request_id, cmd.expected_version)
        volunteer = check_volunteer(session, cmd.volunteer_id)
        if cmd.source == AssignmentSource.SOLVER:
            missing = set(req.required_skills()) - volunteer.planning_skills()
            if missing:
                raise InvalidCommand(f"volunteer lacks {', '.join(sorted(missing))}")
        assignment = create_offer(session, req, cmd, now)
    return assignment


def _answer(
    session: Session,
    assignment_id: int,
    expected_version: int | None,
    target: AssignmentStatus,
    request_target: RequestStatus,
    now: datetime,
) -> tuple[Assignment, dict[str, object]]:
    assignment = get_assignment(session, assignment_id, expected_version)
    before = assignment_snapshot(assignment)
    assignment.status = transition(assignment.status, target)
    assignment.updated_at = now
    req = assignment.request
    req.status = transition(req.status, request_target)
    req.updated_at = now
    return assignment, before


def accept(session: Session, cmd: AcceptOffer, now: datetime) -> Assignment:
    """The volunteer accepts; the visit is fixed. Accepting late (before the sweep) is fine."""
    now = as_utc(now)
    with atomic(session):
        a, before = _answer(
            session, cmd.assignment_id, cmd.expected_version, A.ACCEPTED, R.SCHEDULED, now
        )
        a.responded_at = now
        record_change(
            session,
            a,
            OfferAccepted(**assignment_refs(a), start_at=a.start_at),
            actor=cmd.actor,
            action="offer.accept",
            before=before,
            at=now,
        )
    return a


def decline(session: Session, cmd: DeclineOffer, now: datetime) -> Assignment:
    """The volunteer says no (or backs out of an accepted visit); the request is re-queued."""
    now = as_utc(now)
    with atomic(session):
        a, before = _answer(
            session, cmd.assignment_id, cmd.expected_version, A.DECLINED, R.OPEN, now
        )
        a.responded_at = now
        a.decline_reason = cmd.reason
        record_change(
            session,
            a,
            OfferDeclined(**assignment_refs(a), reason=cmd.reason),
            actor=cmd.actor,
            action="offer.decline",
            before=before,
            at=now,
            reason=cmd.reason,
        )
    return a


def expire(session: Session, cmd: ExpireOffer, now: datetime) -> Assignment:
    """An unanswered offer lapses; the request goes back to the queue."""
    now = as_utc(now)
    with atomic(session):
        a, before = _answer(session, cmd.assignment_id, None, A.EXPIRED, R.OPEN, now)
        record_change(
            session,
            a,
            OfferExpired(**assignment_refs(a)),
            actor=cmd.actor,
            action="offer.expire",
            before=before,
            at=now,
        )
    return a


def due_offer_ids(session: Session, now: datetime) -> list[int]:
    """Offers whose answer time has passed, oldest first."""
    return list(
        session.scalars(
            select(Assignment.id)
            .where(Assignment.status == A.OFFERED, Assignment.expires_at <= as_utc(now))
            .order_by(Assignment.expires_at, Assignment.id)
        )
    )


def expire_due(session: Session, now: datetime, actor: str = "system") -> list[Assignment]:
    """Expire every due offer, each in its own savepoint of the caller's unit of work; ones
    answered meanwhile are skipped."""
    expired = []
    for assignment_id in due_offer_ids(session, now):
        try:
            expired.append(expire(session, ExpireOffer(assignment_id, actor), now))
        except (Conflict, IllegalTransition):
            continue
    return expired


def start(session: Session, cmd: StartVisit, now: datetime) -> Assignment:
    now = as_utc(now)
    with atomic(session):
        a, before = _answer(
            session, cmd.assignment_id, cmd.expected_version, A.IN_PROGRESS, R.IN_PROGRESS, now
        )
        a.started_at = now
        record_change(
            session,
            a,
            VisitStarted(**assignment_refs(a)),
            actor=cmd.actor,
            action="visit.start",
            before=before,
            at=now,
        )
    return a


def complete(session: Session, cmd: CompleteVisit, now: datetime) -> Assignment:
    """Close the visit with an outcome; nobody home sends the request back to the queue."""
    now = as_utc(now)
    if cmd.outcome not in VisitOutcome.ALL:
        raise InvalidCommand(f"unknown outcome {cmd.outcome!r}")
    reopened = cmd.outcome == VisitOutcome.RESIDENT_ABSENT
    with atomic(session):
        a, before = _answer(
            session,
            cmd.assignment_id,
            cmd.expected_version,
            A.DONE,
            R.OPEN if reopened else R.DONE,
            now,
        )
        a.finished_at = now
        a.outcome = cmd.outcome
        a.note = cmd.note
        if not reopened:
            a.request.outcome = cmd.outcome
        record_change(
            session,
            a,
            VisitCompleted(
                **assignment_refs(a), outcome=cmd.outcome, note=cmd.note, request_reopened=reopened
            ),
            actor=cmd.actor,
            action="visit.complete",
            before=before,
            at=now,
            reason=cmd.note,
        )
    return a
