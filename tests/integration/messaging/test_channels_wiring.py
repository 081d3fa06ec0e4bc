"""Which channel carries a commune's SMS, and what happens when it is not configured."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from sqlalchemy import select

from dispatch.models import Commune, Message
from dispatch.runtime import Runtime
from dispatch.settings import TwilioSettings
from notifications import wiring
from notifications.channels.twilio_channel import TwilioChannel
from notifications.outbound import Outgoing, enqueue_delivery, queue_sms
from tests.fixtures.web import WebWorld

Pump = Callable[..., int]
REAL = TwilioSettings("AC" + "1" * 32, "real-token", "+15005550006", None, None)


def test_sandbox_carries_every_commune_when_no_gateway_is_set(runtime: Runtime) -> None:
    channel = wiring.channels(runtime).channel_for("android_gateway")
    assert isinstance(channel, TwilioChannel)
    assert wiring.sandbox_in_use(runtime.settings)
    runtime.settings = replace(runtime.settings, twilio=REAL)
    assert not wiring.sandbox_in_use(runtime.settings)
    with pytest.raises(wiring.ChannelUnavailable):
        wiring.channels(runtime).channel_for("android_gateway")


def test_unconfigured_channel_fails_the_message_for_the_coordinator(
    runtime: Runtime, world: WebWorld, pump: Pump
) -> None:
    runtime.settings = replace(runtime.settings, twilio=REAL)
    with runtime.sessions() as session:
        commune = session.get(Commune, "UMT")
        assert commune is not None
        commune.sms_channel = "android_gateway"
        message = queue_sms(
            session,
            runtime.settings,
            Outgoing(
                "+84987000123", "thanks", {"kind": "vneid", "ref": "R"}, "w:1", commune_code="UMT"
            ),
        )
        session.commit()
    enqueue_delivery(runtime.queues, [message])
    pump()
    with runtime.sessions() as session:
        row = session.scalars(select(Message)).one()
        assert (row.channel, row.status, row.error_code) == (
            "android_gateway",
            "failed",
            "no_channel",
        )
