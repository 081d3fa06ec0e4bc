"""Offer expiry (scheduled job and sweep) and the worker's periodic sweep."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from dispatch.clock import utcnow
from dispatch.models import Assignment, Event
from dispatch.queues import Queues
from dispatch.runtime import Runtime
from dispatch.states import AssignmentStatus
from dispatch.worker import Sweeper
from tests.fixtures.redis import RunJobs
from tests.integration.runtime.conftest import submit_request


def _offers(runtime: Runtime) -> list[Assignment]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Assignment).order_by(Assignment.id)))


def _age_offers(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        session.execute(update(Assignment).values(expires_at=utcnow() - timedelta(minutes=1)))


def test_expiry_job_expires_an_unanswered_offer_and_replans(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    submit_request(runtime.sessions, 1)
    run_jobs()
    [first] = _offers(runtime)
    _age_offers(runtime)

    queues.events.enqueue("dispatch.jobs.expire_offer", first.id)  # as if its time came
    run_jobs()

    offers = _offers(runtime)
    assert offers[0].id == first.id and offers[0].status == AssignmentStatus.EXPIRED
    assert len(offers) == 2 and offers[1].status == AssignmentStatus.OFFERED  # re-planned
    with runtime.sessions() as session:
        expired = session.scalars(select(Event).where(Event.type == "offer.expired")).all()
        assert [e.payload["assignment_id"] for e in expired] == [first.id]


def test_expiry_job_leaves_an_answered_or_early_offer_alone(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    submit_request(runtime.sessions, 1)
    run_jobs()
    [offer] = _offers(runtime)
    queues.events.enqueue("dispatch.jobs.expire_offer", offer.id)  # not due yet
    run_jobs()
    assert [a.status for a in _offers(runtime)] == [AssignmentStatus.OFFERED]


def test_sweeper_publishes_and_expires_once_per_interval(
    runtime: Runtime, queues: Queues, run_jobs: RunJobs
) -> None:
    submit_request(runtime.sessions, 1)
    run_jobs()
    _age_offers(runtime)
    with runtime.sessions.begin() as session:  # as if the publish after commit had failed
        session.execute(update(Event).values(published_at=None))
    queues.connection.flushdb()  # ... and the jobs were lost with Redis

    sweeper = Sweeper(runtime, interval_s=30)
    sweeper.tick()
    with runtime.sessions() as session:
        assert session.scalars(select(Event).where(Event.published_at.is_(None))).all() == []
    assert [a.status for a in _offers(runtime)] == [AssignmentStatus.EXPIRED]
    assert queues.events.count > 0

    _age_offers(runtime)
    calls: list[Runtime] = []
    Sweeper(runtime, interval_s=30, sweep=lambda rt: calls.append(rt) or {}).tick()
    assert calls == []  # another sweeper ran within this interval (Redis lock)
