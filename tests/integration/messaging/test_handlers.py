"""Domain events -> SMS: services write events, the relay publishes them to real RQ, our
handlers write messages and the delivery jobs send them (in-memory channel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from dispatch import outbox, services
from dispatch.clock import local_to_utc, to_local, utcnow
from dispatch.events import AssignmentChanged
from dispatch.models import Assignment, Commune, Message
from dispatch.runtime import Runtime
from dispatch.services.unit_of_work import unit_of_work
from notifications.channels import InMemoryChannel
from notifications.reminders import reminder_job_id, reminder_times, send_reminder
from notifications.templates import format_when
from tests.fixtures.web import WebWorld

Pump = Callable[..., int]

RESIDENT = "+84987000333"


def _submit(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        with unit_of_work(session):
            result = services.submit(
                session,
                services.SubmitRequest(
                    phone=RESIDENT,
                    kind="vneid",
                    commune_code="UMT",
                    hamlet_code="UMT-01",
                    channel="sms",
                ),  # fmt: skip
                utcnow(),
            )
        return result.request.id


def _offer(runtime: Runtime, request_id: int, volunteer_id: int, start: datetime) -> int:
    with runtime.sessions() as session:
        with unit_of_work(session):
            assignment = services.offer(
                session,
                services.OfferAssignment(
                    request_id,
                    volunteer_id,
                    start,
                    start + timedelta(minutes=45),
                    expires_at=utcnow() + timedelta(hours=2),
                ),  # fmt: skip
                utcnow(),
            )
        return assignment.id


def _start() -> datetime:
    """09:00 local, two days ahead."""
    day = to_local(utcnow()).date() + timedelta(days=2)
    return local_to_utc(day, time(9, 0))


def test_submit_offer_accept_sends_each_message_once(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    request_id = _submit(runtime)
    pump()
    received = channel.to(RESIDENT)
    assert len(received) == 1 and "Đã nhận yêu cầu VNeID" in received[0].body

    start = _start()
    assignment_id = _offer(runtime, request_id, world.volunteer_a, start)
    pump()
    offers = channel.to(world.volunteer_a_phone)
    assert len(offers) == 1 and "Nhắn 1A để nhận" in offers[0].body

    with runtime.sessions() as session:
        with unit_of_work(session):
            assignment = services.accept(
                session, services.AcceptOffer(assignment_id, "volunteer:x"), utcnow()
            )
        code = assignment.visit_code
    pump()
    confirmation = channel.to(RESIDENT)[-1].body
    assert code in confirmation and "An" in confirmation and "OTP" in confirmation
    assert format_when(start, "vi") in confirmation
    # Reminders are scheduled jobs, the evening before and an hour before.
    scheduled = runtime.queues.messages.scheduled_job_registry.get_job_ids()
    for kind in ("evening", "hour"):
        assert reminder_job_id(assignment_id, kind, start) in scheduled
    # Re-running every handler job changes nothing: each message exists once.
    sent_before = list(channel.sent)
    for job_id in runtime.queues.events.finished_job_registry.get_job_ids():
        job = runtime.queues.events.fetch_job(job_id)
        if job is not None and job.func_name.startswith("notifications."):
            runtime.queues.events.enqueue_call(job.func_name, args=job.args)
    pump()
    assert [(s.to, s.body) for s in channel.sent] == [(s.to, s.body) for s in sent_before]


def test_reminders_recheck_the_visit_when_they_run(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    request_id = _submit(runtime)
    start = _start()
    assignment_id = _offer(runtime, request_id, world.volunteer_a, start)
    with runtime.sessions() as session:
        with unit_of_work(session):
            services.accept(session, services.AcceptOffer(assignment_id, "v"), utcnow())
    pump()
    before = len(channel.to(RESIDENT))
    assert send_reminder(assignment_id, "evening", start.isoformat()) == "queued"
    assert send_reminder(assignment_id, "evening", start.isoformat()) == "queued"  # same row
    pump()
    reminders = channel.to(RESIDENT)[before:]
    assert len(reminders) == 1 and reminders[0].body.startswith("Nhắc:")
    # A reminder made for another time (the visit moved) does nothing.
    assert send_reminder(assignment_id, "hour", (start - timedelta(hours=3)).isoformat()) == "moved"
    with runtime.sessions() as session:
        with unit_of_work(session):
            services.cancel(session, services.CancelRequest(request_id, "resident:x"), utcnow())
    pump()
    assert send_reminder(assignment_id, "hour", start.isoformat()) == "visit-off"
    last = channel.to(RESIDENT)[-1].body
    assert "đã hủy" in last
    # The volunteer was told they need not go.
    assert "không cần đến" in channel.to(world.volunteer_a_phone)[-1].body


def test_reminder_times_are_evening_before_and_hour_before() -> None:
    start = datetime(2026, 12, 3, 2, 30, tzinfo=UTC)  # 09:30 local on 3 Dec
    times = reminder_times(start)
    assert times["evening"] == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # 19:00 local 2 Dec
    assert times["hour"] == datetime(2026, 12, 3, 1, 30, tzinfo=UTC)


def test_visit_completed_thanks_the_resident(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    request_id = _submit(runtime)
    assignment_id = _offer(runtime, request_id, world.volunteer_a, _start())
    with runtime.sessions() as session:
        with unit_of_work(session):
            services.accept(session, services.AcceptOffer(assignment_id, "v"), utcnow())
        with unit_of_work(session):
            services.complete(
                session, services.CompleteVisit(assignment_id, "resolved", "v"), utcnow()
            )
    pump()
    assert channel.to(RESIDENT)[-1].body.startswith("Cảm ơn bạn!")


def test_moved_visit_tells_the_resident_and_resets_reminders(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    request_id = _submit(runtime)
    start = _start()
    assignment_id = _offer(runtime, request_id, world.volunteer_a, start)
    with runtime.sessions() as session:
        with unit_of_work(session):
            services.accept(session, services.AcceptOffer(assignment_id, "v"), utcnow())
    pump()
    later = start + timedelta(hours=5)
    with runtime.sessions() as session:
        assignment = session.get(Assignment, assignment_id)
        assert assignment is not None
        assignment.start_at, assignment.end_at = later, later + timedelta(minutes=45)
        outbox.record(
            session,
            AssignmentChanged(
                commune_code="UMT", assignment_id=assignment_id, request_id=request_id,
                volunteer_id=world.volunteer_a, previous_start_at=start, start_at=later,
                end_at=later + timedelta(minutes=45),
            ),
        )  # fmt: skip
        session.commit()
    pump()
    moved = channel.to(RESIDENT)[-1].body
    assert moved.startswith("Lịch hẹn") and format_when(later, "vi") in moved
    scheduled = runtime.queues.messages.scheduled_job_registry.get_job_ids()
    assert reminder_job_id(assignment_id, "hour", later) in scheduled
    # The reminders made for the old time now do nothing.
    assert send_reminder(assignment_id, "hour", start.isoformat()) == "moved"


def test_folding_commune_sends_plain_ascii(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    with runtime.sessions() as session:
        commune = session.get(Commune, "UMT")
        assert commune is not None
        commune.fold_diacritics = True
        session.commit()
    _submit(runtime)
    pump()
    body = channel.to(RESIDENT)[-1].body
    assert body.startswith("Da nhan yeu cau VNeID") and body.isascii()
    with runtime.sessions() as session:
        message = session.scalars(select(Message)).one()
        assert (message.encoding, message.segments) == ("GSM-7", 1)


def test_expired_offer_tells_the_volunteer(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    request_id = _submit(runtime)
    assignment_id = _offer(runtime, request_id, world.volunteer_a, _start())
    pump()
    with runtime.sessions() as session:
        with unit_of_work(session):
            services.expire(session, services.ExpireOffer(assignment_id), utcnow())
    pump()
    sent = channel.to(world.volunteer_a_phone)
    assert len(sent) == 2 and "không cần đến" in sent[-1].body
