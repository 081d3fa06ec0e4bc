"""The delivery job through real RQ (SimpleWorker, burst) on real Redis and a real database,
against the in-memory channel: retries, permanent errors, reconcile, opt-out, quiet hours."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from dispatch.clock import to_local, utcnow
from dispatch.models import Message, PhoneOptOut
from dispatch.runtime import Runtime
from notifications.channels import InMemoryChannel, PermanentSendError, RetryableSendError
from notifications.optout import set_opt_out
from notifications.outbound import Outgoing, enqueue_delivery, queue_sms
from tests.fixtures.web import WebWorld

Pump = Callable[..., int]
PHONE = "+84987000222"


def _queue(runtime: Runtime, template: str = "thanks", cause: str = "t:1", **values: object):
    values = values or {"kind": "vneid", "ref": "ABC234"}
    with runtime.sessions() as session:
        message = queue_sms(
            session,
            runtime.settings,
            Outgoing(PHONE, template, dict(values), cause, commune_code="UMT"),
        )
        session.commit()
    enqueue_delivery(runtime.queues, [message])
    return message.our_id


def _message(runtime: Runtime, our_id: str) -> Message:
    with runtime.sessions() as session:
        found = session.scalar(select(Message).where(Message.our_id == our_id))
        assert found is not None
        return found


def test_sends_once_and_stores_segments(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    our_id = _queue(runtime)
    pump()
    assert [s.our_id for s in channel.sent] == [our_id]
    message = _message(runtime, our_id)
    assert message.status == "sent" and message.provider_id == channel.sent[0].provider_id
    assert message.encoding == "UCS-2" and message.segments == 1
    # Queueing the same thing again (a handler re-run) finds the row: still one SMS.
    assert _queue(runtime) == our_id
    pump()
    assert len(channel.sent) == 1


def test_rate_limit_and_outage_are_retried_with_backoff(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    channel.fail_next(
        RetryableSendError("429", code=20429, http_status=429),
        RetryableSendError("500", code=20500, http_status=500),
        RetryableSendError("network", maybe_sent=False),
    )
    our_id = _queue(runtime)
    pump(wait_scheduled_s=2)
    assert len(channel.sent) == 1
    message = _message(runtime, our_id)
    assert message.status == "sent" and message.attempts == 4
    retries = [h for h in message.status_history if h["status"] == "retry"]
    assert [h["error_code"] for h in retries] == ["20429", "20500", "network"]


def test_permanent_error_fails_with_code_and_no_retry(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    channel.fail_next(PermanentSendError("bad number", code=21211, http_status=400))
    our_id = _queue(runtime)
    pump(wait_scheduled_s=1)
    message = _message(runtime, our_id)
    assert message.status == "failed" and message.error_code == "21211"
    assert message.attempts == 1 and channel.sent == []


def test_timeout_after_create_is_reconciled_not_resent(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    channel.fail_next(RetryableSendError("read timeout", maybe_sent=True))
    our_id = _queue(runtime)
    pump(wait_scheduled_s=2)
    assert len(channel.sent) == 1  # created once by the provider, never again
    message = _message(runtime, our_id)
    assert message.provider_id == channel.sent[0].provider_id
    assert message.attempts == 2
    assert any(h.get("reconciled") for h in message.status_history)


def test_duplicate_delivery_jobs_send_once(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    our_id = _queue(runtime)
    runtime.queues.messages.enqueue_call(
        "notifications.delivery.deliver", args=(our_id, 1), job_id="dup-copy"
    )
    pump()
    assert len(channel.sent) == 1


def test_unsubscribed_error_opts_out_until_start(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    channel.fail_next(PermanentSendError("unsubscribed", code=21610, http_status=400))
    first = _queue(runtime, cause="t:1")
    pump()
    assert _message(runtime, first).error_code == "21610"
    with runtime.sessions() as session:
        row = session.get(PhoneOptOut, PHONE)
        assert row is not None and row.opted_out and row.source == "error:21610"
    second = _queue(runtime, cause="t:2")
    pump()
    assert _message(runtime, second).error_code == "opted_out"
    assert channel.sent == []
    with runtime.sessions() as session:
        set_opt_out(session, PHONE, False, "keyword")
        session.commit()
    third = _queue(runtime, cause="t:3")
    pump()
    assert [s.our_id for s in channel.sent] == [third]


def test_opt_out_after_queueing_stops_the_send(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    our_id = _queue(runtime)
    with runtime.sessions() as session:
        set_opt_out(session, PHONE, True, "keyword")
        session.commit()
    pump()
    assert channel.sent == [] and _message(runtime, our_id).error_code == "opted_out"


def test_invalid_numbers_are_never_sent_to(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    with runtime.sessions() as session:
        landline = queue_sms(
            session,
            runtime.settings,
            Outgoing("+842963123456", "thanks", {"kind": "vneid", "ref": "X"}, "t:l"),
        )
        session.commit()
    enqueue_delivery(runtime.queues, [landline])
    pump()
    assert channel.sent == [] and landline.status == "failed"
    assert landline.error_code == "landline"
    assert "landline" in landline.status_history[0]["detail"]
    with runtime.sessions() as session:
        old = queue_sms(
            session,
            runtime.settings,
            Outgoing("01689123456", "thanks", {"kind": "vneid", "ref": "X"}, "t:o"),
        )
        session.commit()
    assert old.error_code == "old_mobile" and "038" in old.status_history[0]["detail"]


def test_quiet_hours_hold_non_urgent_messages(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    # Quiet hours around "now", whatever the time of the test run.
    now_local = to_local(utcnow())
    start = (now_local - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now_local + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    runtime.settings = replace(runtime.settings, quiet_hours=(start, end))
    held = _queue(runtime, "thanks", cause="t:q")
    urgent = _queue(runtime, "help", cause="t:h", x=1)
    with runtime.sessions() as session:  # a resident's own HUY is answered even at night
        answer = queue_sms(
            session,
            runtime.settings,
            Outgoing(PHONE, "cancellation", {"ref": "R", "kind": "vneid"}, "t:c", urgent=True),
        )
        session.commit()
    enqueue_delivery(runtime.queues, [answer])
    pump()
    assert sorted(s.our_id for s in channel.sent) == sorted([urgent, answer.our_id])
    message = _message(runtime, held)
    assert message.status == "queued" and message.send_after is not None
    assert message.send_after > utcnow() + timedelta(minutes=50)
    scheduled = runtime.queues.messages.scheduled_job_registry.get_job_ids()
    assert f"sms-{held}-1" in scheduled


def test_a_job_that_runs_in_quiet_hours_waits_for_the_morning(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    # Queued in the day (no quiet hours yet); by the time its job runs, it is night.
    our_id = _queue(
        runtime, "reminder_hour", cause="t:r", time=utcnow(), volunteer="An", code="1234"
    )
    now_local = to_local(utcnow())
    start = (now_local - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    end = (now_local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    runtime.settings = replace(runtime.settings, quiet_hours=(start, end))
    pump()
    assert channel.sent == []
    message = _message(runtime, our_id)
    assert message.status == "queued" and message.attempts == 0
    assert message.send_after is not None and message.send_after > utcnow() + timedelta(hours=1)
    held = [
        job_id
        for job_id in runtime.queues.messages.scheduled_job_registry.get_job_ids()
        if job_id.startswith(f"sms-{our_id}-1-h")
    ]
    assert len(held) == 1
