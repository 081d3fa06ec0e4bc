"""The webhook's fast path: one INSERT ... ON CONFLICT DO NOTHING and a job; the job acts once
(its conditional claim), however many copies of the webhook or of the job there are."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from dispatch.models import HelpRequest, Message
from dispatch.runtime import Runtime
from notifications import inbound, inbound_accept
from notifications.channels import InMemoryChannel
from notifications.inbound import InboundSms
from tests.fixtures.web import WebWorld
from tests.integration.messaging.test_inbound import age_claim

Pump = Callable[..., int]
RESIDENT = "+84987000555"


def _sms(sid: str, body: str = "giup em cai vneid ap cong su") -> InboundSms:
    return InboundSms("twilio", sid, RESIDENT, "+84900000000", body)


def _count(runtime: Runtime, *where: object) -> int:
    with runtime.sessions() as session:
        query = select(func.count()).select_from(Message).where(*where)  # type: ignore[arg-type]
        return session.scalar(query) or 0


def test_copies_store_one_row_and_one_job(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    with runtime.sessions() as session:
        assert inbound_accept.accept(session, runtime.queues, _sms("SMfast1")) is True
        for _ in range(5):  # the provider's retries while the first is fresh: nothing more
            assert inbound_accept.accept(session, runtime.queues, _sms("SMfast1")) is False
    assert _count(runtime, Message.direction == "in") == 1
    assert runtime.queues.events.job_ids == ["inbound-1"]
    with runtime.sessions() as session:
        row = session.scalars(select(Message)).one()
        assert row.status == inbound.HANDLING  # stored and claimed, nothing acted on yet
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 0
    pump()
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 1
        assert session.scalars(select(Message).where(Message.direction == "in")).one().status == (
            inbound.HANDLED
        )
    assert len(channel.sent) == 1  # the acknowledgement, once
    # The job again (a duplicate, a retry): nothing more.
    assert inbound_accept.handle_inbound(1) == 0
    pump()
    assert len(channel.sent) == 1


def test_two_workers_racing_on_one_message_act_once(
    runtime: Runtime,
    world: WebWorld,
    channel: InMemoryChannel,
    pump: Pump,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with runtime.sessions() as session:
        inbound_accept.accept(session, runtime.queues, _sms("SMrace"))
    runtime.queues.events.empty()  # the job is lost; two sweeps/retries race instead
    caplog.set_level(logging.INFO, logger="notifications.inbound")
    replies: list[int] = []
    start = threading.Barrier(2)

    def step_two() -> None:
        with runtime.sessions() as session:
            row = session.scalars(select(Message).where(Message.provider_id == "SMrace")).one()
            start.wait()
            replies.append(len(inbound.handle(session, runtime.settings, row)))

    threads = [threading.Thread(target=step_two) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(replies) == 2  # both finished without an error
    lost = [r for r in caplog.records if "handled by another worker meanwhile" in r.getMessage()]
    assert len(lost) == 1  # one acted, the other's conditional claim found it handled
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 1
    pump()
    assert len(channel.sent) == 1


def test_a_dropped_message_is_taken_again_by_a_late_copy(
    runtime: Runtime, world: WebWorld, channel: InMemoryChannel, pump: Pump
) -> None:
    with runtime.sessions() as session:
        inbound_accept.accept(session, runtime.queues, _sms("SMlost"))
    runtime.queues.events.empty()  # the web died before the job was enqueued (or Redis lost it)
    age_claim(runtime.sessions, "SMlost")
    with runtime.sessions() as session:
        assert inbound_accept.accept(session, runtime.queues, _sms("SMlost")) is False
    assert runtime.queues.events.job_ids == ["inbound-1"]  # claimed again, handed to a job
    pump()
    assert len(channel.sent) == 1
    with runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HelpRequest)) == 1
