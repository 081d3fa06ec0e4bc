"""Android gateway webhooks (sms:received, sms:delivered): signed with the phone's key."""

from __future__ import annotations

import json
import time
from dataclasses import replace

from sqlalchemy import select

from dispatch.models import Message
from dispatch.settings import AndroidGatewaySettings
from notifications.channels.android_gateway import compute_signature
from tests.e2e.messaging.conftest import LiveSystem

KEY = "gateway-signing-key-for-tests"
RESIDENT = "+84987000888"


def _post(live: LiveSystem, event: str, payload: dict[str, object], key: str = KEY):  # type: ignore[no-untyped-def]
    body = json.dumps({"event": event, "payload": payload, "id": "wh1"}).encode()
    stamp = str(int(time.time()))
    return live.app.test_client().post(
        "/webhooks/android-gateway",
        data=body,
        content_type="application/json",
        headers={"X-Signature": compute_signature(key, body, stamp), "X-Timestamp": stamp},
    )


def _run_inbound_jobs(live: LiveSystem) -> None:
    from rq import SimpleWorker

    from dispatch.queues import SERIALIZER

    queues = live.runtime.queues
    SimpleWorker([queues.events], connection=queues.connection, serializer=SERIALIZER).work(
        burst=True, logging_level="WARNING"
    )


def test_gateway_inbound_and_status(live: LiveSystem) -> None:
    gateway = AndroidGatewaySettings("http://phone.local:8080", "sms", "pw", KEY)
    live.app.config["DOORSTEP_SETTINGS"] = replace(live.settings, android_gateway=gateway)
    received = {
        "messageId": "gw-in-1",
        "phoneNumber": RESIDENT,
        "sender": RESIDENT,
        "message": "help",
        "receivedAt": "2026-12-01T08:00:00.000+07:00",
    }
    assert _post(live, "sms:received", received, key="wrong-key").status_code == 403
    with live.runtime.sessions() as session:
        assert session.scalars(select(Message)).all() == []
    assert _post(live, "sms:received", received).status_code == 204
    assert _post(live, "sms:received", received).status_code == 204  # a re-delivery
    _run_inbound_jobs(live)  # step 2 runs in a job (its reply's delivery is not run here)
    with live.runtime.sessions() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).all()
        assert [(m.channel, m.provider_id, m.body) for m in inbound] == [
            ("android_gateway", "gw-in-1", "help")
        ]
        reply = session.scalars(select(Message).where(Message.direction == "out")).one()
        assert reply.channel == "android_gateway" and reply.template == "help"
        our_id = reply.our_id
    # The gateway reports delivery with our id as its message id.
    assert (
        _post(live, "sms:delivered", {"messageId": our_id, "phoneNumber": RESIDENT}).status_code
        == 204
    )
    assert (
        _post(live, "sms:sent", {"messageId": our_id, "phoneNumber": RESIDENT}).status_code == 204
    )
    with live.runtime.sessions() as session:
        reply = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        assert reply.status == "delivered"
