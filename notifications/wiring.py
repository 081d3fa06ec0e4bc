"""Which SMS channel serves a message, and with which credentials.

Twilio credentials in the settings: the real Twilio (or whatever ``TWILIO_API_BASE_URL``
names). None: the local sandbox, with its fixed development credentials, at
``SANDBOX_DEFAULT_URL`` (``python -m notifications.sandbox``; ``doorstep up`` starts it).
Tests install their own channels with ``install_channels``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from dispatch.settings import Settings, TwilioSettings
from notifications.channels import SmsChannel
from notifications.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SANDBOX_FROM_NUMBER

SANDBOX_DEFAULT_URL = "http://127.0.0.1:8025"

_lock = threading.Lock()
_installed: dict[str, SmsChannel] | None = None
_cache: dict[tuple[str, TwilioSettings, str], SmsChannel] = {}
_backoff_scale = 1.0


def twilio_settings(settings: Settings) -> TwilioSettings:
    """The Twilio account to use: the configured one, or the sandbox's."""
    if settings.twilio is not None:
        return settings.twilio
    return TwilioSettings(
        account_sid=SANDBOX_ACCOUNT_SID,
        auth_token=SANDBOX_AUTH_TOKEN,
        from_number=SANDBOX_FROM_NUMBER,
        messaging_service_sid=None,
        api_base_url=SANDBOX_DEFAULT_URL,
    )


def sandbox_in_use(settings: Settings) -> bool:
    return twilio_settings(settings).account_sid == SANDBOX_ACCOUNT_SID


def twilio_auth_token(settings: Settings) -> str:
    """The secret Twilio signs webhooks with (the sandbox signs with its own)."""
    return twilio_settings(settings).auth_token


def install_channels(channels: Mapping[str, SmsChannel] | None) -> None:
    """Replace the channels of this process (tests); None goes back to the settings."""
    global _installed
    with _lock:
        _installed = dict(channels) if channels is not None else None
        _cache.clear()


def set_backoff_scale(scale: float) -> None:
    """Shrink retry delays (tests and the fault bench run in seconds, not hours)."""
    global _backoff_scale
    _backoff_scale = scale


def backoff_scale() -> float:
    return _backoff_scale


def channel_for(settings: Settings, name: str) -> SmsChannel:
    """The channel called ``name`` (``twilio`` or ``android_gateway``) for these settings."""
    with _lock:
        if _installed is not None:
            if name in _installed:
                return _installed[name]
            raise ChannelUnavailable(f"no SMS channel {name!r} installed")
        key = (settings.public_url, twilio_settings(settings), name)
        if key not in _cache:
            _cache[key] = _build(settings, name)
        return _cache[key]


class ChannelUnavailable(LookupError):
    """A commune's channel is not configured (e.g. no gateway phone set up): nothing to retry."""


def _build(settings: Settings, name: str) -> SmsChannel:
    if name == "android_gateway" and settings.android_gateway is None:
        if sandbox_in_use(settings):
            name = "twilio"  # development: the sandbox carries every commune's SMS
        else:
            raise ChannelUnavailable("no Android gateway configured (ANDROID_GATEWAY_URL)")
    if name == "twilio":
        from notifications.channels.twilio_channel import TwilioChannel

        twilio = twilio_settings(settings)
        return TwilioChannel(
            twilio.account_sid,
            twilio.auth_token,
            public_url=settings.public_url,
            from_number=twilio.from_number,
            messaging_service_sid=twilio.messaging_service_sid,
            api_base_url=twilio.api_base_url,
        )
    if name == "android_gateway":
        from notifications.channels.android_gateway import AndroidGatewayChannel

        return AndroidGatewayChannel.from_settings(settings)
    raise ChannelUnavailable(f"unknown SMS channel {name!r}")


def verify_gateway_webhook(
    settings: Settings, *, body: bytes, signature: str, timestamp: str
) -> bool:
    """Check an Android gateway webhook's HMAC signature (``X-Signature``, ``X-Timestamp``)."""
    from notifications.channels.android_gateway import verify_webhook

    return verify_webhook(settings, body=body, signature=signature, timestamp=timestamp)
