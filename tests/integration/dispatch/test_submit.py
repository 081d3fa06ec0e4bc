"""submit: request + resident + RequestSubmitted + audit row in one transaction; dedupe."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch.events import RequestSubmitted, parse_event
from dispatch.models import AuditLog, Event, HelpRequest, Resident
from dispatch.services import (
    CancelRequest,
    InvalidCommand,
    NotFound,
    SubmitRequest,
    TimeWindow,
    cancel,
    submit,
)
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import RequestStatus
from tests.integration.dispatch.conftest import NOW, World, audit_actions, event_types


def _cmd(world: World, **kw: object) -> SubmitRequest:
    base: dict[str, object] = {
        "phone": "+84987000111",
        "kind": "vneid",
        "commune_code": world.commune.code,
        "hamlet_code": world.hamlet.code,
        "channel": "sms",
        "text": "giup cai vneid",
    }
    base.update(kw)
    return SubmitRequest(**base)  # type: ignore[arg-type]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_submit_stores_request_event_and_audit(db_session: Session, world: World) -> None:
    window = TimeWindow(NOW + timedelta(hours=2), NOW + timedelta(hours=5))
    with unit_of_work(db_session):
        result = submit(db_session, _cmd(world, preferred_windows=(window,)), NOW)

    assert result.created
    req = db_session.get(HelpRequest, result.request.id)
    assert req is not None and req.status is RequestStatus.OPEN
    assert (req.lat, req.lon) == (world.hamlet.lat, world.hamlet.lon)
    assert len(req.reference) == 6 and len(req.status_token) >= 30
    assert req.preferred_windows == [
        {"start": window.start.isoformat(), "end": window.end.isoformat()}
    ]
    assert event_types(db_session) == ["request.submitted"]
    row = db_session.scalars(select(Event)).one()
    event = parse_event(row.type, row.payload)
    assert isinstance(event, RequestSubmitted)
    assert event.request_id == req.id and event.commune_code == world.commune.code
    assert audit_actions(db_session) == ["request.submit"]
    audit = db_session.scalars(select(AuditLog)).one()
    assert audit.actor == "resident:+84987000111" and audit.entity_id == str(req.id)


def test_duplicate_within_24h_returns_the_open_request(db_session: Session, world: World) -> None:
    with unit_of_work(db_session):
        first = submit(db_session, _cmd(world), NOW)
    with unit_of_work(db_session):
        again = submit(db_session, _cmd(world, text="con do khong"), NOW + timedelta(hours=23))

    assert not again.created
    assert again.request.id == first.request.id
    assert event_types(db_session) == ["request.submitted"]
    assert audit_actions(db_session) == ["request.submit", "request.duplicate"]
    assert _count(db_session, HelpRequest) == 1


def test_no_dedupe_for_other_kind_later_or_closed(db_session: Session, world: World) -> None:
    with unit_of_work(db_session):
        first = submit(db_session, _cmd(world), NOW)
    with unit_of_work(db_session):
        other_kind = submit(db_session, _cmd(world, kind="e_payment"), NOW)
    with unit_of_work(db_session):
        later = submit(db_session, _cmd(world), NOW + timedelta(hours=25))
    with unit_of_work(db_session):
        cancel(db_session, CancelRequest(later.request.id, actor="resident:x"), NOW)
    with unit_of_work(db_session):
        after_cancel = submit(db_session, _cmd(world), NOW + timedelta(hours=26))

    assert other_kind.created and later.created and after_cancel.created
    ids = {first.request.id, other_kind.request.id, later.request.id, after_cancel.request.id}
    assert len(ids) == 4


def test_one_phone_serves_a_household(db_session: Session, world: World) -> None:
    with unit_of_work(db_session):
        grandma = submit(db_session, _cmd(world, name="Bà Tư"), NOW)
    with unit_of_work(db_session):
        son = submit(db_session, _cmd(world, name="Anh Năm", kind="e_payment"), NOW)
    with unit_of_work(db_session):
        grandma_again = submit(db_session, _cmd(world, name="bà tư", kind="e_payment"), NOW)

    assert grandma.request.resident_id != son.request.resident_id
    # the same phone and kind from another household member is still the open request
    assert grandma_again.request.id == son.request.id
    assert _count(db_session, Resident) == 2


def test_khmer_speaker_needs_a_khmer_speaking_volunteer(db_session: Session, world: World) -> None:
    with unit_of_work(db_session):
        result = submit(db_session, _cmd(world, language="km"), NOW)
    assert result.request.required_skills() == frozenset({"vneid", "lang:km"})


def test_unknown_kind_or_commune_stores_nothing(db_session: Session, world: World) -> None:
    with pytest.raises(InvalidCommand):
        with unit_of_work(db_session):
            submit(db_session, _cmd(world, kind="karaoke"), NOW)
    with pytest.raises(InvalidCommand, match="E.164"):
        with unit_of_work(db_session):
            submit(db_session, _cmd(world, phone="0912345678"), NOW)
    with pytest.raises(NotFound):
        with unit_of_work(db_session):
            submit(db_session, _cmd(world, commune_code="00000", hamlet_code=None), NOW)
    with pytest.raises(InvalidCommand):
        bad = TimeWindow(NOW + timedelta(hours=3), NOW + timedelta(hours=1))
        with unit_of_work(db_session):
            submit(db_session, _cmd(world, preferred_windows=(bad,)), NOW)
    assert _count(db_session, HelpRequest) == 0
    assert _count(db_session, Event) == 0
    assert _count(db_session, AuditLog) == 0


def test_failure_rolls_back_request_event_and_audit(
    db_session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dispatch.services.unit as unit_module

    def broken_audit(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(unit_module, "audit", broken_audit)  # submit's audit row goes through here
    with pytest.raises(RuntimeError, match="disk full"):
        with unit_of_work(db_session):
            submit(db_session, _cmd(world), NOW)

    assert _count(db_session, HelpRequest) == 0
    assert _count(db_session, Resident) == 0
    assert _count(db_session, Event) == 0
