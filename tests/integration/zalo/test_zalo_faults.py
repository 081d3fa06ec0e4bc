"""Every ZNS answer that is not a plain success, through the real path (see conftest)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import requests
from sqlalchemy import select

from dispatch.clock import to_local, utcnow
from dispatch.models import ChannelAlert, ZaloAccount, ZaloReceipt
from notifications import wiring
from notifications.channels.zalo_zns import webhook_signature
from notifications.sandbox.zalo_constants import (
    SANDBOX_ZALO_APP_ID,
    SANDBOX_ZALO_OA_SECRET,
    SANDBOX_ZALO_TEMPLATES,
)
from notifications.zalo_account import DbTokenSource
from tests.integration.zalo.conftest import ZALO_PHONE, ZaloSystem

OTHER = "+84987000116"


def _ended_by_sms(zsys: ZaloSystem, phone: str, code: str) -> None:
    zalo_row, sms_row = zsys.messages(phone)
    assert (zalo_row.status, zalo_row.error_code) == ("replaced", code)
    assert sms_row.channel == "twilio" and zsys.sms_to(phone) == [sms_row.body]


def test_invalid_number_and_cannot_receive_fall_back_now(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "-108")
    zsys.zalo.state.add_fault(OTHER[1:], "-119")
    zsys.queue(ZALO_PHONE)
    zsys.queue(OTHER)
    zsys.pump()
    _ended_by_sms(zsys, ZALO_PHONE, "-108")
    _ended_by_sms(zsys, OTHER, "-119")
    assert zsys.zalo.state.snapshot() == []


def test_night_sends_urgent_by_sms_and_holds_the_rest_until_six(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "-133")
    zsys.zalo.state.add_fault(OTHER[1:], "-133")
    zsys.queue(ZALO_PHONE, "sign_in_code", code="482913", minutes=10)  # urgent
    zsys.queue(OTHER)  # a thank-you can wait
    zsys.pump()
    _ended_by_sms(zsys, ZALO_PHONE, "-133")
    [held] = zsys.messages(OTHER)
    assert held.status == "queued" and held.send_after is not None
    morning = to_local(held.send_after)
    assert (morning.hour, morning.minute) == (6, 0) and held.send_after > utcnow()
    assert held.send_after - utcnow() <= timedelta(hours=24)
    assert zsys.sms_to(OTHER) == [] and zsys.zns_to(OTHER) == []


def test_quota_sends_sms_for_the_rest_of_the_day(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "-144")
    zsys.queue(ZALO_PHONE)
    zsys.pump()
    _ended_by_sms(zsys, ZALO_PHONE, "-144")
    zsys.queue(OTHER)  # has Zalo, but the OA is spent today: not even tried
    zsys.pump()
    _ended_by_sms(zsys, OTHER, "quota")
    assert zsys.zalo.state.snapshot() == []
    with zsys.runtime.sessions() as session:
        account = session.get(ZaloAccount, SANDBOX_ZALO_APP_ID)
        assert account is not None and account.quota_out_on == to_local(utcnow()).date()


def test_template_not_approved_alerts_the_panel(zsys: ZaloSystem) -> None:
    zsys.zalo.state.rejected_templates.add(SANDBOX_ZALO_TEMPLATES["thanks"])
    zsys.queue(ZALO_PHONE, cause="a")
    zsys.queue(OTHER, cause="b")
    zsys.pump()
    _ended_by_sms(zsys, ZALO_PHONE, "-131")
    with zsys.runtime.sessions() as session:
        [alert] = session.scalars(select(ChannelAlert)).all()
    assert (alert.kind, alert.key, alert.count) == ("zalo_template", "thanks", 2)
    assert "-131" in alert.detail


def test_timeout_after_create_is_confirmed_by_receipt_never_resent(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "timeout")
    zsys.zalo.state.receipt_delay_s = 3.0  # after our 2 s timeout, within the 2 s window
    our_id = zsys.queue(ZALO_PHONE)
    zsys.pump(wait_scheduled_s=3)
    [message] = zsys.messages(ZALO_PHONE)
    assert message.status == "delivered" and message.our_id == our_id
    assert [h["status"] for h in message.status_history].count("unconfirmed") == 1
    assert len(zsys.zns_to(ZALO_PHONE)) == 1 and zsys.sms_to(ZALO_PHONE) == []


def test_lost_send_goes_by_sms_after_the_confirmation_window(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "lost")
    zsys.queue(ZALO_PHONE)
    zsys.pump(wait_scheduled_s=3)
    _ended_by_sms(zsys, ZALO_PHONE, "unconfirmed")
    assert zsys.zns_to(ZALO_PHONE) == []


def test_zalo_trouble_is_retried_then_sent(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "-100")
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "500")
    zsys.queue(ZALO_PHONE)
    zsys.pump(wait_scheduled_s=2)
    [message] = zsys.messages(ZALO_PHONE)
    assert message.status in ("sent", "delivered") and message.attempts == 3
    assert len(zsys.zns_to(ZALO_PHONE)) == 1 and zsys.sms_to(ZALO_PHONE) == []


def test_rejected_token_is_refreshed_once_and_the_send_retried(zsys: ZaloSystem) -> None:
    zsys.queue(ZALO_PHONE, cause="1")
    zsys.pump()
    zsys.zalo.state.revoke_tokens()  # the token dies before its 25 h
    zsys.queue(OTHER, cause="2")
    zsys.pump()
    assert len(zsys.zns_to(OTHER)) == 1 and zsys.sms_to(OTHER) == []
    assert [r.replaced for r in zsys.zalo.state.refreshes] == ["none", "revoked"]
    assert zsys.zalo.state.rejected_tokens == 1 and zsys.zalo.state.reused_refresh_tokens == 0


def test_many_workers_refresh_a_rejected_token_once(zsys: ZaloSystem) -> None:
    zalo = wiring.zalo_settings(zsys.settings)
    assert zalo is not None
    channel = wiring.build_zalo_channel(zsys.runtime, zalo)
    first = channel.tokens.access_token()
    zsys.zalo.state.revoke_tokens()
    got: list[str] = []

    def worker() -> None:  # each with its own source, client and sessions, like a process
        source = DbTokenSource(
            zsys.runtime.sessions,
            zsys.runtime.redis,
            wiring.build_zalo_channel(zsys.runtime, zalo).client,
            first_refresh_token=zalo.refresh_token,
        )
        got.append(source.after_rejection(first))

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(got) == 6 and len(set(got)) == 1 and first not in got
    assert [r.replaced for r in zsys.zalo.state.refreshes] == ["none", "revoked"]
    with zsys.runtime.sessions() as session:
        account = session.get(ZaloAccount, zalo.app_id)
        assert account is not None and account.refreshes == 2 and account.access_token == got[0]
    channel.client.close()


def _post(zsys: ZaloSystem, body: bytes, signature: str) -> int:
    headers = {"Content-Type": "application/json", "X-ZEvent-Signature": signature}
    return requests.post(zsys.url + "/webhooks/zalo", data=body, headers=headers).status_code


def test_forged_receipts_are_refused_and_repeats_change_nothing(zsys: ZaloSystem) -> None:
    zsys.zalo.state.add_fault(ZALO_PHONE[1:], "offline")  # created, no receipt of its own
    our_id = zsys.queue(ZALO_PHONE)
    zsys.pump()
    [zns] = zsys.zalo.state.snapshot()
    stamp = "1767225600000"
    event = {
        "app_id": SANDBOX_ZALO_APP_ID,
        "event_name": "user_received_message",
        "message": {"msg_id": zns.msg_id, "tracking_id": our_id, "delivery_time": stamp},
        "timestamp": stamp,
    }
    body = json.dumps(event).encode()
    good = webhook_signature(SANDBOX_ZALO_APP_ID, body, stamp, SANDBOX_ZALO_OA_SECRET)
    forged = webhook_signature(SANDBOX_ZALO_APP_ID, body, stamp, "not-the-oa-secret")
    assert _post(zsys, body, forged) == 403
    assert _post(zsys, body, "") == 403
    assert _post(zsys, body.replace(b"user_received", b"user_receivex"), good) == 403
    assert zsys.messages(ZALO_PHONE)[0].status == "sent"
    assert _post(zsys, body, good) == 200
    [message] = zsys.messages(ZALO_PHONE)
    history = list(message.status_history)
    assert message.status == "delivered"
    assert _post(zsys, body, good) == 200  # Zalo repeats itself
    assert zsys.messages(ZALO_PHONE)[0].status_history == history
    with zsys.runtime.sessions() as session:
        assert len(session.scalars(select(ZaloReceipt)).all()) == 1


def test_a_refused_refresh_token_alerts_the_panel_and_sms_carries_on(zsys: ZaloSystem) -> None:
    zsys.queue(ZALO_PHONE, cause="1")
    zsys.pump()
    with zsys.runtime.sessions() as session:
        account = session.get(ZaloAccount, SANDBOX_ZALO_APP_ID)
        assert account is not None
        account.refresh_token = "rt.revoked-by-the-oa.0000"  # e.g. the OA removed the app
        session.commit()
    zsys.zalo.state.revoke_tokens()
    zsys.queue(OTHER, cause="2")
    zsys.pump(wait_scheduled_s=3)
    _ended_by_sms(zsys, OTHER, "gave-up:-14014")  # the OAuth refusal
    with zsys.runtime.sessions() as session:
        [alert] = session.scalars(select(ChannelAlert)).all()
    assert alert.kind == "zalo_token" and alert.count >= 1
