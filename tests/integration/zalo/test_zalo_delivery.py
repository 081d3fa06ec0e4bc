"""Zalo delivery through the real path: queue_sms, RQ delivery jobs, the httpx ZNS client
against the fake Zalo over HTTP, its signed receipts through the Flask app, SMS fallback
through the real twilio SDK against the fake Twilio."""

from __future__ import annotations

from tests.integration.zalo.conftest import NO_ZALO_PHONE, ZALO_PHONE, ZaloSystem


def test_zns_sent_and_confirmed_by_the_signed_receipt(zsys: ZaloSystem) -> None:
    our_id = zsys.queue(ZALO_PHONE)
    zsys.pump()
    zsys.wait_for(lambda: zsys.messages(ZALO_PHONE)[0].status == "delivered")
    [message] = zsys.messages(ZALO_PHONE)
    [zns] = zsys.zalo.state.snapshot()
    assert message.our_id == our_id and message.channel == "zalo"
    assert message.provider_id == zns.msg_id and zns.tracking_id == our_id
    assert message.segments == 0 and message.template_data == {"kind": "VNeID", "ref": "ABC234"}
    assert zsys.zns_to(ZALO_PHONE) == [
        "Cảm ơn bạn! Việc hỗ trợ VNeID (mã ABC234) đã xong. Cần giúp thêm, bạn cứ nhắn tin."
    ]
    assert zsys.sms_to(ZALO_PHONE) == []


def test_number_without_zalo_gets_the_sms_at_once(zsys: ZaloSystem) -> None:
    zsys.queue(NO_ZALO_PHONE)
    zsys.pump()
    zalo_row, sms_row = zsys.messages(NO_ZALO_PHONE)
    assert (zalo_row.channel, zalo_row.status, zalo_row.error_code) == ("zalo", "replaced", "-118")
    assert sms_row.channel == "twilio" and sms_row.fallback_of_id == zalo_row.id
    assert sms_row.status in ("sent", "delivered") and sms_row.segments == 1
    assert zsys.sms_to(NO_ZALO_PHONE) == [sms_row.body] and zsys.zns_to(NO_ZALO_PHONE) == []


def test_phone_simulator_shows_zalo_and_sms_side_by_side(zsys: ZaloSystem) -> None:
    zsys.queue(NO_ZALO_PHONE, cause="a")  # Zalo refused, SMS carried it
    zsys.queue(ZALO_PHONE, cause="b")
    zsys.pump()
    page = zsys.app.test_client().get(f"/sandbox/phones/{NO_ZALO_PHONE}").get_data(as_text=True)
    sms_part, zalo_part = page.split("Thông báo Zalo (ZNS)", 1)
    assert "Cảm ơn bạn! Việc VNeID (ABC234) đã xong." in sms_part
    assert (
        "replaced" in zalo_part and "-118" in zalo_part and "đã gửi bằng SMS thay thế" in zalo_part
    )
    page = zsys.app.test_client().get(f"/sandbox/phones/{ZALO_PHONE}").get_data(as_text=True)
    assert "Việc hỗ trợ VNeID (mã ABC234) đã xong" in page.split("Thông báo Zalo (ZNS)", 1)[1]
