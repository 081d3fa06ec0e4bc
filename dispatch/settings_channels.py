"""The SMS and Zalo providers' settings: each one is all set or all unset, never half.

Read by ``dispatch.settings.load_settings``; a bad value is a ``SettingsError`` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlparse


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    from_number: str | None
    messaging_service_sid: str | None
    api_base_url: str | None


@dataclass(frozen=True)
class AndroidGatewaySettings:
    url: str  # the phone's local API or the cloud server, e.g. https://api.sms-gate.app/3rdparty/v1
    login: str
    password: str
    signing_key: str | None  # HMAC key of the phone's signed webhooks


@dataclass(frozen=True)
class ZaloSettings:
    """A Zalo Official Account's app, for template messages (ZNS) by phone number."""

    app_id: str
    app_secret: str  # the app's secret key: the ``secret_key`` header of the OAuth calls
    oa_secret_key: str  # the OA's secret key: signs the webhooks (X-ZEvent-Signature)
    refresh_token: str  # the first refresh token; the database keeps the current one
    oauth_url: str = "https://oauth.zaloapp.com/v4/oa/access_token"
    api_url: str = "https://business.openapi.zalo.me"
    # Our template name -> the approved ZNS template id (ZALO_TEMPLATES="offer:301234,...").
    templates: Mapping[str, str] = field(default_factory=dict)


def check_url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parsed = urlparse(value)
    if parsed.scheme.split("+")[0] not in schemes:
        raise SettingsError(f"{name} must start with one of {', '.join(schemes)}: got {value!r}")
    return value


def sandbox_url(env: Mapping[str, str], name: str, default: str) -> str:
    """A provider's base URL names the local sandbox when no credentials are set."""
    raw = env.get(name, "").strip()
    return check_url(name, raw, ("http", "https")).rstrip("/") if raw else default


def twilio_settings(env: Mapping[str, str]) -> TwilioSettings | None:
    sid = env.get("TWILIO_ACCOUNT_SID", "").strip()
    token = env.get("TWILIO_AUTH_TOKEN", "").strip()
    if not sid and not token:
        return None
    if not sid or not token:
        raise SettingsError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
    sender = env.get("TWILIO_FROM_NUMBER", "").strip() or None
    service = env.get("TWILIO_MESSAGING_SERVICE_SID", "").strip() or None
    if not sender and not service:
        raise SettingsError("set TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    base = env.get("TWILIO_API_BASE_URL", "").strip() or None
    if base:
        check_url("TWILIO_API_BASE_URL", base, ("http", "https"))
    return TwilioSettings(sid, token, sender, service, base)


_ZALO_REQUIRED = ("ZALO_APP_ID", "ZALO_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_REFRESH_TOKEN")
_TEMPLATE_ITEM = re.compile(r"([a-z_]{1,40}):(\d{1,12})")


def zalo_settings(env: Mapping[str, str]) -> ZaloSettings | None:
    values = {name: env.get(name, "").strip() for name in _ZALO_REQUIRED}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise SettingsError(f"{', '.join(missing)} must be set with the other ZALO_ settings")
    templates: dict[str, str] = {}
    for item in (part.strip() for part in env.get("ZALO_TEMPLATES", "").split(",")):
        match = _TEMPLATE_ITEM.fullmatch(item) if item else None
        if item and match is None:
            raise SettingsError(f"ZALO_TEMPLATES items look like offer:301234, got {item!r}")
        if match is not None:
            templates[match.group(1)] = match.group(2)
    oauth = env.get("ZALO_OAUTH_URL", "").strip() or ZaloSettings.oauth_url
    api = env.get("ZALO_API_BASE_URL", "").strip() or ZaloSettings.api_url
    return ZaloSettings(
        app_id=values["ZALO_APP_ID"],
        app_secret=values["ZALO_APP_SECRET"],
        oa_secret_key=values["ZALO_OA_SECRET_KEY"],
        refresh_token=values["ZALO_REFRESH_TOKEN"],
        oauth_url=check_url("ZALO_OAUTH_URL", oauth, ("http", "https")),
        api_url=check_url("ZALO_API_BASE_URL", api, ("http", "https")).rstrip("/"),
        templates=templates,
    )


def android_gateway_settings(env: Mapping[str, str]) -> AndroidGatewaySettings | None:
    url = env.get("ANDROID_GATEWAY_URL", "").strip()
    login = env.get("ANDROID_GATEWAY_LOGIN", "").strip()
    password = env.get("ANDROID_GATEWAY_PASSWORD", "").strip()
    if not url and not login and not password:
        return None
    if not url or not password:
        raise SettingsError("ANDROID_GATEWAY_URL and ANDROID_GATEWAY_PASSWORD must be set together")
    check_url("ANDROID_GATEWAY_URL", url, ("http", "https"))
    key = env.get("ANDROID_GATEWAY_SIGNING_KEY", "").strip() or None
    return AndroidGatewaySettings(url.rstrip("/"), login, password, key)
