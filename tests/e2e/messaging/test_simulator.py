"""The phone simulator: only with the sandbox; a reply is a correctly signed inbound webhook."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from dispatch.models import HelpRequest, Message
from dispatch.settings import TwilioSettings
from tests.e2e.messaging.conftest import LiveSystem
from tests.fixtures.web import csrf_token_from, make_test_app

RESIDENT = "+84987000777"


def test_reply_as_a_resident_goes_through_the_signed_webhook(live: LiveSystem) -> None:
    client = live.app.test_client()
    index = client.get("/sandbox/phones/")
    assert index.status_code == 200
    token = csrf_token_from(index.get_data(as_text=True))
    opened = client.post(
        "/sandbox/phones/open", data={"phone": "0987 000 777", "csrf_token": token}
    )
    assert opened.status_code == 302 and opened.location.endswith(f"/sandbox/phones/{RESIDENT}")
    sent = client.post(
        f"/sandbox/phones/{RESIDENT}",
        data={"body": "giup em cai vneid ap cong su", "csrf_token": token},
    )
    assert sent.status_code == 302
    live.pump()
    with live.runtime.sessions() as session:
        inbound = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert inbound.provider_id and inbound.provider_id.startswith("SM")
        assert session.scalars(select(HelpRequest)).one().hamlet_code == "UMT-02"
    page = client.get(f"/sandbox/phones/{RESIDENT}").get_data(as_text=True)
    assert "giup em cai vneid ap cong su" in page
    assert "Đã nhận yêu cầu VNeID" in page  # the reply, as the sandbox delivered it
    assert "delivered" in page


def test_simulator_is_absent_with_real_twilio_credentials(
    fresh_database_url: str, tmp_path: Path
) -> None:
    app = make_test_app(fresh_database_url, tmp_path / "instance")
    settings = app.config["DOORSTEP_SETTINGS"]
    real = replace(
        settings, twilio=TwilioSettings("AC" + "1" * 32, "real-token", "+15005550006", None, None)
    )
    app.config["DOORSTEP_SETTINGS"] = real
    assert app.test_client().get("/sandbox/phones/").status_code == 404
    app.extensions["doorstep.runtime"].close()
