"""Read-side queries for the coordinator panel: the queue with filters and counts.

Read-only: nothing here changes state. Every query takes the communes the caller may see, so a
coordinator can never list another commune's requests.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from dispatch.models import Assignment, HelpRequest
from dispatch.states import LIVE_ASSIGNMENT_STATUSES, RequestStatus

#: Age filters offered in the queue: key -> minimum age.
AGE_FILTERS: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "4h": timedelta(hours=4),
    "24h": timedelta(hours=24),
    "3d": timedelta(days=3),
}


@dataclass(frozen=True)
class QueueFilters:
    commune: str | None = None
    hamlet: str | None = None
    kind: str | None = None
    status: str | None = None
    age: str | None = None  # a key of AGE_FILTERS: older than
    channel: str | None = None


@dataclass(frozen=True)
class QueueRow:
    request: HelpRequest
    live: Assignment | None
    age: timedelta


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    counts: dict[str, int]  # status -> count under every filter except status
    total: int


def _filtered(
    statement: Select[HelpRequest],
    communes: Collection[str],
    filters: QueueFilters,
    now: datetime,
) -> Select[HelpRequest]:
    statement = statement.where(HelpRequest.commune_code.in_(list(communes)))
    if filters.commune:
        statement = statement.where(HelpRequest.commune_code == filters.commune)
    if filters.hamlet:
        statement = statement.where(HelpRequest.hamlet_code == filters.hamlet)
    if filters.kind:
        statement = statement.where(HelpRequest.kind == filters.kind)
    if filters.channel:
        statement = statement.where(HelpRequest.channel == filters.channel)
    if filters.age in AGE_FILTERS:
        statement = statement.where(HelpRequest.created_at <= now - AGE_FILTERS[filters.age])
    return statement


def queue(
    session: Session,
    communes: Collection[str],
    filters: QueueFilters,
    now: datetime,
    limit: int = 200,
) -> QueuePage:
    """Requests of ``communes`` matching ``filters``: open work first, oldest first."""
    base = _filtered(select(HelpRequest), communes, filters, now)
    count_rows = session.execute(
        base.with_only_columns(HelpRequest.status, func.count()).group_by(HelpRequest.status)
    ).all()
    counts = {str(status): int(n) for status, n in count_rows}
    listed = base
    if filters.status:
        listed = listed.where(HelpRequest.status == RequestStatus(filters.status))
    finished = HelpRequest.status.in_([RequestStatus.DONE, RequestStatus.CANCELLED])
    listed = (
        listed.options(selectinload(HelpRequest.assignments), selectinload(HelpRequest.resident))
        .order_by(finished, HelpRequest.created_at)
        .limit(limit)
    )
    rows = []
    for request in session.scalars(listed):
        live = [a for a in request.assignments if a.status in LIVE_ASSIGNMENT_STATUSES]
        rows.append(QueueRow(request, live[-1] if live else None, now - request.created_at))
    return QueuePage(rows=rows, counts=counts, total=sum(counts.values()))


def request_in_scope(
    session: Session, request_id: int, communes: Collection[str]
) -> HelpRequest | None:
    """The request when its commune is one the caller may see, else None (looks like 404)."""
    request = session.get(HelpRequest, request_id)
    if request is None or request.commune_code not in communes:
        return None
    return request
