"""Inbound SMS through ``notifications.inbound.receive`` on a real database, then real RQ:
dialogue, keywords matched to the conversation, STOP/START, HUY, duplicates."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from dispatch import services
from dispatch.clock import utcnow
from dispatch.models import Assignment, HelpRequest, Message, SmsDialogue
from dispatch.models.requests import RequestChannel
from dispatch.runtime import Runtime
from dispatch.services.unit_of_work import unit_of_work
from notifications import inbound, inbound_turn
from notifications.channels import InMemoryChannel
from notifications.inbound import InboundSms, receive
from notifications.outbound import enqueue_delivery
from tests.fixtures.web import WebWorld

Pump = Callable[..., int]
RESIDENT = "+84987000444"
_ids = itertools.count(1)


def text(runtime: Runtime, sender: str, body: str, sid: str | None = None) -> list[str]:
    """Deliver one inbound SMS; returns the templates of the replies queued."""
    sms = InboundSms("twilio", sid or f"SMin{next(_ids):06d}", sender, "+84900000000", body)
    with runtime.sessions() as session:
        received = receive(session, runtime.settings, sms)
        templates = [m.template or "" for m in received.replies]
    enqueue_delivery(runtime.queues, received.replies)
    return templates


def age_claim(sessions: sessionmaker[Session], provider_id: str) -> None:
    """Let ``RECLAIM_AFTER`` pass for a claimed message (its handler crashed long enough ago)."""
    with sessions() as session:
        session.execute(
            update(Message)
            .where(Message.provider_id == provider_id)
            .values(updated_at=utcnow() - inbound.RECLAIM_AFTER - timedelta(seconds=1))
        )
        session.commit()


def _offer(
    runtime: Runtime,
    volunteer_id: int,
    days: int = 2,
    *,
    start: datetime | None = None,
    channel: str = "sms",
    offered_at: datetime | None = None,
) -> int:
    """A resident's request offered to ``volunteer_id`` ``days`` ahead (or at ``start``)."""
    start = start or (utcnow() + timedelta(days=days)).replace(microsecond=0)
    with runtime.sessions() as session:
        with unit_of_work(session):
            request = services.submit(
                session,
                services.SubmitRequest(
                    phone=RESIDENT,
                    kind="e_payment" if days == 3 else "vneid",
                    commune_code="UMT",
                    hamlet_code="UMT-01",
                    channel=channel,
                ),  # fmt: skip
                utcnow(),
            ).request
        with unit_of_work(session):
            assignment = services.offer(
                session,
                services.OfferAssignment(
                    request.id, volunteer_id, start, start + timedelta(minutes=45), None
                ),
                offered_at or utcnow(),
            )
        return assignment.id


def _status(runtime: Runtime, assignment_id: int) -> str:
    with runtime.sessions() as session:
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None
        return str(assignment.status)


def test_dialogue_asks_for_the_hamlet_then_submits(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assert text(runtime, "0987 000 444", "giup em cai vneid voi") == ["ask_hamlet"]
    pump()
    assert channel.to(RESIDENT)[-1].body.startswith("Bạn ở ấp nào?")
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 0
        assert session.get(SmsDialogue, RESIDENT) is not None
    assert text(runtime, RESIDENT, "ap cong su") == []
    pump()
    with runtime.sessions() as session:
        request = session.scalars(select(HelpRequest)).one()
        assert (request.kind, request.hamlet_code, request.channel) == ("vneid", "UMT-02", "sms")
        assert session.get(SmsDialogue, RESIDENT) is None
    assert "Đã nhận yêu cầu VNeID" in channel.to(RESIDENT)[-1].body


def test_a_bare_1_with_two_offers_waiting_asks_which_and_a_letter_takes_that_one(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    first = _offer(runtime, world.volunteer_a, days=2)
    pump()
    second = _offer(runtime, world.volunteer_a, days=3)
    pump()
    offers = [m.body for m in channel.to(world.volunteer_a_phone)]
    assert offers[0].startswith("Việc mới A: VNeID") and "Nhắn 1A để nhận" in offers[0]
    assert offers[1].startswith("Việc mới B: thanh toán điện tử") and "1B" in offers[1]
    # The last offer shown was B, but A waits too: "1" is not guessed.
    assert text(runtime, world.volunteer_a_phone, "1") == ["offer_choice"]
    pump()
    question = channel.to(world.volunteer_a_phone)[-1].body
    assert question.startswith("Bạn có 2 việc chờ: A) VNeID") and "B) thanh toán" in question
    assert (_status(runtime, first), _status(runtime, second)) == ("offered", "offered")
    # "1" again answers the same question again; "1A" takes A, the one shown first.
    assert text(runtime, world.volunteer_a_phone, "1") == ["offer_choice"]
    assert text(runtime, world.volunteer_a_phone, "1A") == ["accept_ack"]
    pump()
    assert (_status(runtime, first), _status(runtime, second)) == ("accepted", "offered")
    ack = channel.to(world.volunteer_a_phone)[-1].body
    assert ack.startswith("Đã nhận A: VNeID") and "0987 000 444" in ack and "  " not in ack
    assert "XONG A" in ack
    confirmation = channel.to(RESIDENT)[-1].body
    assert confirmation.startswith("Hẹn") and "OTP" in confirmation
    # One offer left: a bare "2" declines it, and says which.
    assert text(runtime, world.volunteer_a_phone, "2") == ["decline_ack"]
    pump()
    assert _status(runtime, second) == "declined"
    declined = channel.to(world.volunteer_a_phone)[-1].body
    assert declined.startswith("Đã ghi nhận bạn từ chối việc B")
    # "1A" again: already accepted, nothing more happens; "1B": declined, it is off.
    assert text(runtime, world.volunteer_a_phone, "1A") == []
    assert text(runtime, world.volunteer_a_phone, "1B") == ["offer_withdrawn"]


def test_decline_and_a_late_answer(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assignment_id = _offer(runtime, world.volunteer_a)
    pump()
    assert text(runtime, world.volunteer_a_phone, "KHÔNG") == ["decline_ack"]
    assert _status(runtime, assignment_id) == "declined"
    assert text(runtime, world.volunteer_a_phone, "1") == ["offer_withdrawn"]


def test_stop_blocks_every_send_until_start(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assert text(runtime, RESIDENT, "STOP") == ["stop"]
    pump()
    assert len(channel.to(RESIDENT)) == 1  # the answer to STOP itself
    assert text(runtime, RESIDENT, "giup vneid ap cong su") == []
    pump()
    assert len(channel.to(RESIDENT)) == 1  # request stored, acknowledgement not sent
    with runtime.sessions() as session:
        failed = session.scalars(
            select(Message).where(Message.template == "request_received")
        ).one()
        assert failed.status == "failed" and failed.error_code == "opted_out"
    assert text(runtime, RESIDENT, "bat dau") == ["start"]
    assert text(runtime, RESIDENT, "help") == ["help"]
    pump()
    assert len(channel.to(RESIDENT)) == 3


def test_huy_cancels_the_request_the_conversation_is_about(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assignment_id = _offer(runtime, world.volunteer_a)
    pump()
    text(runtime, RESIDENT, "Hủy hẹn")
    pump()
    with runtime.sessions() as session:
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None and assignment.request.status == "cancelled"
    assert "đã hủy" in channel.to(RESIDENT)[-1].body
    assert "không cần đến" in channel.to(world.volunteer_a_phone)[-1].body


def test_same_provider_id_is_processed_once(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assert text(runtime, RESIDENT, "help", sid="SMdup") == ["help"]
    assert text(runtime, RESIDENT, "help", sid="SMdup") == []
    pump()
    assert len(channel.to(RESIDENT)) == 1
    with runtime.sessions() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert [m.provider_id for m in inbound] == ["SMdup"]


def test_gibberish_gets_a_polite_answer(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assert text(runtime, RESIDENT, "zzzz qqq") == ["not_understood"]
    assert text(runtime, world.volunteer_a_phone, "xong") == ["not_understood"]
    # With no offer to answer, "ok" is a thank-you (no reply) and "không" is not understood.
    assert text(runtime, RESIDENT, "ok") == []
    assert text(runtime, RESIDENT, "không") == ["not_understood"]


def test_dialogue_state_expires(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assert text(runtime, RESIDENT, "giup e cai vneid") == ["ask_hamlet"]
    with runtime.sessions() as session:
        state = session.get(SmsDialogue, RESIDENT)
        assert state is not None
        state.expires_at = utcnow() - timedelta(minutes=1)
        session.commit()
    # Too late: the kind said earlier is forgotten, so now the kind is asked.
    assert text(runtime, RESIDENT, "ap cong su") == ["ask_kind"]
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 0


def test_known_hamlet_of_the_number_is_the_fallback(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    _offer(runtime, world.volunteer_a)  # makes RESIDENT known, living in UMT-01
    assert text(runtime, RESIDENT, "can giup thanh toan tien dien") == []
    with runtime.sessions() as session:
        kinds = sorted((r.kind, r.hamlet_code) for r in session.scalars(select(HelpRequest)).all())
        assert kinds == [("e_payment", "UMT-01"), ("vneid", "UMT-01")]


def test_xong_completes_the_volunteers_visit_and_thanks_the_resident(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    assignment_id = _offer(
        runtime,
        world.volunteer_a,
        start=(utcnow() - timedelta(minutes=30)).replace(microsecond=0),
        channel=RequestChannel.WEB,
        offered_at=utcnow() - timedelta(hours=1),
    )
    with runtime.sessions() as session, unit_of_work(session):
        services.accept(session, services.AcceptOffer(assignment_id, "v"), utcnow())
    pump()
    assert text(runtime, world.volunteer_a_phone, "Đã xong rồi") == ["done_ack"]
    pump()
    assert _status(runtime, assignment_id) == "done"
    assert channel.to(RESIDENT)[-1].body.startswith("Cảm ơn bạn!")


def test_not_understood_answers_are_limited(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    answers = [text(runtime, RESIDENT, f"zzz qqq {word}") for word in "vwxyz"]
    assert answers == [["not_understood"]] * 3 + [[]] * 2


def test_message_is_stored_even_when_handling_crashes_and_a_retry_handles_it(
    runtime: Runtime,
    world: WebWorld,
    channel: InMemoryChannel,
    pump: Pump,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(inbound_turn, "understand", broken)
    with pytest.raises(RuntimeError):
        text(runtime, RESIDENT, "help", sid="SMcrash")
    monkeypatch.undo()
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.provider_id == "SMcrash")).one()
        assert row.status == "handling" and row.body == "help"
    # The provider retries at once: still being handled as far as we know, so nothing.
    assert text(runtime, RESIDENT, "help", sid="SMcrash") == []
    age_claim(runtime.sessions, "SMcrash")
    assert text(runtime, RESIDENT, "help", sid="SMcrash") == ["help"]
    assert text(runtime, RESIDENT, "help", sid="SMcrash") == []
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.provider_id == "SMcrash")).one()
        assert row.status == "handled"
