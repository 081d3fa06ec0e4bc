"""AndroidGatewayChannel (the android-sms-gateway client library) against a fake gateway."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifications.channels import PermanentSendError, RetryableSendError
from notifications.channels.android_gateway import AndroidGatewayChannel
from tests.integration.notifications.fake_android_gateway import start_fake_gateway


@pytest.fixture
def gateway():
    fake, server = start_fake_gateway("sms", "secret-pw")
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def channel(gateway):
    return AndroidGatewayChannel(gateway.url, "sms", "secret-pw", timeout_s=10)


def test_send_uses_our_id_and_the_library_wire_format(channel, gateway):
    result = channel.send("+84912345678", "Bạn ở ấp nào?", "msg-42", "ignored")
    assert (result.provider_id, result.status) == ("msg-42", "Pending")
    sent = gateway.requests[0]
    assert sent["id"] == "msg-42" and sent["phoneNumbers"] == ["+84912345678"]
    assert sent["textMessage"] == {"text": "Bạn ở ấp nào?"} and sent["withDeliveryReport"]


def test_fetch_and_reconcile_by_our_id(channel):
    channel.send("+84912345678", "x", "msg-7", None)
    found = channel.reconcile("msg-7", "+84912345678", "x", datetime.now(UTC))
    assert found is not None and found.to == "+84912345678" and found.status == "Pending"
    assert channel.fetch("never-sent") is None


@pytest.mark.parametrize(
    "status,error", [(500, RetryableSendError), (503, RetryableSendError),
                     (429, RetryableSendError), (400, PermanentSendError)]
)  # fmt: skip
def test_errors_map_to_retryable_or_permanent(channel, gateway, status, error):
    gateway.next_status.append(status)
    with pytest.raises(error):
        channel.send("+84912345678", "x", "m", None)


def test_wrong_password_is_permanent(gateway):
    channel = AndroidGatewayChannel(gateway.url, "sms", "wrong")
    with pytest.raises(PermanentSendError):
        channel.send("+84912345678", "x", "m", None)


def test_unreachable_phone_is_retryable_and_not_sent():
    channel = AndroidGatewayChannel("http://127.0.0.1:9", "sms", "pw", timeout_s=0.5)
    with pytest.raises(RetryableSendError) as caught:
        channel.send("+84912345678", "x", "m", None)
    assert not caught.value.maybe_sent
