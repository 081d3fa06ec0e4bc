"""The life of one offer: offer -> accept | decline | expire, then start -> complete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import outbox
from dispatch.clock import as_utc
from dispatch.events import (
    AssignmentOffered,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    VisitCompleted,
    VisitStarted,
)
from dispatch.models import Assignment, HelpRequest, Volunteer
from dispatch.models.requests import AssignmentSource, VisitOutcome
from dispatch.services.errors import Conflict, InvalidCommand, NotFound
from dispatch.services.unit import (
    assignment_snapshot,
    audit,
    get_assignment,
    get_request,
    live_assignment,
    transaction,
)
from dispatch.states import AssignmentStatus, IllegalTransition, RequestStatus, transition

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
    outbox.record(
        session,
        AssignmentOffered(
            commune_code=req.commune_code,
            assignment_id=assignment.id,
            request_id=req.id,
            volunteer_id=volunteer.id,
            start_at=start,
            end_at=end,
            expires_at=assignment.expires_at,
            source=cmd.source,
        ),
    )
    audit(
        session,
        actor=cmd.actor,
        action="assignment.offer",
        entity=assignment,
        before=None,
        after=assignment_snapshot(assignment),
        at=now,
    )
    return assignment


def offer(session: Session, cmd: OfferAssignment, now: datetime) -> Assignment:
    """Offer an open request to a volunteer at a time; the offer expires at ``expires_at``."""
    now = as_utc(now)
    with transaction(session):
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
    with transaction(session):
        a, before = _answer(
            session, cmd.assignment_id, cmd.expected_version, A.ACCEPTED, R.SCHEDULED, now
        )
        a.responded_at = now
        outbox.record(
            session,
            OfferAccepted(
                commune_code=a.request.commune_code,
                assignment_id=a.id,
                request_id=a.request_id,
                volunteer_id=a.volunteer_id,
                start_at=a.start_at,
            ),
        )
        audit(
            session,
            actor=cmd.actor,
            action="offer.accept",
            entity=a,
            before=before,
            after=assignment_snapshot(a),
            at=now,
        )
    return a


def decline(session: Session, cmd: DeclineOffer, now: datetime) -> Assignment:
    """The volunteer says no (or backs out of an accepted visit); the request is re-queued."""
    now = as_utc(now)
    with transaction(session):
        a, before = _answer(
            session, cmd.assignment_id, cmd.expected_version, A.DECLINED, R.OPEN, now
        )
        a.responded_at = now
        a.decline_reason = cmd.reason
        outbox.record(
            session,
            OfferDeclined(
                commune_code=a.request.commune_code,
                assignment_id=a.id,
                request_id=a.request_id,
                volunteer_id=a.volunteer_id,
                reason=cmd.reason,
            ),
        )
        audit(
            session,
            actor=cmd.actor,
            action="offer.decline",
            entity=a,
            before=before,
            after=assignment_snapshot(a),
            at=now,
            reason=cmd.reason,
        )
    return a


def expire(session: Session, cmd: ExpireOffer, now: datetime) -> Assignment:
    """An unanswered offer lapses; the request goes back to the queue."""
    now = as_utc(now)
    with transaction(session):
        a, before = _answer(session, cmd.assignment_id, None, A.EXPIRED, R.OPEN, now)
        outbox.record(
            session,
            OfferExpired(
                commune_code=a.request.commune_code,
                assignment_id=a.id,
                request_id=a.request_id,
                volunteer_id=a.volunteer_id,
            ),
        )
        audit(
            session,
            actor=cmd.actor,
            action="offer.expire",
            entity=a,
            before=before,
            after=assignment_snapshot(a),
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
    """Expire every due offer, each in its own transaction; ones answered meanwhile are skipped."""
    expired = []
    for assignment_id in due_offer_ids(session, now):
        try:
            expired.append(expire(session, ExpireOffer(assignment_id, actor), now))
        except (Conflict, IllegalTransition):
            continue
    return expired


def start(session: Session, cmd: StartVisit, now: datetime) -> Assignment:
    now = as_utc(now)
    with transaction(session):
        a, before = _answer(
            session, cmd.assignment_id, cmd.expected_version, A.IN_PROGRESS, R.IN_PROGRESS, now
        )
        a.started_at = now
        outbox.record(
            session,
            VisitStarted(
                commune_code=a.request.commune_code,
                assignment_id=a.id,
                request_id=a.request_id,
                volunteer_id=a.volunteer_id,
            ),
        )
        audit(
            session,
            actor=cmd.actor,
            action="visit.start",
            entity=a,
            before=before,
            after=assignment_snapshot(a),
            at=now,
        )
    return a


def complete(session: Session, cmd: CompleteVisit, now: datetime) -> Assignment:
    """Close the visit with an outcome; nobody home sends the request back to the queue."""
    now = as_utc(now)
    if cmd.outcome not in VisitOutcome.ALL:
        raise InvalidCommand(f"unknown outcome {cmd.outcome!r}")
    reopened = cmd.outcome == VisitOutcome.RESIDENT_ABSENT
    with transaction(session):
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
        outbox.record(
            session,
            VisitCompleted(
                commune_code=a.request.commune_code,
                assignment_id=a.id,
                request_id=a.request_id,
                volunteer_id=a.volunteer_id,
                outcome=cmd.outcome,
                note=cmd.note,
                request_reopened=reopened,
            ),
        )
        audit(
            session,
            actor=cmd.actor,
            action="visit.complete",
            entity=a,
            before=before,
            after=assignment_snapshot(a),
            at=now,
            reason=cmd.note,
        )
    return a
