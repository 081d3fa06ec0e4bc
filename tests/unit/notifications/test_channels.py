import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from notifications.channels import InMemoryChannel, PermanentSendError, RetryableSendError
from notifications.channels.android_gateway import (
    compute_signature,
    verify_signature,
    verify_webhook,
)
from notifications.channels.twilio_channel import with_our_id

BODY = json.dumps(
    {"event": "sms:received", "payload": {"messageId": "abc", "message": "1",
                                          "phoneNumber": "+84912345678"}}
).encode()  # fmt: skip


def test_gateway_signature_is_hmac_sha256_of_body_and_timestamp():
    import hashlib
    import hmac

    expected = hmac.new(b"key", BODY + b"1764350000", hashlib.sha256).hexdigest()
    assert compute_signature("key", BODY, "1764350000") == expected


def test_gateway_signature_checks_key_body_and_age():
    ts = "1764350000"
    good = compute_signature("key", BODY, ts)
    now = 1764350000 + 10
    assert verify_signature("key", body=BODY, signature=good, timestamp=ts, now=now)
    assert verify_signature("key", body=BODY, signature=good.upper(), timestamp=ts, now=now)
    assert not verify_signature("other", body=BODY, signature=good, timestamp=ts, now=now)
    assert not verify_signature("key", body=BODY + b" ", signature=good, timestamp=ts, now=now)
    assert not verify_signature("key", body=BODY, signature=good, timestamp="1764350001", now=now)
    assert not verify_signature("key", body=BODY, signature=good, timestamp=ts, now=now + 3600)
    assert not verify_signature("key", body=BODY, signature="", timestamp=ts, now=now)
    assert not verify_signature("key", body=BODY, signature=good, timestamp="soon", now=now)


@dataclass
class _Gateway:
    signing_key: str | None


@dataclass
class _Settings:
    android_gateway: _Gateway | None


def test_verify_webhook_refuses_without_a_configured_key():
    import time

    ts = str(int(time.time()))
    signature = compute_signature("k", BODY, ts)
    assert verify_webhook(_Settings(_Gateway("k")), body=BODY, signature=signature, timestamp=ts)
    assert not verify_webhook(_Settings(_Gateway(None)), body=BODY, signature=signature,
                              timestamp=ts)  # fmt: skip
    assert not verify_webhook(_Settings(None), body=BODY, signature=signature, timestamp=ts)


def test_our_id_is_added_to_the_status_callback_url():
    assert with_our_id("https://x.vn/webhooks/twilio/status", "m 1") == (
        "https://x.vn/webhooks/twilio/status?our_id=m+1"
    )
    assert with_our_id("https://x.vn/s?a=1", "7") == "https://x.vn/s?a=1&our_id=7"


def test_in_memory_channel_records_and_fails_on_demand():
    channel = InMemoryChannel()
    first = channel.send("+84912345678", "ư" * 71, "m1", None)
    assert first.segments == 2 and channel.to("+84912345678")[0].body == "ư" * 71
    channel.fail_next(PermanentSendError("21610", code=21610))
    with pytest.raises(PermanentSendError) as caught:
        channel.send("+84912345678", "x", "m2", None)
    assert caught.value.opted_out and len(channel.sent) == 1


def test_in_memory_timeout_after_create_keeps_the_message_for_reconcile():
    channel = InMemoryChannel()
    since = datetime.now(UTC) - timedelta(seconds=1)
    channel.fail_next(RetryableSendError("read timeout", maybe_sent=True))
    with pytest.raises(RetryableSendError):
        channel.send("+84912345678", "x", "m3", None)
    found = channel.reconcile("m3", "+84912345678", "x", since)
    assert found is not None and channel.fetch(found.provider_id) == found
    assert channel.reconcile("m4", "+84912345678", "x", since) is None
