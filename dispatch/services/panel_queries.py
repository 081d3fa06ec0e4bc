"""Read-side queries of the coordinator panel: board, escalations, dashboard figures."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from dispatch.clock import local_to_utc, to_local
from dispatch.models import Assignment, HelpRequest, Message, Volunteer
from dispatch.models.messages import Direction, MessageStatus
from dispatch.services.ledger import LedgerRow
from dispatch.states import AssignmentStatus, RequestStatus

OPEN_STATES = [RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.SCHEDULED]
FAILED_SMS = [MessageStatus.FAILED, MessageStatus.UNDELIVERED]
BOARD_STATUSES = [
    AssignmentStatus.OFFERED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.DONE,
]


@dataclass(frozen=True)
class BoardRow:
    volunteer: Volunteer
    visits: list[Assignment]


def board(session: Session, communes: list[str], day: date) -> list[BoardRow]:
    """One row per active volunteer of ``communes``: their visits on the local ``day``."""
    start, end = local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))
    volunteers = list(
        session.scalars(
            select(Volunteer)
            .where(Volunteer.commune_code.in_(communes), Volunteer.active.is_(True))
            .order_by(Volunteer.commune_code, Volunteer.name)
        )
    )
    visits = session.scalars(
        select(Assignment)
        .where(
            Assignment.volunteer_id.in_([v.id for v in volunteers]),
            Assignment.status.in_(BOARD_STATUSES),
            Assignment.start_at >= start,
            Assignment.start_at < end,
        )
        .options(selectinload(Assignment.request))
        .order_by(Assignment.start_at)
    )
    by_volunteer: dict[int, list[Assignment]] = defaultdict(list)
    for visit in visits:
        by_volunteer[visit.volunteer_id].append(visit)
    return [BoardRow(v, by_volunteer.get(v.id, [])) for v in volunteers]


@dataclass(frozen=True)
class Escalation:
    request: HelpRequest
    reasons: list[str]  # "waiting", "declined_twice", "sms_failed"


def escalations(
    session: Session, communes: list[str], now: datetime, waiting_longer_than: timedelta
) -> list[Escalation]:
    """Open requests unassigned too long, declined twice or more, or whose SMS failed."""
    reasons: dict[int, list[str]] = defaultdict(list)
    waiting = session.scalars(
        select(HelpRequest.id).where(
            HelpRequest.commune_code.in_(communes),
            HelpRequest.status == RequestStatus.OPEN,
            HelpRequest.created_at <= now - waiting_longer_than,
        )
    )
    for request_id in waiting:
        reasons[request_id].append("waiting")
    declined = session.execute(
        select(Assignment.request_id)
        .join(HelpRequest, Assignment.request_id == HelpRequest.id)
        .where(
            HelpRequest.commune_code.in_(communes),
            HelpRequest.status.in_(OPEN_STATES),
            Assignment.status == AssignmentStatus.DECLINED,
        )
        .group_by(Assignment.request_id)
        .having(func.count() >= 2)
    )
    for (request_id,) in declined:
        reasons[request_id].append("declined_twice")
    failed_ids = session.scalars(
        select(Message.request_id)
        .join(HelpRequest, Message.request_id == HelpRequest.id)
        .where(
            HelpRequest.commune_code.in_(communes),
            HelpRequest.status.in_([*OPEN_STATES, RequestStatus.IN_PROGRESS]),
            Message.direction == Direction.OUTBOUND,
            Message.status.in_(FAILED_SMS),
        )
        .distinct()
    )
    for failed_id in failed_ids:
        if failed_id is not None:
            reasons[failed_id].append("sms_failed")
    if not reasons:
        return []
    requests = session.scalars(
        select(HelpRequest)
        .where(HelpRequest.id.in_(list(reasons)))
        .order_by(HelpRequest.created_at)
    )
    return [Escalation(r, reasons[r.id]) for r in requests]


@dataclass
class Dashboard:
    by_status: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    minutes_to_offer: list[float] = field(default_factory=list)
    minutes_to_visit: list[float] = field(default_factory=list)
    completed: int = 0
    closed: int = 0
    segments_by_commune: Counter[str] = field(default_factory=Counter)
    per_day: Counter[date] = field(default_factory=Counter)
    ledger: list[LedgerRow] = field(default_factory=list)  # filled by the dashboard

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.closed if self.closed else None

    @property
    def median_minutes_to_offer(self) -> float | None:
        return median(self.minutes_to_offer) if self.minutes_to_offer else None

    @property
    def median_minutes_to_visit(self) -> float | None:
        return median(self.minutes_to_visit) if self.minutes_to_visit else None


def dashboard(session: Session, communes: list[str], start: datetime, end: datetime) -> Dashboard:
    """Figures for requests created in [start, end) in ``communes``."""
    figures = Dashboard()
    requests = session.scalars(
        select(HelpRequest)
        .where(
            HelpRequest.commune_code.in_(communes),
            HelpRequest.created_at >= start,
            HelpRequest.created_at < end,
        )
        .options(selectinload(HelpRequest.assignments))
    )
    for req in requests:
        figures.by_status[str(req.status)] += 1
        figures.by_kind[req.kind] += 1
        figures.per_day[to_local(req.created_at).date()] += 1
        if req.assignments:
            first = min(a.offered_at for a in req.assignments)
            figures.minutes_to_offer.append((first - req.created_at).total_seconds() / 60)
        visited = [a for a in req.assignments if a.status == AssignmentStatus.DONE]
        if visited:
            started = visited[0].started_at or visited[0].start_at
            figures.minutes_to_visit.append((started - req.created_at).total_seconds() / 60)
        if req.status in (RequestStatus.DONE, RequestStatus.CANCELLED):
            figures.closed += 1
            figures.completed += req.status == RequestStatus.DONE
    segments = session.execute(
        select(Message.commune_code, func.sum(Message.segments))
        .where(
            Message.commune_code.in_(communes),
            Message.direction == Direction.OUTBOUND,
            Message.created_at >= start,
            Message.created_at < end,
        )
        .group_by(Message.commune_code)
    )
    for commune, total in segments:
        if commune is not None:
            figures.segments_by_commune[commune] = int(total or 0)
    return figures


def commune_assignments(session: Session, commune_code: str, day: date) -> list[Assignment]:
    """Live and finished visits of one commune on the local ``day``, in time order."""
    start, end = local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))
    return list(
        session.scalars(
            select(Assignment)
            .join(HelpRequest, Assignment.request_id == HelpRequest.id)
            .where(
                HelpRequest.commune_code == commune_code,
                Assignment.status.in_(BOARD_STATUSES),
                Assignment.start_at >= start,
                Assignment.start_at < end,
            )
            .options(selectinload(Assignment.request), selectinload(Assignment.volunteer))
            .order_by(Assignment.start_at, Assignment.id)
        )
    )
