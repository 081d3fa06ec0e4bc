"""Coordinator overrides and optimistic concurrency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.models import AuditLog, Event, HelpRequest
from dispatch.services import (
    AcceptOffer,
    CancelRequest,
    Conflict,
    InvalidCommand,
    OfferAssignment,
    ReassignRequest,
    SetLock,
    SubmitRequest,
    UnassignRequest,
    accept,
    cancel,
    offer,
    reassign,
    set_lock,
    submit,
    unassign,
)
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import AssignmentStatus as A
from dispatch.states import RequestStatus as R
from tests.integration.dispatch.conftest import (
    NOW,
    World,
    audit_actions,
    build_world,
    event_types,
)

VISIT = NOW + timedelta(hours=3)
COORD = "coordinator:uminhthuong"


def _offered(session: Session, world: World) -> HelpRequest:
    with unit_of_work(session):
        req = submit(
            session,
            SubmitRequest(phone="+84987000333", kind="vneid", commune_code=world.commune.code),
            NOW,
        ).request
    end = VISIT + timedelta(minutes=45)
    with unit_of_work(session):
        offer(session, OfferAssignment(req.id, world.alice.id, VISIT, end, None), NOW)
    return req


def test_reassign_replaces_the_offer_and_locks_it(db_session: Session, world: World) -> None:
    req = _offered(db_session, world)
    old = req.live_assignment()
    assert old is not None
    later = VISIT + timedelta(hours=1)
    cmd = ReassignRequest(req.id, world.bao.id, later, actor=COORD, reason="Bảo ở gần hơn")
    with unit_of_work(db_session):
        new = reassign(db_session, cmd, NOW)

    assert old.status is A.WITHDRAWN
    assert (new.status, new.locked, new.source) == (A.OFFERED, True, "coordinator")
    assert new.end_at == later + timedelta(minutes=45)  # the kind's typical minutes
    assert req.status is R.OFFERED
    assert event_types(db_session)[-3:] == [
        "assignment.withdrawn",
        "assignment.offered",
        "assignment.overridden",
    ]
    overridden = db_session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert overridden is not None
    assert overridden.payload["previous_volunteer_id"] == world.alice.id
    row = db_session.scalars(select(AuditLog).where(AuditLog.action == "request.reassign")).one()
    assert row.reason == "Bảo ở gần hơn" and row.actor == COORD


def test_confirmed_reassign_is_scheduled_at_once(db_session: Session, world: World) -> None:
    req = _offered(db_session, world)
    cmd = ReassignRequest(
        req.id, world.bao.id, VISIT, actor=COORD, reason="gọi điện", confirmed=True
    )
    with unit_of_work(db_session):
        new = reassign(db_session, cmd, NOW)
    assert (new.status, req.status, new.expires_at) == (A.ACCEPTED, R.SCHEDULED, None)
    assert "offer.accepted" in event_types(db_session)[-3:]


def test_override_needs_a_reason(db_session: Session, world: World) -> None:
    req = _offered(db_session, world)
    with pytest.raises(InvalidCommand, match="reason"):
        with unit_of_work(db_session):
            reassign(db_session, ReassignRequest(req.id, world.bao.id, VISIT, COORD, "  "), NOW)
    with pytest.raises(InvalidCommand, match="reason"):
        with unit_of_work(db_session):
            unassign(db_session, UnassignRequest(req.id, COORD, ""), NOW)


def test_lock_unlock_and_unassign(db_session: Session, world: World) -> None:
    req = _offered(db_session, world)
    a = req.live_assignment()
    assert a is not None
    with unit_of_work(db_session):
        set_lock(db_session, SetLock(a.id, True, COORD, "bà con hẹn rồi"), NOW)
    assert a.locked
    with unit_of_work(db_session):
        set_lock(db_session, SetLock(a.id, False, COORD, "đổi ý"), NOW)
    assert not a.locked
    with unit_of_work(db_session):
        unassign(db_session, UnassignRequest(req.id, COORD, "tình nguyện viên bận"), NOW)
    assert (a.status, req.status) == (A.WITHDRAWN, R.OPEN)
    assert event_types(db_session)[-3:] == [
        "assignment.locked",
        "assignment.unlocked",
        "assignment.withdrawn",
    ]
    assert audit_actions(db_session)[-4:] == [
        "assignment.lock",
        "assignment.unlock",
        "assignment.withdraw",
        "request.unassign",
    ]
    with pytest.raises(InvalidCommand):
        with unit_of_work(db_session):
            unassign(db_session, UnassignRequest(req.id, COORD, "lại"), NOW)


def test_stale_expected_version_is_a_conflict_and_changes_nothing(
    db_session: Session, world: World
) -> None:
    req = _offered(db_session, world)
    seen = req.version
    a = req.live_assignment()
    assert a is not None
    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(a.id, actor="v"), NOW)
    assert req.version == seen + 1
    events_before = event_types(db_session)
    with pytest.raises(Conflict):
        with unit_of_work(db_session):
            cancel(db_session, CancelRequest(req.id, COORD, expected_version=seen), NOW)
    with pytest.raises(Conflict):
        with unit_of_work(db_session):
            set_lock(
                db_session, SetLock(a.id, True, COORD, "x", expected_version=a.version - 1), NOW
            )
    assert req.status is R.SCHEDULED
    assert event_types(db_session) == events_before


def test_concurrent_writers_conflict(fresh_session_factory: sessionmaker[Session]) -> None:
    with fresh_session_factory() as setup:
        world = build_world(setup)
        request_id = _offered(setup, world).id
    with fresh_session_factory() as coordinator, fresh_session_factory() as resident:
        # The coordinator's page showed this version; the resident cancels meanwhile.
        seen = coordinator.get(HelpRequest, request_id)
        assert seen is not None
        with unit_of_work(resident):
            cancel(resident, CancelRequest(request_id, "resident:x"), NOW)
        stale = UnassignRequest(request_id, COORD, "đổi người", expected_version=seen.version)
        with pytest.raises(Conflict):
            with unit_of_work(coordinator):
                unassign(coordinator, stale, NOW)
    with fresh_session_factory() as check:
        req = check.get(HelpRequest, request_id)
        assert req is not None and req.status is R.CANCELLED
        last = check.scalars(select(Event.type).order_by(Event.id.desc())).first()
        assert last == "request.cancelled"


def test_services_reload_stale_copies(fresh_session_factory: sessionmaker[Session]) -> None:
    """A long-lived session's stale copy must not resurrect an old state."""
    with fresh_session_factory() as setup:
        world = build_world(setup)
        request_id = _offered(setup, world).id
    with fresh_session_factory() as old, fresh_session_factory() as other:
        copy = old.get(HelpRequest, request_id)
        assert copy is not None and copy.status is R.OFFERED
        old.commit()  # ends the read; the copy stays in the identity map
        with unit_of_work(other):
            cancel(other, CancelRequest(request_id, "resident:x"), NOW)
        with pytest.raises(InvalidCommand, match="no volunteer"):
            with unit_of_work(old):
                unassign(old, UnassignRequest(request_id, COORD, "đổi người"), NOW)
        assert copy.status is R.CANCELLED


def test_a_service_after_reads_survives_another_writer(
    fresh_session_factory: sessionmaker[Session],
) -> None:
    """Web views read (scope checks) before calling a service; a worker commits meanwhile."""
    with fresh_session_factory() as setup:
        world = build_world(setup)
        req = _offered(setup, world)
        assignment_id = req.live_assignment().id  # type: ignore[union-attr]
        commune_code = world.commune.code
    with fresh_session_factory() as web, fresh_session_factory() as worker:
        assert web.get(HelpRequest, req.id) is not None  # a read opens web's transaction
        other = SubmitRequest(phone="+84987000999", kind="e_payment", commune_code=commune_code)
        with unit_of_work(worker):
            submit(worker, other, NOW)
        with unit_of_work(web):
            accepted = accept(web, AcceptOffer(assignment_id, actor="volunteer:x"), NOW)
        assert accepted.status is A.ACCEPTED
