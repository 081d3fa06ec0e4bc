"""The sweep's net under planning: a commune with an open request that no finished plan has
looked at yet (one created after the start of the commune's last finished plan), older than
``STALE_AFTER``, is asked for a re-plan. It catches a plan job that died more often than its
retries allow (a worker killed mid-plan again and again): the request still gets planned,
never only at the next unrelated event. Asking is coalesced, so a busy commune is unaffected.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.models import HelpRequest, PlanRun, PlanRunStatus
from dispatch.states import RequestStatus

STALE_AFTER = timedelta(seconds=60)


def communes_with_unplanned_requests(sessions: sessionmaker[Session], now: datetime) -> list[str]:
    with sessions() as session:
        newest_open = dict(
            session.execute(
                select(HelpRequest.commune_code, func.max(HelpRequest.created_at))
                .where(HelpRequest.status == RequestStatus.OPEN)
                .group_by(HelpRequest.commune_code)
            ).all()
        )
        if not newest_open:
            return []
        last_plan = dict(
            session.execute(
                select(PlanRun.commune_code, func.max(PlanRun.started_at))
                .where(PlanRun.status == PlanRunStatus.DONE)
                .group_by(PlanRun.commune_code)
            ).all()
        )
        oldest_unseen = {}
        for code, newest in newest_open.items():
            planned = last_plan.get(code)
            if planned is not None and newest <= planned:
                continue
            query = select(func.min(HelpRequest.created_at)).where(
                HelpRequest.commune_code == code, HelpRequest.status == RequestStatus.OPEN
            )
            if planned is not None:
                query = query.where(HelpRequest.created_at > planned)
            oldest_unseen[code] = session.scalar(query)
    return sorted(c for c, t in oldest_unseen.items() if t is not None and t < now - STALE_AFTER)
