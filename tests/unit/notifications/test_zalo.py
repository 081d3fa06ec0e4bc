"""Zalo pieces without I/O: settings, ZNS templates and their limits, the webhook signature,
error kinds, the night rule."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, time

import pytest

from dispatch.models import Commune
from dispatch.services.commune_settings import BadChannelOrder, parse_channel_order
from dispatch.settings import SettingsError, load_settings
from notifications.channels.zalo_zns import (
    NIGHT,
    NO_ZALO,
    QUOTA,
    TEMPLATE,
    TOKEN,
    verify_webhook,
    webhook_signature,
    zns_kind,
)
from notifications.policy import zalo_morning
from notifications.routing import next_sms_channel
from notifications.zalo_templates import ZNS_TEMPLATES, check_data, render_text, template_data

LONG = {
    "kind": "smartphone_basics",
    "ref": "ABCDEFGH",
    "hamlet": "Ấp Minh Thuận B Mở Rộng Phía Tây Sông Cái Lớn Gần Chợ Mới",
    "when": datetime(2026, 12, 2, 1, 30, tzinfo=UTC),
    "time": datetime(2026, 12, 2, 1, 30, tzinfo=UTC),
    "volunteer": "Nguyễn Thị Ngọc Bích Phượng Hoàng Yến Thanh Thảo",
    "code": "482913",
    "minutes": 10,
    "letter": "B",
}


@pytest.mark.parametrize("template", sorted(ZNS_TEMPLATES))
def test_every_zns_template_fits_zalo_limits_in_nfc_with_long_values(template: str) -> None:
    data = template_data(template, LONG)
    check_data(template, data)  # what Zalo checks (-112 otherwise)
    text = render_text(template, data)
    assert "<" not in text and len(text) <= 400
    assert unicodedata.is_normalized("NFC", text) and text != unicodedata.normalize("NFD", text)
    for value in data.values():
        assert unicodedata.is_normalized("NFC", value) and value


def test_template_data_maps_sms_values_and_cuts_to_the_limit() -> None:
    data = template_data("confirmation", LONG)
    assert data["when"] == "8h30 T4 2/12" and data["kind"] == "dùng điện thoại"
    assert len(data["volunteer"]) == 30 and data["volunteer"].endswith("…")
    with pytest.raises(ValueError, match="needs"):
        template_data("offer", {"kind": "vneid"})


def test_settings_need_every_zalo_credential_and_parse_templates() -> None:
    base = {"DOORSTEP_SECRET_KEY": "x" * 20, "DOORSTEP_INSTANCE_PATH": "/tmp/zalo-unit"}
    assert load_settings(base).zalo is None
    with pytest.raises(SettingsError, match="ZALO_OA_SECRET_KEY"):
        load_settings(
            {**base, "ZALO_APP_ID": "1", "ZALO_APP_SECRET": "s", "ZALO_REFRESH_TOKEN": "r"}
        )
    full = {
        **base,
        "ZALO_APP_ID": "1",
        "ZALO_APP_SECRET": "s",
        "ZALO_OA_SECRET_KEY": "o",
        "ZALO_REFRESH_TOKEN": "r",
        "ZALO_TEMPLATES": "offer:301234, thanks:301235",
        "ZALO_CONFIRM_SECONDS": "90",
    }
    settings = load_settings(full)
    assert settings.zalo is not None and settings.zalo.templates == {
        "offer": "301234",
        "thanks": "301235",
    }
    assert settings.zalo.api_url == "https://business.openapi.zalo.me"
    assert settings.zalo_timing.confirm_s == 90
    with pytest.raises(SettingsError, match="ZALO_TEMPLATES"):
        load_settings({**full, "ZALO_TEMPLATES": "offer=301234"})


def test_webhook_signature_is_sha256_of_app_body_timestamp_secret() -> None:
    body = json.dumps({"event_name": "user_received_message", "timestamp": "1700000000000"})
    raw = body.encode()
    signature = webhook_signature("app", raw, "1700000000000", "oa-secret")
    assert signature.startswith("mac=") and len(signature) == 4 + 64
    assert verify_webhook("app", "oa-secret", body=raw, signature=signature)
    assert verify_webhook("app", "oa-secret", body=raw, signature=signature[4:])
    assert not verify_webhook("app", "other", body=raw, signature=signature)
    assert not verify_webhook("app", "oa-secret", body=raw + b" ", signature=signature)
    assert not verify_webhook("app", "oa-secret", body=b"not json", signature=signature)


def test_error_codes_say_what_to_do() -> None:
    assert [zns_kind(c) for c in (-118, -108, -133, -115, -144, -131, -124)] == [
        NO_ZALO, NO_ZALO, NIGHT, QUOTA, QUOTA, TEMPLATE, TOKEN,
    ]  # fmt: skip
    assert zns_kind(-999) == TEMPLATE  # unknown: a person looks at it


def test_night_holds_until_six_or_the_end_of_quiet_hours() -> None:
    evening = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # 23:00 local
    assert zalo_morning(evening, None) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)  # 06:00
    quiet = (time(21, 0), time(7, 0))
    assert zalo_morning(evening, quiet) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)  # 07:00
    early = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)  # 04:30 local, same night
    assert zalo_morning(early, None) == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_channel_order_always_ends_on_sms() -> None:
    commune = Commune(code="X", sms_channel="android_gateway", channel_order="zalo")
    assert commune.channels == ["zalo", "android_gateway"]
    commune.channel_order = "zalo,android_gateway,twilio"
    assert next_sms_channel(commune, "zalo") == "android_gateway"
    assert next_sms_channel(commune, "android_gateway") == "twilio"
    assert next_sms_channel(commune, "twilio") is None
    assert parse_channel_order(" zalo , twilio ") == "zalo,twilio"
    for bad in ("zalo", "zalo,zalo,twilio", "viber,twilio"):
        with pytest.raises(BadChannelOrder):
            parse_channel_order(bad)
