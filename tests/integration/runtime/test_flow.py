"""A request from submit, through the outbox, RQ and planning, to the offer events."""

from __future__ import annotations

from sqlalchemy import func, select

from dispatch.handlers import handlers_for
from dispatch.models import Assignment, Event, HelpRequest, PlanRun
from dispatch.queues import Queues, offer_expiry_job_id
from dispatch.runtime import Runtime
from dispatch.states import AssignmentStatus, RequestStatus
from tests.fixtures.redis import RunJobs
from tests.integration.runtime.conftest import submit_request


def test_submit_to_offer_events(runtime: Runtime, queues: Queues, run_jobs: RunJobs) -> None:
    request_ids = [submit_request(runtime.sessions, n) for n in range(3)]

    # Published right after the commit: one job per (event, handler), nothing run yet.
    with runtime.sessions() as session:
        submitted = session.scalars(select(Event).where(Event.type == "request.submitted")).all()
        assert len(submitted) == 3
        assert all(e.published_at is not None for e in submitted)
    assert queues.events.count == 3 * len(handlers_for("request.submitted"))

    assert run_jobs() >= 5  # 3 re-plan handlers, one coalesced plan, 3 expiry schedulers

    with runtime.sessions() as session:
        offers = session.scalars(select(Assignment).order_by(Assignment.request_id)).all()
        assert [a.request_id for a in offers] == request_ids
        assert all(a.status == AssignmentStatus.OFFERED for a in offers)
        assert all(a.expires_at is not None and a.expires_at > a.offered_at for a in offers)
        statuses = session.scalars(select(HelpRequest.status)).all()
        assert set(statuses) == {RequestStatus.OFFERED}
        offered = session.scalars(select(Event).where(Event.type == "assignment.offered")).all()
        assert sorted(e.payload["request_id"] for e in offered) == request_ids
        assert {e.payload["assignment_id"] for e in offered} == {a.id for a in offers}
        unpublished = session.scalar(
            select(func.count()).select_from(Event).where(Event.published_at.is_(None))
        )
        assert unpublished == 0
        runs = session.scalars(select(PlanRun)).all()
        assert [r.status for r in runs] == ["done"]  # three submits, one plan
        assert runs[0].n_assigned == 3 and runs[0].n_changes == 3

    # Each offer's expiry is scheduled at its deadline.
    scheduled = set(queues.events.scheduled_job_registry.get_job_ids())
    assert {offer_expiry_job_id(a.id) for a in offers} <= scheduled
