"""Coordinator panel for the Zalo channel: the cost ledger and alerts on the dashboard, the
per-commune channel order (scoped, audited, validated)."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from dispatch.clock import utcnow
from dispatch.models import AuditLog, ChannelAlert, Commune, Message
from tests.fixtures.web import WebWorld, csrf_token_from


def _sent(app: Flask, commune: str, channel: str, segments: int, n: int, days_ago: int = 0) -> None:
    at = utcnow() - timedelta(days=days_ago)
    with app.extensions["doorstep.runtime"].sessions() as session:
        for i in range(n):
            session.add(
                Message(
                    our_id=f"{commune}-{channel}-{days_ago}-{i}",
                    direction="out",
                    channel=channel,
                    peer_phone="+84987000111",
                    body="x",
                    segments=segments,
                    status="delivered",
                    provider_id=f"P-{commune}-{channel}-{days_ago}-{i}",
                    commune_code=commune,
                    created_at=at,
                )
            )
        session.add(  # never accepted by the provider: costs nothing, not in the ledger
            Message(
                our_id=f"{commune}-{channel}-{days_ago}-failed",
                direction="out",
                channel=channel,
                peer_phone="+84987000111",
                body="x",
                segments=segments,
                status="replaced",
                commune_code=commune,
                created_at=at,
            )
        )
        session.commit()


def test_dashboard_ledger_counts_messages_and_segments_by_channel_and_day(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    _sent(app, "UMT", "zalo", 0, 3)
    _sent(app, "UMT", "twilio", 2, 2)
    _sent(app, "UMT", "android_gateway", 1, 1, days_ago=1)
    _sent(app, "VK", "twilio", 1, 5)  # another commune: not this coordinator's
    page = coordinator_client.get("/c/dashboard").get_data(as_text=True)
    assert "Sổ chi phí" in page and "Zalo (ZNS)" in page and "SMS (Twilio)" in page
    csv_text = coordinator_client.get("/c/dashboard.csv").get_data(as_text=True)
    rows = [line.split(",") for line in csv_text.splitlines()]
    ledger = {(r[0], r[1].split("/", 1)[1]): int(r[2]) for r in rows if r[0].startswith("ledger")}
    assert ledger == {
        ("ledger_messages", "UMT/zalo"): 3,
        ("ledger_sms_segments", "UMT/zalo"): 0,
        ("ledger_messages", "UMT/twilio"): 2,
        ("ledger_sms_segments", "UMT/twilio"): 4,
        ("ledger_messages", "UMT/android_gateway"): 1,
        ("ledger_sms_segments", "UMT/android_gateway"): 1,
    }
    days = {r[1].split("/")[0] for r in rows if r[0] == "ledger_messages"}
    assert len(days) == 2


def test_dashboard_shows_a_zalo_template_alert(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    with app.extensions["doorstep.runtime"].sessions() as session:
        now = utcnow()
        session.add(
            ChannelAlert(
                kind="zalo_template", key="confirmation", detail="Zalo error -131: Template "
                "not approved", count=4, first_at=now, last_at=now,
            )
        )  # fmt: skip
        session.commit()
    page = coordinator_client.get("/c/dashboard").get_data(as_text=True)
    assert 'role="alert"' in page and "confirmation" in page and "-131" in page


def test_channel_order_is_saved_audited_validated_and_scoped(
    app: Flask, coordinator_client: FlaskClient, web_world: WebWorld
) -> None:
    page = coordinator_client.get("/c/communes").get_data(as_text=True)
    assert "U Minh Thượng" in page and "Vân Khánh" not in page
    token = csrf_token_from(page)
    order = {"channel_order": "zalo,android_gateway,twilio", "csrf_token": token}
    assert coordinator_client.post("/c/communes/UMT", data=order).status_code == 302
    assert coordinator_client.post("/c/communes/VK", data=order).status_code == 404
    bad = {"channel_order": "zalo", "csrf_token": token}  # nothing to fall back on
    answer = coordinator_client.post("/c/communes/UMT", data=bad, follow_redirects=True)
    assert "Chưa lưu" in answer.get_data(as_text=True)
    forged = {"channel_order": "twilio"}  # no CSRF token
    assert coordinator_client.post("/c/communes/UMT", data=forged).status_code == 400
    with app.extensions["doorstep.runtime"].sessions() as session:
        commune = session.get(Commune, "UMT")
        assert commune is not None and commune.channel_order == "zalo,android_gateway,twilio"
        assert commune.channels == ["zalo", "android_gateway", "twilio"]
        [audit] = session.scalars(select(AuditLog).where(AuditLog.action == "set_channel_order"))
        assert audit.after == {"channel_order": "zalo,android_gateway,twilio"}
