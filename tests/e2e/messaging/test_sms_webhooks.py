"""SMS webhooks over real HTTP: signatures, 50 concurrent duplicates, status callbacks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from dispatch.models import HelpRequest, Message
from tests.e2e.messaging.conftest import LiveSystem

RESIDENT = "+84987000555"


def _count(live: LiveSystem, model: type, *where: object) -> int:
    with live.runtime.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_forged_or_missing_signatures_are_refused_and_nothing_is_stored(
    live: LiveSystem,
) -> None:
    assert live.post_sms(RESIDENT, "giup vneid ap cong su", "SM1", signature="").status_code == 403
    forged = live.post_sms(RESIDENT, "giup vneid", "SM2", signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 403
    wrong_key = live.sign(
        "/webhooks/twilio/sms", {"MessageSid": "SM3", "From": RESIDENT}, token="not-the-token"
    )
    assert live.post_sms(RESIDENT, "help", "SM3", signature=wrong_key).status_code == 403
    status = requests.post(
        live.url + "/webhooks/twilio/status",
        data={"MessageSid": "SMx", "MessageStatus": "delivered"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert status.status_code == 403
    assert _count(live, Message) == 0


def test_signature_is_checked_against_the_public_url_behind_a_proxy(live: LiveSystem) -> None:
    client = live.app.test_client()
    params = {"MessageSid": "SMproxy", "From": RESIDENT, "To": "+84900000000", "Body": "help"}
    signature = live.sign("/webhooks/twilio/sms", params)
    # The proxy forwards to an internal address; the signature still holds.
    answer = client.post(
        "/webhooks/twilio/sms",
        data=params,
        headers={"X-Twilio-Signature": signature},
        base_url="http://10.0.0.7:8000",
    )
    assert answer.status_code == 200 and answer.mimetype == "text/xml"
    assert "<Response></Response>" in answer.get_data(as_text=True)


def test_fifty_concurrent_copies_make_one_request_and_one_reply(live: LiveSystem) -> None:
    def post(_: int) -> int:
        return int(live.post_sms(RESIDENT, "giup em cai vneid ap cong su", "SMdup50").status_code)

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(post, range(50)))
    assert codes == [200] * 50
    live.pump()
    assert _count(live, Message, Message.direction == "in") == 1
    assert _count(live, HelpRequest) == 1
    replies = live.sent_to(RESIDENT)
    assert len(replies) == 1 and replies[0].startswith("Đã nhận yêu cầu VNeID")


def test_status_callbacks_are_idempotent_and_never_move_backwards(live: LiveSystem) -> None:
    live.post_sms(RESIDENT, "help", "SMhelp")
    live.pump()
    with live.runtime.sessions() as session:
        reply = session.scalars(select(Message).where(Message.direction == "out")).one()
        # The sandbox called back queued -> sent -> delivered through the signed webhook.
        assert reply.status == "delivered" and reply.provider_id is not None
        our_id, sid = reply.our_id, reply.provider_id
        history = len(reply.status_history)

    def callback(status: str) -> int:
        params = {"MessageSid": sid, "MessageStatus": status, "To": RESIDENT}
        path = f"/webhooks/twilio/status?our_id={our_id}"
        signature = live.sign(path, params)
        answer = requests.post(
            live.url + path, data=params, headers={"X-Twilio-Signature": signature}
        )
        return answer.status_code

    assert [callback(s) for s in ("sent", "queued", "delivered", "delivered")] == [204] * 4
    with live.runtime.sessions() as session:
        again = session.scalars(select(Message).where(Message.our_id == our_id)).one()
        assert again.status == "delivered" and len(again.status_history) == history


def test_unsubscribed_number_gets_nothing_until_start(live: LiveSystem) -> None:
    live.sandbox.state.add_fault(RESIDENT, "21610", times=1)
    live.post_sms(RESIDENT, "help", "SMo1")
    live.pump()
    assert live.sent_to(RESIDENT) == []
    with live.runtime.sessions() as session:
        failed = session.scalars(select(Message).where(Message.direction == "out")).one()
        assert (failed.status, failed.error_code) == ("failed", "21610")
    live.post_sms(RESIDENT, "giup vneid ap cong su", "SMo2")
    live.post_sms(RESIDENT, "help", "SMo3")
    live.pump()
    assert live.sent_to(RESIDENT) == []  # opted out: nothing at all goes out
    assert _count(live, HelpRequest) == 1  # but the request itself is taken
    live.post_sms(RESIDENT, "START", "SMo4")
    live.post_sms(RESIDENT, "help", "SMo5")
    live.pump()
    sent = live.sent_to(RESIDENT)
    assert len(sent) == 2 and sent[0].startswith("Bạn sẽ nhận tin lại")
