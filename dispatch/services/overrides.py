"""Coordinator overrides, each with a reason: reassign, lock/unlock, unassign.

A coordinator's reassignment is locked: the planner must keep it as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch import outbox
from dispatch.catalogue import get_kind
from dispatch.clock import as_utc
from dispatch.events import (
    AssignmentLocked,
    AssignmentOverridden,
    AssignmentUnlocked,
    OfferAccepted,
)
from dispatch.models import Assignment, HelpRequest
from dispatch.models.requests import AssignmentSource
from dispatch.services.errors import InvalidCommand
from dispatch.services.offer_steps import OfferAssignment, check_times, create_offer
from dispatch.services.requests import withdraw_live
from dispatch.services.unit import (
    assignment_refs,
    assignment_snapshot,
    audit,
    get_assignment,
    get_request,
    live_assignment,
    record_change,
    request_snapshot,
    require_reason,
)
from dispatch.services.unit_of_work import atomic
from dispatch.states import LIVE_ASSIGNMENT_STATUSES, AssignmentStatus, RequestStatus, transition


@dataclass(frozen=True)
class ReassignRequest:
    request_id: int
    volunteer_id: int
    start_at: datetime
    actor: str  # "coordinator:<username>"
    reason: str
    end_at: datetime | None = None  # default: start + the kind's typical minutes
    confirmed: bool = False  # the volunteer already agreed (e.g. by phone): no offer needed
    expires_at: datetime | None = None
    expected_version: int | None = None  # of the request


@dataclass(frozen=True)
class SetLock:
    assignment_id: int
    locked: bool
    actor: str
    reason: str
    expected_version: int | None = None  # of the assignment


@dataclass(frozen=True)
class UnassignRequest:
    request_id: int
    actor: str
    reason: str
    expected_version: int | None = None  # of the request


def reassign(session: Session, cmd: ReassignRequest, now: datetime) -> Assignment:
    """Put the request on a volunteer and time, replacing any live assignment; locked."""
    now = as_utc(now)
    reason = require_reason(cmd.reason)
    with atomic(session):
        req = get_request(session, cmd.request_id, cmd.expected_version)
        if req.status in (RequestStatus.DONE, RequestStatus.CANCELLED, RequestStatus.IN_PROGRESS):
            raise InvalidCommand(f"a request that is {req.status} cannot be reassigned")
        before = request_snapshot(req)
        end_at = cmd.end_at or cmd.start_at + timedelta(minutes=get_kind(req.kind).minutes)
        check_times(cmd.start_at, end_at)
        previous = withdraw_live(session, req, by=cmd.actor, reason=reason, now=now)
        if previous is not None and req.status != RequestStatus.OPEN:
            req.status = transition(req.status, RequestStatus.OPEN)
        offer_cmd = OfferAssignment(
            request_id=req.id,
            volunteer_id=cmd.volunteer_id,
            start_at=cmd.start_at,
            end_at=end_at,
            expires_at=None if cmd.confirmed else cmd.expires_at,
            actor=cmd.actor,
            source=AssignmentSource.COORDINATOR,
        )
        assignment = _offer_or_confirm(session, req, offer_cmd, cmd.confirmed, now)
        outbox.record(
            session,
            AssignmentOverridden(
                **assignment_refs(assignment),
                start_at=assignment.start_at,
                end_at=assignment.end_at,
                by=cmd.actor,
                reason=reason,
                confirmed=cmd.confirmed,
                previous_assignment_id=previous.id if previous else None,
                previous_volunteer_id=previous.volunteer_id if previous else None,
            ),
        )
        audit(
            session,
            actor=cmd.actor,
            action="request.reassign",
            entity=req,
            before=before,
            after=request_snapshot(req) | {"assignment": assignment_snapshot(assignment)},
            at=now,
            reason=reason,
        )
    return assignment


def _offer_or_confirm(
    session: Session, req: HelpRequest, cmd: OfferAssignment, confirmed: bool, now: datetime
) -> Assignment:
    """An offer the volunteer answers as usual, or, when confirmed, an accepted visit."""
    assignment = create_offer(session, req, cmd, now, locked=True)
    if confirmed:
        assignment.status = transition(assignment.status, AssignmentStatus.ACCEPTED)
        assignment.responded_at = now
        req.status = transition(req.status, RequestStatus.SCHEDULED)
        outbox.record(
            session, OfferAccepted(**assignment_refs(assignment), start_at=assignment.start_at)
        )
    return assignment


def set_lock(session: Session, cmd: SetLock, now: datetime) -> Assignment:
    """Lock (the planner keeps it) or unlock (the planner may move it) a live assignment."""
    now = as_utc(now)
    reason = require_reason(cmd.reason)
    with atomic(session):
        a = get_assignment(session, cmd.assignment_id, cmd.expected_version)
        if a.status not in LIVE_ASSIGNMENT_STATUSES:
            raise InvalidCommand(f"an assignment that is {a.status} cannot be (un)locked")
        if a.locked == cmd.locked:
            return a
        before = assignment_snapshot(a)
        a.locked = cmd.locked
        a.updated_at = now
        event_cls = AssignmentLocked if cmd.locked else AssignmentUnlocked
        record_change(
            session,
            a,
            event_cls(
                commune_code=a.request.commune_code,
                assignment_id=a.id,
                request_id=a.request_id,
                by=cmd.actor,
                reason=reason,
            ),
            actor=cmd.actor,
            action="assignment.lock" if cmd.locked else "assignment.unlock",
            before=before,
            at=now,
            reason=reason,
        )
    return a


def unassign(session: Session, cmd: UnassignRequest, now: datetime) -> HelpRequest:
    """Take the request off its volunteer; it goes back to the queue for the planner."""
    now = as_utc(now)
    reason = require_reason(cmd.reason)
    with atomic(session):
        req = get_request(session, cmd.request_id, cmd.expected_version)
        before = request_snapshot(req)
        if live_assignment(session, req) is None:
            raise InvalidCommand(f"request {req.id} has no volunteer to take off")
        withdraw_live(session, req, by=cmd.actor, reason=reason, now=now)
        req.status = transition(req.status, RequestStatus.OPEN)
        req.updated_at = now
        audit(
            session,
            actor=cmd.actor,
            action="request.unassign",
            entity=req,
            before=before,
            after=request_snapshot(req),
            at=now,
            reason=reason,
        )
    return req
