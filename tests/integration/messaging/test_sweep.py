"""The worker's sweep restarts SMS whose delivery job was lost, without sending twice: at once
when no job of the message is left in Redis, after ``STUCK_AFTER`` in any case."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from dispatch.clock import utcnow
from dispatch.models import Message
from dispatch.runtime import Runtime
from dispatch.worker import sweep_once
from notifications import wiring
from notifications.channels import InMemoryChannel
from notifications.channels.twilio_channel import TwilioChannel
from notifications.delivery_sweep import CONFIRM_AFTER, SETTLE, STUCK_AFTER, has_live_job
from notifications.outbound import Outgoing, enqueue_delivery, queue_sms
from notifications.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    SANDBOX_FROM_NUMBER,
    start_sandbox,
)
from tests.fixtures.web import WebWorld

Pump = Callable[..., int]
PHONE = "+84987000999"


def _stored_but_never_enqueued(
    runtime: Runtime,
    cause: str,
    age: timedelta = STUCK_AFTER + timedelta(minutes=1),
    **values: object,
) -> str:
    """A committed Message, last changed ``age`` ago, whose delivery job never reached Redis
    (e.g. Redis was down)."""
    with runtime.sessions() as session:
        message = queue_sms(
            session,
            runtime.settings,
            Outgoing(PHONE, "thanks", {"kind": "vneid", "ref": "R1"}, cause),
        )
        session.flush()
        session.execute(
            update(Message)
            .where(Message.id == message.id)
            .values(updated_at=utcnow() - age, **values)
        )
        session.commit()
        return message.our_id


def test_sweep_sends_a_message_whose_job_was_lost(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    our_id = _stored_but_never_enqueued(runtime, "sweep:1")
    pump()
    assert channel.sent == []
    assert sweep_once(runtime)["sms_restarted"] == 1
    pump()
    assert [s.our_id for s in channel.sent] == [our_id]
    assert sweep_once(runtime)["sms_restarted"] == 0


@pytest.mark.parametrize(
    "age", [STUCK_AFTER + timedelta(minutes=1), SETTLE + timedelta(seconds=30)]
)
def test_sweep_after_a_worker_died_mid_send_does_not_send_twice(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump, age: timedelta
) -> None:
    # The worker claimed attempt 1 and the provider created the SMS, then the worker died
    # and its job was lost (e.g. a Redis restart between dequeue and the started registry).
    our_id = _stored_but_never_enqueued(runtime, "sweep:2", age, status="sending", attempts=1)
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        assert not has_live_job(runtime.queues, row)
        channel.send(row.peer_phone, row.body, our_id, None)
    assert sweep_once(runtime)["sms_restarted"] == 1
    pump()
    assert len(channel.sent) == 1
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        assert row.provider_id == channel.sent[0].provider_id and row.attempts == 2


def test_a_lost_job_is_noticed_within_a_minute_not_after_twenty(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    fresh = _stored_but_never_enqueued(runtime, "sweep:3", age=timedelta(seconds=5))
    settled = _stored_but_never_enqueued(runtime, "sweep:4", age=SETTLE + timedelta(seconds=15))
    # The fresh one may still be between its commit and its enqueue: left alone.
    assert sweep_once(runtime)["sms_restarted"] == 1
    pump()
    assert [s.our_id for s in channel.sent] == [settled]
    assert fresh not in {s.our_id for s in channel.sent}


def test_a_message_whose_job_is_waiting_is_not_restarted(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    our_id = _stored_but_never_enqueued(runtime, "sweep:5", age=SETTLE + timedelta(minutes=5))
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        enqueue_delivery(runtime.queues, [row])  # its job is queued, no worker has run yet
        assert has_live_job(runtime.queues, row)
    assert sweep_once(runtime)["sms_restarted"] == 0
    pump()
    assert [s.our_id for s in channel.sent] == [our_id]
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        assert row.attempts == 1  # sent by its own job, not by a restart


def test_a_status_callback_lost_in_an_outage_is_fetched_from_the_provider(
    runtime: Runtime, world: WebWorld, pump: Pump
) -> None:
    # The fake Twilio accepts the SMS and calls back to a web that is down: every callback
    # is refused, as when our web answered 503 during a database restart.
    sandbox = start_sandbox(callback_delay_s=0.01)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    twilio = TwilioChannel(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        public_url=f"http://127.0.0.1:{closed.getsockname()[1]}",
        from_number=SANDBOX_FROM_NUMBER,
        api_base_url=sandbox.url,
    )
    wiring.channels(runtime).install({"twilio": twilio, "android_gateway": twilio})
    try:
        with runtime.sessions() as session:
            message = queue_sms(
                session,
                runtime.settings,
                Outgoing(PHONE, "thanks", {"kind": "vneid", "ref": "R9"}, "conf:1"),
            )
            session.commit()
            enqueue_delivery(runtime.queues, [message])
        pump()
        our_id = message.our_id
        with runtime.sessions() as session:
            row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
            assert row.provider_id is not None and row.status == "queued"  # no news came
            provider_id = row.provider_id
        # The fake provider moves the SMS from sent to delivered on its own clock: wait for
        # it, so what the sweep reads is "delivered" however busy the machine is.
        _wait_for(lambda: getattr(twilio.fetch(provider_id), "status", None) == "delivered")
        assert sweep_once(runtime)["sms_status_fetched"] == 0  # too soon to ask
        with runtime.sessions() as session:
            session.execute(
                update(Message)
                .where(Message.our_id == our_id)
                .values(updated_at=utcnow() - CONFIRM_AFTER - timedelta(seconds=5))
            )
            session.commit()
        assert sweep_once(runtime)["sms_status_fetched"] == 1
        with runtime.sessions() as session:
            row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
            assert row.status == "delivered"  # what the provider says now
        assert sweep_once(runtime)["sms_status_fetched"] == 0
    finally:
        wiring.channels(runtime).install(None)
        closed.close()
        sandbox.stop()


def _wait_for(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    ends = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < ends, "the fake provider never delivered"
        time.sleep(0.05)
