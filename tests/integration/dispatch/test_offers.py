"""The offer life: offer, accept, decline, expire, start, complete; cancel and reschedule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.events import parse_event
from dispatch.models import Assignment, Event, HelpRequest
from dispatch.services import (
    AcceptOffer,
    CancelRequest,
    CompleteVisit,
    Conflict,
    DeclineOffer,
    IllegalTransition,
    InvalidCommand,
    OfferAssignment,
    RescheduleRequest,
    StartVisit,
    SubmitRequest,
    TimeWindow,
    accept,
    cancel,
    complete,
    decline,
    due_offer_ids,
    expire_due,
    offer,
    reschedule,
    start,
    submit,
)
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import AssignmentStatus as A
from dispatch.states import RequestStatus as R
from tests.integration.dispatch.conftest import NOW, World, audit_actions, event_types

VISIT = NOW + timedelta(hours=3)


def _request(session: Session, world: World, kind: str = "vneid", **kw: object) -> HelpRequest:
    cmd = SubmitRequest(
        phone="+84987000222",
        kind=kind,
        commune_code=world.commune.code,
        hamlet_code=world.hamlet.code,
        **kw,  # type: ignore[arg-type]
    )
    with unit_of_work(session):
        return submit(session, cmd, NOW).request


def _offer(session: Session, world: World, req: HelpRequest, minutes: int = 45) -> Assignment:
    cmd = OfferAssignment(
        request_id=req.id,
        volunteer_id=world.alice.id,
        start_at=VISIT,
        end_at=VISIT + timedelta(minutes=minutes),
        expires_at=NOW + timedelta(hours=2),
    )
    with unit_of_work(session):
        return offer(session, cmd, NOW)


def test_offer_accept_start_complete(db_session: Session, world: World) -> None:
    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    assert a.status is A.OFFERED and req.status is R.OFFERED
    assert len(a.visit_code) == 4 and a.visit_code.isdigit()
    assert a.expires_at == NOW + timedelta(hours=2)

    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(a.id, actor="volunteer:+84912000001"), NOW)
    assert (a.status, req.status) == (A.ACCEPTED, R.SCHEDULED)
    with unit_of_work(db_session):
        start(db_session, StartVisit(a.id, actor="volunteer:+84912000001"), VISIT)
    assert (a.status, req.status) == (A.IN_PROGRESS, R.IN_PROGRESS)
    done = CompleteVisit(a.id, outcome="resolved", actor="volunteer:x", note="xong mức 2")
    with unit_of_work(db_session):
        complete(db_session, done, VISIT + timedelta(minutes=40))
    assert (a.status, req.status) == (A.DONE, R.DONE)
    assert req.outcome == "resolved" and a.note == "xong mức 2"

    assert event_types(db_session) == [
        "request.submitted",
        "assignment.offered",
        "offer.accepted",
        "visit.started",
        "visit.completed",
    ]
    assert audit_actions(db_session) == [
        "request.submit",
        "assignment.offer",
        "offer.accept",
        "visit.start",
        "visit.complete",
    ]
    with pytest.raises(IllegalTransition):
        with unit_of_work(db_session):
            accept(db_session, AcceptOffer(a.id, actor="volunteer:x"), NOW)


def test_decline_requeues_the_request(db_session: Session, world: World) -> None:
    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    with unit_of_work(db_session):
        decline(db_session, DeclineOffer(a.id, actor="volunteer:x", reason="ốm"), NOW)
    assert (a.status, req.status) == (A.DECLINED, R.OPEN)
    assert a.decline_reason == "ốm"
    row = db_session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert row is not None and row.type == "offer.declined"
    assert row.payload["reason"] == "ốm"
    assert audit_actions(db_session)[-1] == "offer.decline"


def test_backing_out_of_an_accepted_visit(db_session: Session, world: World) -> None:
    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(a.id, actor="v"), NOW)
    with unit_of_work(db_session):
        decline(db_session, DeclineOffer(a.id, actor="v", reason="xe hư"), NOW)
    assert (a.status, req.status) == (A.DECLINED, R.OPEN)


def test_resident_absent_reopens_the_request(db_session: Session, world: World) -> None:
    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    with unit_of_work(db_session):
        accept(db_session, AcceptOffer(a.id, actor="v"), NOW)
    with unit_of_work(db_session):
        complete(db_session, CompleteVisit(a.id, outcome="resident_absent", actor="v"), VISIT)
    assert (a.status, req.status) == (A.DONE, R.OPEN)
    row = db_session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert row is not None and row.payload["request_reopened"] is True
    with pytest.raises(InvalidCommand):
        with unit_of_work(db_session):
            complete(db_session, CompleteVisit(a.id, outcome="great", actor="v"), VISIT)


def test_expire_due_only_expires_lapsed_offers(db_session: Session, world: World) -> None:
    first = _offer(db_session, world, _request(db_session, world))
    second_req = _request(db_session, world, kind="e_payment")
    with unit_of_work(db_session):
        second = offer(
            db_session,
            OfferAssignment(
                second_req.id,
                world.alice.id,
                VISIT,
                VISIT + timedelta(minutes=30),
                NOW + timedelta(hours=5),
            ),
            NOW,
        )
    at = NOW + timedelta(hours=3)
    assert due_offer_ids(db_session, at) == [first.id]
    with unit_of_work(db_session):
        expired = expire_due(db_session, at)
    assert [a.id for a in expired] == [first.id]
    assert first.status is A.EXPIRED and first.request.status is R.OPEN
    assert second.status is A.OFFERED
    with unit_of_work(db_session):
        assert expire_due(db_session, at) == []
    assert event_types(db_session)[-1] == "offer.expired"
    assert audit_actions(db_session)[-1] == "offer.expire"


def test_offer_refuses_unskilled_opted_out_and_second_offer(
    db_session: Session, world: World
) -> None:
    req = _request(db_session, world, kind="online_selling")
    end = VISIT + timedelta(minutes=60)
    with pytest.raises(InvalidCommand, match="lacks online_selling"):
        with unit_of_work(db_session):
            offer(db_session, OfferAssignment(req.id, world.alice.id, VISIT, end, None), NOW)
    vneid = _request(db_session, world)
    with pytest.raises(InvalidCommand, match="not taking visits"):
        with unit_of_work(db_session):
            offer(db_session, OfferAssignment(vneid.id, world.chi.id, VISIT, end, None), NOW)
    _offer(db_session, world, vneid)
    with pytest.raises(Conflict, match="already has a live assignment"):
        with unit_of_work(db_session):
            offer(db_session, OfferAssignment(vneid.id, world.bao.id, VISIT, end, None), NOW)
    assert event_types(db_session).count("assignment.offered") == 1


def test_cancel_withdraws_the_live_visit(db_session: Session, world: World) -> None:
    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    with unit_of_work(db_session):
        cancel(db_session, CancelRequest(req.id, actor="resident:x", reason="đã tự làm được"), NOW)
    assert (a.status, req.status) == (A.WITHDRAWN, R.CANCELLED)
    row = db_session.scalars(select(Event).order_by(Event.id.desc())).first()
    assert row is not None
    event = parse_event(row.type, row.payload)
    assert event.to_payload()["volunteer_id"] == world.alice.id
    assert audit_actions(db_session)[-1] == "request.cancel"
    with pytest.raises(IllegalTransition):
        with unit_of_work(db_session):
            cancel(db_session, CancelRequest(req.id, actor="resident:x"), NOW)


def test_reschedule_keeps_a_fitting_visit_and_drops_one_that_does_not(
    db_session: Session, world: World
) -> None:
    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    fits = TimeWindow(VISIT - timedelta(hours=1), VISIT + timedelta(hours=2))
    with unit_of_work(db_session):
        reschedule(db_session, RescheduleRequest(req.id, (fits,), actor="resident:x"), NOW)
    assert (a.status, req.status) == (A.OFFERED, R.OFFERED)

    tomorrow = TimeWindow(VISIT + timedelta(days=1), VISIT + timedelta(days=1, hours=3))
    with unit_of_work(db_session):
        reschedule(db_session, RescheduleRequest(req.id, (tomorrow,), actor="resident:x"), NOW)
    assert (a.status, req.status) == (A.WITHDRAWN, R.OPEN)
    assert event_types(db_session)[-3:] == [
        "request.rescheduled",
        "assignment.withdrawn",
        "request.rescheduled",
    ]
    assert audit_actions(db_session)[-3:] == [
        "request.reschedule",
        "assignment.withdraw",
        "request.reschedule",
    ]


def test_failed_event_write_rolls_back_the_answer(
    db_session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dispatch import outbox

    req = _request(db_session, world)
    a = _offer(db_session, world, req)
    events_before = event_types(db_session)
    audits_before = audit_actions(db_session)

    def broken_record(*args: object, **kwargs: object) -> None:
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "record", broken_record)
    with pytest.raises(RuntimeError):
        with unit_of_work(db_session):
            accept(db_session, AcceptOffer(a.id, actor="v"), NOW)
    monkeypatch.undo()

    db_session.expire_all()
    assert db_session.get(Assignment, a.id).status is A.OFFERED  # type: ignore[union-attr]
    assert db_session.get(HelpRequest, req.id).status is R.OFFERED  # type: ignore[union-attr]
    assert event_types(db_session) == events_before
    assert audit_actions(db_session) == audits_before
