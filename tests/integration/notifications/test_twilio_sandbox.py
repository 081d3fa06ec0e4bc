"""The real twilio SDK (through TwilioChannel) against the sandbox on a real port."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from notifications.channels import PermanentSendError, RetryableSendError
from notifications.channels.twilio_channel import TwilioChannel
from notifications.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SANDBOX_FROM_NUMBER
from tests.integration.notifications.conftest import sandbox_channel

RESIDENT = "+84912345678"


def _wait(predicate, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def test_create_returns_twilio_shape_and_fetch_sees_it(channel, sandbox):
    result = channel.send(RESIDENT, "Bạn ở ấp nào?", "msg-1", None)
    assert result.provider_id.startswith("SM") and len(result.provider_id) == 34
    assert result.status == "queued"
    assert result.segments == 1
    fetched = channel.fetch(result.provider_id)
    assert fetched is not None and fetched.body == "Bạn ở ấp nào?" and fetched.to == RESIDENT
    raw = sandbox.state.get(result.provider_id).to_json()
    assert raw["date_created"].endswith("+0000") and raw["uri"].endswith(".json")
    assert raw["api_version"] == "2010-04-01" and raw["direction"] == "outbound-api"


def test_fetch_unknown_message_is_none(channel):
    assert channel.fetch("SM" + "0" * 32) is None


def test_long_vietnamese_body_counts_segments(channel):
    assert channel.send(RESIDENT, "ư" * 71, "msg-2", None).segments == 2


def test_list_filters_by_to_and_follows_pages(channel, sandbox):
    for i in range(7):
        channel.send(RESIDENT, f"tin {i}", f"m{i}", None)
    channel.send("+84987654321", "khác", "other", None)
    client = channel.client
    assert len(client.messages.list(to=RESIDENT, page_size=3)) == 7  # three pages
    assert len(client.messages.list(from_=SANDBOX_FROM_NUMBER)) == 8
    first = client.messages.page(to=RESIDENT, page_size=3)
    assert len(list(first)) == 3 and first.next_page() is not None
    assert {m.body for m in client.messages.list(to="+84987654321")} == {"khác"}


def test_wrong_credentials_get_twilio_401(sandbox):
    client = Client(SANDBOX_ACCOUNT_SID, "wrong-token")
    client.api.base_url = sandbox.url
    with pytest.raises(TwilioRestException) as caught:
        client.messages.create(to=RESIDENT, from_=SANDBOX_FROM_NUMBER, body="x")
    assert caught.value.status == 401 and caught.value.code == 20003
    assert sandbox.state.snapshot() == []


def test_invalid_number_is_21211_permanent(channel):
    with pytest.raises(PermanentSendError) as caught:
        channel.send("0912345678", "x", "m", None)  # not E.164
    assert caught.value.code == 21211


@pytest.mark.parametrize(
    "fault,error_type,code",
    [
        ("429", RetryableSendError, 20429),
        ("500", RetryableSendError, 20500),
        ("21211", PermanentSendError, 21211),
        ("21408", PermanentSendError, 21408),
        ("21610", PermanentSendError, 21610),
        ("21614", PermanentSendError, 21614),
    ],
)
def test_injected_faults_map_to_retryable_or_permanent(channel, sandbox, fault, error_type, code):
    sandbox.state.add_fault(RESIDENT, fault, times=1)
    with pytest.raises(error_type) as caught:
        channel.send(RESIDENT, "x", "m", None)
    assert caught.value.code == code
    assert sandbox.state.snapshot() == []  # nothing was created
    assert channel.send(RESIDENT, "x", "m", None).status == "queued"  # fault used up


def test_unsubscribed_recipient_is_flagged_opted_out(channel, sandbox):
    sandbox.state.add_fault(RESIDENT, "21610")
    with pytest.raises(PermanentSendError) as caught:
        channel.send(RESIDENT, "x", "m", None)
    assert caught.value.opted_out


def test_admin_endpoint_injects_faults(channel, sandbox):
    requests.post(
        f"{sandbox.url}/_sandbox/faults", json={"number": "*", "fault": "500", "times": 2}
    ).raise_for_status()
    for _ in range(2):
        with pytest.raises(RetryableSendError):
            channel.send(RESIDENT, "x", "m", None)
    channel.send(RESIDENT, "x", "m", None)
    listed = requests.get(f"{sandbox.url}/_sandbox/messages").json()["messages"]
    assert len(listed) == 1 and "our_id=m" in listed[0]["status_callback"]


def test_connection_refused_is_retryable_and_not_sent():
    channel = TwilioChannel(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        public_url="http://127.0.0.1:9",
        from_number=SANDBOX_FROM_NUMBER,
        api_base_url="http://127.0.0.1:9",  # discard port: nothing listens
        timeout_s=0.5,
    )
    with pytest.raises(RetryableSendError) as caught:
        channel.send(RESIDENT, "x", "m", None)
    assert not caught.value.maybe_sent


def test_timeout_after_create_is_retryable_and_reconcile_finds_the_message(
    channel, sandbox, callback_sink
):
    since = datetime.now(UTC) - timedelta(seconds=1)
    sandbox.state.add_fault(RESIDENT, "timeout", times=1)
    impatient = sandbox_channel(sandbox, callback_sink.url, 0.5)  # the sandbox answers at 1.5 s
    with pytest.raises(RetryableSendError) as caught:
        impatient.send(RESIDENT, "Hẹn 8h30 T3", "msg-77", None)
    assert caught.value.maybe_sent
    assert len(sandbox.state.snapshot()) == 1  # the provider did create it
    found = channel.reconcile("msg-77", RESIDENT, "Hẹn 8h30 T3", since)
    assert found is not None and found.provider_id == sandbox.state.snapshot()[0].sid
    assert channel.reconcile("msg-78", RESIDENT, "another body", since) is None


def test_status_callbacks_are_signed_and_go_queued_sent_delivered(channel, sandbox, callback_sink):
    result = channel.send(RESIDENT, "Cảm ơn bạn!", "msg-9", None)
    _wait(lambda: callback_sink.statuses() == ["queued", "sent", "delivered"])
    validator = RequestValidator(SANDBOX_AUTH_TOKEN)
    for url, form, headers in callback_sink.received:
        assert urlsplit(url).path == "/webhooks/twilio/status"
        assert parse_qs(urlsplit(url).query) == {"our_id": ["msg-9"]}
        assert form["MessageSid"] == result.provider_id and form["To"] == RESIDENT
        assert validator.validate(url, form, headers["X-Twilio-Signature"])
        assert not RequestValidator("other-token").validate(
            url, form, headers["X-Twilio-Signature"]
        )
    assert channel.fetch(result.provider_id).status == "delivered"


def test_messaging_service_sender_starts_accepted(sandbox, callback_sink):
    channel = TwilioChannel(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        public_url=callback_sink.url,
        messaging_service_sid="MG" + "1" * 32,
        api_base_url=sandbox.url,
    )
    assert channel.send(RESIDENT, "x", "m", None).status == "accepted"


def test_undelivered_fault_reports_the_carrier_error(channel, sandbox, callback_sink):
    sandbox.state.add_fault(RESIDENT, "undelivered", times=1)
    result = channel.send(RESIDENT, "x", "msg-u", None)
    assert result.status == "queued"  # the create itself succeeds
    _wait(lambda: callback_sink.statuses() == ["queued", "sent", "undelivered"])
    assert callback_sink.received[-1][1]["ErrorCode"] == "30003"
    fetched = channel.fetch(result.provider_id)
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)


def test_callbacks_can_be_replayed_out_of_order(channel, sandbox, callback_sink):
    result = channel.send(RESIDENT, "x", "msg-r", None)
    _wait(lambda: len(callback_sink.received) == 3)
    requests.post(
        f"{sandbox.url}/_sandbox/messages/{result.provider_id}/callback", json={"status": "sent"}
    ).raise_for_status()
    sandbox.state.replay_callback(result.provider_id)  # a duplicate of "delivered"
    assert callback_sink.statuses() == ["queued", "sent", "delivered", "sent", "delivered"]
    url, form, headers = callback_sink.received[-2]
    assert RequestValidator(SANDBOX_AUTH_TOKEN).validate(url, form, headers["X-Twilio-Signature"])


def test_fifty_concurrent_sends_get_fifty_distinct_messages(channel, sandbox):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(
            pool.map(lambda i: channel.send(RESIDENT, f"tin {i}", f"c{i}", None), range(50))
        )
    assert len({r.provider_id for r in results}) == 50
    assert len(channel.client.messages.list(to=RESIDENT)) == 50
    sandbox.state.wait_idle()
