"""The web process is killed (SIGKILL) between an inbound SMS's two steps: the volunteer's
"1" is stored and claimed, nothing else; the provider's retry, or else the worker's sweep,
does the second step, and the volunteer gets the acknowledgement exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from dispatch import services
from dispatch.clock import utcnow
from dispatch.models import Assignment, Message
from dispatch.services.unit_of_work import unit_of_work
from dispatch.worker import sweep_once
from notifications import inbound
from notifications.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SANDBOX_FROM_NUMBER
from tests.e2e.messaging.conftest import LiveSystem, _url_of, free_port
from tests.integration.messaging.test_inbound import age_claim

ROOT = Path(__file__).resolve().parents[3]


def _offer(live: LiveSystem, phone: str, days: int) -> int:
    start = (utcnow() + timedelta(days=days)).replace(microsecond=0)
    with live.runtime.sessions() as session:
        with unit_of_work(session):
            request = services.submit(
                session,
                services.SubmitRequest(phone=phone, kind="vneid", commune_code="UMT",
                                       hamlet_code="UMT-01", channel="sms"),
                utcnow(),
            ).request  # fmt: skip
        offer = services.OfferAssignment(
            request.id, live.world.volunteer_a, start, start + timedelta(minutes=45), None
        )
        with unit_of_work(session):
            return services.offer(session, offer, utcnow()).id


def _dying_web_process(live: LiveSystem, tmp_path: Path) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DATABASE_URL=live.settings.database_url,
        REDIS_URL=_url_of(live.runtime.redis),
        DOORSTEP_INSTANCE_PATH=str(tmp_path / "dying"),
        DOORSTEP_SECRET_KEY=live.settings.secret_key,
        DOORSTEP_PUBLIC_URL=url,
        DOORSTEP_QUIET_HOURS="",
        TWILIO_ACCOUNT_SID=SANDBOX_ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=SANDBOX_AUTH_TOKEN,
        TWILIO_FROM_NUMBER=SANDBOX_FROM_NUMBER,
        TWILIO_API_BASE_URL=live.sandbox.url,
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.messaging.serve_and_die", str(port)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child, url


def _killed_mid_message(live: LiveSystem, tmp_path: Path, body: str, sid: str) -> None:
    """Send ``body`` to a web process that dies between the steps; check it really died."""
    child, url = _dying_web_process(live, tmp_path)
    try:
        params = {
            "MessageSid": sid, "SmsSid": sid, "AccountSid": SANDBOX_ACCOUNT_SID,
            "From": live.world.volunteer_a_phone, "To": SANDBOX_FROM_NUMBER, "Body": body,
            "NumMedia": "0",
        }  # fmt: skip
        signature = RequestValidator(SANDBOX_AUTH_TOKEN).compute_signature(
            url + "/webhooks/twilio/sms", params
        )
        with pytest.raises(requests.ConnectionError):
            requests.post(url + "/webhooks/twilio/sms", data=params,
                          headers={"X-Twilio-Signature": signature}, timeout=30)  # fmt: skip
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)
        assert child.stdout is not None
        child.stdout.close()


def _inbound(live: LiveSystem, sid: str) -> Message:
    with live.runtime.sessions() as session:
        return session.scalars(select(Message).where(Message.provider_id == sid)).one()


def _status(live: LiveSystem, assignment_id: int) -> str:
    with live.runtime.sessions() as session:
        return str(session.get(Assignment, assignment_id).status)  # type: ignore[union-attr]


def _acks(live: LiveSystem) -> list[str]:
    return [b for b in live.sent_to(live.world.volunteer_a_phone) if b.startswith("Đã nhận")]


def test_killed_between_the_steps_the_retry_acknowledges_once(
    live: LiveSystem, tmp_path: Path
) -> None:
    assignment_id = _offer(live, "+84987000701", days=2)
    live.pump()
    _killed_mid_message(live, tmp_path, "1", "SMkill0001")

    stored = _inbound(live, "SMkill0001")
    assert (stored.status, stored.body) == ("handling", "1")  # step 1 committed
    assert _status(live, assignment_id) == "offered"  # step 2 never ran: nothing half done
    # The provider retries at once: maybe still being handled elsewhere, so nothing yet.
    assert live.post_sms(live.world.volunteer_a_phone, "1", "SMkill0001").status_code == 200
    live.pump()
    assert _acks(live) == [] and _inbound(live, "SMkill0001").status == "handling"
    # A retry after RECLAIM_AFTER redoes step 2.
    age_claim(live.runtime.sessions, "SMkill0001")
    assert live.post_sms(live.world.volunteer_a_phone, "1", "SMkill0001").status_code == 200
    live.pump()
    assert _status(live, assignment_id) == "accepted"
    assert len(_acks(live)) == 1 and _acks(live)[0].startswith("Đã nhận A: VNeID")
    assert live.sent_to("+84987000701")[-1].startswith("Hẹn")
    # Later copies, and the sweep, change nothing.
    live.post_sms(live.world.volunteer_a_phone, "1", "SMkill0001")
    assert inbound.sweep_unhandled(live.runtime) == 0
    live.pump()
    assert len(_acks(live)) == 1 and _inbound(live, "SMkill0001").status == "handled"


def test_killed_between_the_steps_without_a_retry_the_sweep_acknowledges_once(
    live: LiveSystem, tmp_path: Path
) -> None:
    first = _offer(live, "+84987000702", days=2)
    second = _offer(live, "+84987000703", days=3)
    live.pump()
    _killed_mid_message(live, tmp_path, "1B", "SMkill0002")
    assert (_status(live, first), _status(live, second)) == ("offered", "offered")
    age_claim(live.runtime.sessions, "SMkill0002")
    assert sweep_once(live.runtime)["sms_inbound_redone"] == 1
    live.pump()
    assert (_status(live, first), _status(live, second)) == ("offered", "accepted")
    assert [a[:10] for a in _acks(live)] == ["Đã nhận B:"]
    assert sweep_once(live.runtime)["sms_inbound_redone"] == 0
    live.pump()
    assert len(_acks(live)) == 1
