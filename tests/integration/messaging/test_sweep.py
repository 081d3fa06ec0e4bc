"""The worker's sweep restarts SMS whose delivery job was lost, without sending twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update

from dispatch.clock import utcnow
from dispatch.models import Message
from dispatch.runtime import Runtime
from dispatch.worker import sweep_once
from notifications.channels import InMemoryChannel
from notifications.delivery import STUCK_AFTER
from notifications.outbound import Outgoing, queue_sms
from tests.fixtures.web import WebWorld

Pump = Callable[..., int]
PHONE = "+84987000999"


def _stored_but_never_enqueued(runtime: Runtime, cause: str, **values: object) -> str:
    """A committed Message whose delivery job never reached Redis (e.g. Redis was down)."""
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
            .values(updated_at=utcnow() - STUCK_AFTER - timedelta(minutes=1), **values)
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


def test_sweep_after_a_worker_died_mid_send_does_not_send_twice(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    # The worker claimed attempt 1 and the provider created the SMS, then the worker died.
    our_id = _stored_but_never_enqueued(runtime, "sweep:2", status="sending", attempts=1)
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        channel.send(row.peer_phone, row.body, our_id, None)
    assert sweep_once(runtime)["sms_restarted"] == 1
    pump()
    assert len(channel.sent) == 1
    with runtime.sessions() as session:
        row = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        assert row.provider_id == channel.sent[0].provider_id and row.attempts == 2
