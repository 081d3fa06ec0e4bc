"""The whole path by SMS, over HTTP, through real RQ, the planner and the Twilio sandbox:
SMS in -> request -> plan -> offer -> "1" -> confirmation with the visit time -> reminders;
and a decline -> re-plan -> offer to someone else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dispatch.models import Assignment, HelpRequest
from notifications.reminders import reminder_job_id, reminder_times, send_reminder
from notifications.templates import format_when
from tests.e2e.messaging.conftest import LiveSystem

RESIDENT = "+84987000666"


def _live_assignment(live: LiveSystem) -> Assignment:
    with live.runtime.sessions() as session:
        rows = session.scalars(select(Assignment).order_by(Assignment.id)).all()
        assert rows, "the planner made no offer"
        return rows[-1]


def test_sms_request_to_confirmation_and_reminders(live: LiveSystem) -> None:
    assert live.post_sms(RESIDENT, "Giúp bà cài VNeID, ấp Công Sự", "SMj1").status_code == 200
    live.pump(wait_scheduled_s=3)
    assert live.sent_to(RESIDENT)[0].startswith("Đã nhận yêu cầu VNeID")
    offer = _live_assignment(live)
    assert offer.status == "offered"
    volunteer_phone = {
        live.world.volunteer_a: live.world.volunteer_a_phone,
        live.world.volunteer_a2: live.world.volunteer_a2_phone,
    }[offer.volunteer_id]
    offer_sms = live.sent_to(volunteer_phone)
    assert len(offer_sms) == 1 and "Nhắn 1A để nhận" in offer_sms[0]
    assert format_when(offer.start_at, "vi") in offer_sms[0]

    accepted_from = datetime.now(UTC)
    assert live.post_sms(volunteer_phone, "1", "SMj2").status_code == 200
    live.pump(wait_scheduled_s=3)
    accepted = _live_assignment(live)
    assert accepted.id == offer.id and accepted.status == "accepted"
    assert "Đã nhận A:" in live.sent_to(volunteer_phone)[-1]
    confirmation = live.sent_to(RESIDENT)[-1]
    assert format_when(accepted.start_at, "vi") in confirmation
    assert accepted.visit_code in confirmation and "OTP" in confirmation

    scheduled = live.runtime.queues.messages.scheduled_job_registry.get_job_ids()
    due = {
        k for k in ("evening", "hour") if reminder_job_id(offer.id, k, offer.start_at) in scheduled
    }
    # Reminders still ahead at acceptance are scheduled, those already past are not (the
    # planned visit may be less than an hour away, depending on when the test runs).
    times = reminder_times(offer.start_at)
    assert {k for k, at in times.items() if at > accepted_from + timedelta(minutes=1)} <= due
    assert not {k for k, at in times.items() if at <= accepted_from} & due
    # Run the hour-before reminder now, as the scheduler will at its time.
    assert send_reminder(offer.id, "hour", accepted.start_at.isoformat()) == "queued"
    live.pump()
    assert live.sent_to(RESIDENT)[-1].startswith("Khoảng")


def test_decline_replans_to_someone_else(live: LiveSystem) -> None:
    live.post_sms(RESIDENT, "can giup vneid ap cong su", "SMd1")
    live.pump(wait_scheduled_s=3)
    first = _live_assignment(live)
    phones = {
        live.world.volunteer_a: live.world.volunteer_a_phone,
        live.world.volunteer_a2: live.world.volunteer_a2_phone,
    }
    live.post_sms(phones[first.volunteer_id], "2", "SMd2")
    live.pump(wait_scheduled_s=3)
    second = _live_assignment(live)
    assert second.id != first.id and second.volunteer_id != first.volunteer_id
    assert second.status == "offered"
    assert "Nhắn 1A để nhận" in live.sent_to(phones[second.volunteer_id])[-1]
    with live.runtime.sessions() as session:
        request = session.scalars(select(HelpRequest)).one()
        assert request.status == "offered"
