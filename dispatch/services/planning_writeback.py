"""Write a plan back as differences: new offers, moved times, withdrawn offers.

The planning adapter (runtime) builds the list of ``PlannedVisit`` from a solver plan, calls
``diff_plan`` to get the changes against the commune's live assignments, then
``apply_plan_changes`` to store them in the caller's unit of work, each with its event and
audit row.
Fixed visits (accepted, in progress, coordinator-locked) are never touched. A change that the
world overtook while the solver ran (an offer accepted meanwhile, a request cancelled) is
skipped and reported, so the caller can plan once more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch import outbox
from dispatch.clock import as_utc
from dispatch.events import AssignmentChanged, OffersMade
from dispatch.models import Assignment, HelpRequest
from dispatch.models.requests import AssignmentSource
from dispatch.services.errors import DomainError
from dispatch.services.offer_steps import OfferAssignment, check_times, create_offer
from dispatch.services.requests import withdraw_live
from dispatch.services.unit import (
    assignment_refs,
    assignment_snapshot,
    fresh,
    record_change,
)
from dispatch.services.unit_of_work import atomic
from dispatch.states import (
    LIVE_ASSIGNMENT_STATUSES,
    AssignmentStatus,
    RequestStatus,
    transition,
)

SOLVER = "solver"


@dataclass(frozen=True)
class PlannedVisit:
    request_id: int
    volunteer_id: int
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class NewOffer:
    request_id: int
    volunteer_id: int
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class MoveOffer:
    """Same volunteer, new time, for an offer not answered yet."""

    assignment_id: int
    start_at: datetime
    end_at: datetime


@dataclass(frozen=True)
class WithdrawOffer:
    assignment_id: int
    reason: str


PlanChange = NewOffer | MoveOffer | WithdrawOffer


@dataclass(frozen=True)
class ApplyPlan:
    commune_code: str
    changes: Sequence[PlanChange]
    offer_ttl: timedelta  # how long a volunteer has to answer a new offer
    plan_run_id: int | None = None
    actor: str = SOLVER


@dataclass
class PlanApplied:
    offered: list[int] = field(default_factory=list)  # new assignment ids
    moved: list[int] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)
    skipped: list[tuple[PlanChange, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.offered) + len(self.moved) + len(self.withdrawn)


def is_fixed(assignment: Assignment) -> bool:
    """The planner must keep this visit as it is."""
    return assignment.locked or assignment.status in (
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.IN_PROGRESS,
    )


def live_assignments(session: Session, commune_code: str) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .join(HelpRequest, Assignment.request_id == HelpRequest.id)
            .where(
                HelpRequest.commune_code == commune_code,
                Assignment.status.in_(LIVE_ASSIGNMENT_STATUSES),
            )
            .options(selectinload(Assignment.request))
            .order_by(Assignment.id)
        )
    )


def diff_plan(
    session: Session, commune_code: str, visits: Sequence[PlannedVisit]
) -> list[PlanChange]:
    """The changes that turn the commune's live assignments into ``visits``.

    Requests that are not in ``visits`` lose their movable offer (the plan left them out).
    Call it in the unit of work that applies the changes, so the diff and its write-back read
    and write one snapshot (the plan job does).
    """
    live = {a.request_id: a for a in live_assignments(session, commune_code)}
    planned = {v.request_id: v for v in visits}
    changes: list[PlanChange] = []
    for request_id, assignment in live.items():
        if is_fixed(assignment):
            continue
        visit = planned.get(request_id)
        if visit is None:
            changes.append(WithdrawOffer(assignment.id, "left out of the new plan"))
        elif visit.volunteer_id != assignment.volunteer_id:
            changes.append(WithdrawOffer(assignment.id, "given to another volunteer"))
            changes.append(NewOffer(request_id, visit.volunteer_id, visit.start_at, visit.end_at))
        elif visit.start_at != assignment.start_at or visit.end_at != assignment.end_at:
            changes.append(MoveOffer(assignment.id, visit.start_at, visit.end_at))
    # New offers in time order: a volunteer's letters (A, B...) then follow the day.
    for request_id, visit in sorted(planned.items(), key=lambda item: item[1].start_at):
        if request_id not in live:
            changes.append(NewOffer(request_id, visit.volunteer_id, visit.start_at, visit.end_at))
    return changes


def apply_plan_changes(session: Session, cmd: ApplyPlan, now: datetime) -> PlanApplied:
    """Store the changes in one transaction; stale ones are skipped and reported."""
    now = as_utc(now)
    result = PlanApplied()
    with atomic(session):
        for change in cmd.changes:
            try:
                # A savepoint per change: a stale one is undone alone, the rest still land.
                with session.begin_nested():
                    _apply_one(session, cmd, change, now, result)
            except DomainError as exc:  # IllegalTransition included
                result.skipped.append((change, str(exc)))
        _record_batches(session, cmd, result)
    return result


def _record_batches(session: Session, cmd: ApplyPlan, result: PlanApplied) -> None:
    """One OffersMade per volunteer who got new offers from this run, in the same transaction
    as the offers, so the volunteer is told of them together exactly when they exist."""
    if cmd.plan_run_id is None:
        return
    by_volunteer: dict[int, list[int]] = defaultdict(list)
    for assignment_id in result.offered:
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None
        by_volunteer[assignment.volunteer_id].append(assignment_id)
    for volunteer_id, assignment_ids in sorted(by_volunteer.items()):
        made = OffersMade(
            commune_code=cmd.commune_code,
            plan_run_id=cmd.plan_run_id,
            volunteer_id=volunteer_id,
            assignment_ids=assignment_ids,
        )
        outbox.record(session, made)


def _apply_one(
    session: Session, cmd: ApplyPlan, change: PlanChange, now: datetime, out: PlanApplied
) -> None:
    if isinstance(change, NewOffer):
        out.offered.append(_new_offer(session, cmd, change, now))
    elif isinstance(change, MoveOffer):
        out.moved.append(_move(session, cmd, change, now))
    else:
        out.withdrawn.append(_withdraw(session, cmd, change, now))


class Stale(DomainError):
    """The plan's view of this request or assignment is out of date."""


def _new_offer(session: Session, cmd: ApplyPlan, change: NewOffer, now: datetime) -> int:
    req = fresh(session, HelpRequest, change.request_id)
    if req is None or req.commune_code != cmd.commune_code:
        raise Stale(f"request {change.request_id} is not in commune {cmd.commune_code}")
    if req.status != RequestStatus.OPEN:
        raise Stale(f"request {req.id} is {req.status}, not open")
    offer_cmd = OfferAssignment(
        request_id=req.id,
        volunteer_id=change.volunteer_id,
        start_at=change.start_at,
        end_at=change.end_at,
        expires_at=now + cmd.offer_ttl,
        actor=cmd.actor,
        source=AssignmentSource.SOLVER,
        plan_run_id=cmd.plan_run_id,
    )
    batched = cmd.plan_run_id is not None  # told with the run's other offers (OffersMade)
    return create_offer(session, req, offer_cmd, now, batched=batched).id


def _movable(session: Session, cmd: ApplyPlan, assignment_id: int) -> Assignment:
    a = fresh(session, Assignment, assignment_id)
    if a is not None:
        fresh(session, HelpRequest, a.request_id)
    if a is None or a.request.commune_code != cmd.commune_code:
        raise Stale(f"assignment {assignment_id} is not in commune {cmd.commune_code}")
    if a.status != AssignmentStatus.OFFERED or a.locked:
        raise Stale(f"assignment {a.id} is {a.status}{' and locked' if a.locked else ''}")
    return a


def _move(session: Session, cmd: ApplyPlan, change: MoveOffer, now: datetime) -> int:
    a = _movable(session, cmd, change.assignment_id)
    start, end = check_times(change.start_at, change.end_at)
    before = assignment_snapshot(a)
    previous_start = a.start_at
    a.start_at, a.end_at = start, end
    a.plan_run_id = cmd.plan_run_id
    a.updated_at = now
    moved = AssignmentChanged(
        **assignment_refs(a), previous_start_at=previous_start, start_at=start, end_at=end
    )
    record_change(
        session, a, moved, actor=cmd.actor, action="assignment.move", before=before, at=now
    )
    return a.id


def _withdraw(session: Session, cmd: ApplyPlan, change: WithdrawOffer, now: datetime) -> int:
    a = _movable(session, cmd, change.assignment_id)
    req = a.request
    withdraw_live(session, req, by=cmd.actor, reason=change.reason, now=now)
    req.status = transition(req.status, RequestStatus.OPEN)
    req.updated_at = now
    return a.id
