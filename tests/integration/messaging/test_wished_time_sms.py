"""The resident's stated day and part of day by SMS: honoured, or the nearest time put to them
(yes/no), or asked again when already past; and inbound messages whose handling was dropped
are handled by the sweep, once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from dispatch import planning
from dispatch.clock import to_local, utcnow
from dispatch.models import Assignment, HelpRequest, Message, TimeProposal, VolunteerShift
from dispatch.runtime import Runtime
from dispatch.services.windows import request_windows
from notifications import inbound
from notifications.channels import InMemoryChannel
from notifications.inbound import InboundSms, store_and_claim, sweep_unhandled
from tests.fixtures.web import WebWorld
from tests.integration.messaging.test_inbound import age_claim, text

Pump = Callable[..., int]
RESIDENT = "+84987000555"


def _mornings_only(runtime: Runtime) -> None:
    with runtime.sessions() as session:
        session.execute(update(VolunteerShift).values(end_local=time(12)))
        session.commit()


def _plan(runtime: Runtime) -> None:
    planning.plan_commune(runtime.sessions, "UMT", offer_timeout_minutes=120, time_limit_s=1)


def test_afternoon_nobody_can_do_gets_the_nearest_time_and_a_yes_books_it(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    _mornings_only(runtime)
    assert text(runtime, RESIDENT, "giup cai vneid ap cong su chieu mai") == []
    _plan(runtime)
    pump()
    with runtime.sessions() as session:
        request = session.scalars(select(HelpRequest)).one()
        [wished] = request_windows(request)
        assert to_local(wished.start).time() == time(13)  # the afternoon, as asked
        assert session.scalars(select(Assignment)).all() == []  # nobody, and nothing imposed
        proposal = session.scalars(select(TimeProposal)).one()
    question = channel.to(RESIDENT)[-1].body
    assert question.startswith("Chưa có ai đến được chiều ") and "Giờ gần nhất: " in question
    assert to_local(proposal.start_at).time() < time(12)  # the same morning, the nearest
    assert text(runtime, RESIDENT, "co") == ["proposal_accepted_ack"]
    _plan(runtime)
    pump()
    with runtime.sessions() as session:
        offer = session.scalars(select(Assignment)).one()
        assert abs(offer.start_at - proposal.start_at) <= timedelta(minutes=30)
    assert text(runtime, world.volunteer_a_phone if offer.volunteer_id == world.volunteer_a
                else world.volunteer_a2_phone, "1") == ["accept_ack"]  # fmt: skip
    pump()
    assert channel.to(RESIDENT)[-1].body.startswith("Hẹn ")


def test_a_no_keeps_the_afternoon_and_is_not_asked_again(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    _mornings_only(runtime)
    text(runtime, RESIDENT, "giup cai vneid ap cong su chieu mai")
    _plan(runtime)
    pump()
    assert text(runtime, RESIDENT, "khong") == ["proposal_refused_ack"]
    pump()
    assert channel.to(RESIDENT)[-1].body.startswith("Đã ghi nhận, giữ giờ chiều ")
    _plan(runtime)
    pump()
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(TimeProposal)) == 1
        assert session.scalars(select(Assignment)).all() == []
    assert sum(m.body.startswith("Chưa có ai") for m in channel.to(RESIDENT)) == 1


def test_a_part_of_today_already_over_is_asked_again_not_dropped(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    afternoon = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # 15:00 local: the morning is over
    monkeypatch.setattr(inbound, "utcnow", lambda: afternoon)
    assert text(runtime, RESIDENT, "giup cai vneid ap cong su sang nay") == ["when_past"]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 0
        asked = session.scalars(select(Message).where(Message.template == "when_past")).one()
        assert asked.body.startswith("sáng T2 11/1 đã qua.")
    assert text(runtime, RESIDENT, "sang mai") == []  # the answer completes the request
    with runtime.sessions() as session:
        [window] = request_windows(session.scalars(select(HelpRequest)).one())
        assert to_local(window.start).replace(tzinfo=None) == datetime(2027, 1, 12, 7)


def test_a_message_dropped_between_the_steps_is_handled_by_the_sweep_once(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    sms = InboundSms("twilio", "SMdropped", RESIDENT, "+84900000000", "help")
    with runtime.sessions() as session:
        row, claimed = store_and_claim(session, sms, utcnow())  # step 1 only: then the crash
        assert claimed and row.status == "handling"
    assert sweep_unhandled(runtime) == 0  # too fresh: maybe still being handled
    age_claim(runtime.sessions, "SMdropped")
    assert sweep_unhandled(runtime) == 1
    assert sweep_unhandled(runtime) == 0
    assert text(runtime, RESIDENT, "help", sid="SMdropped") == []  # the provider's retry
    pump()
    assert [m.body[:10] for m in channel.to(RESIDENT)] == ["Nhắn việc "]
