"""Which channel serves a message, and with which credentials.

Twilio credentials in the settings: the real Twilio (or whatever ``TWILIO_API_BASE_URL``
names). None: the local sandbox, with its fixed development credentials, at
``settings.sms_sandbox_url`` (``python -m notifications.sandbox``; ``doorstep up`` starts it).
Zalo credentials: the real Zalo. None: the fake Zalo at ``settings.zalo_sandbox_url`` while the
SMS sandbox is in use (development); with real Twilio credentials and no Zalo ones Zalo is off
and communes whose order names it get SMS (a fake must never swallow real messages).
The channels built live on the runtime (``channels(runtime)``); tests install their own
there, and shrink retry delays with its ``backoff_scale``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dispatch.settings import Settings, TwilioSettings, ZaloSettings
from notifications.channels import SmsChannel
from notifications.sandbox import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, SANDBOX_FROM_NUMBER

if TYPE_CHECKING:
    from dispatch.runtime import Runtime
    from notifications.channels.zalo_zns import ZaloChannel


def twilio_settings(settings: Settings) -> TwilioSettings:
    """The Twilio account to use: the configured one, or the sandbox's."""
    if settings.twilio is not None:
        return settings.twilio
    return TwilioSettings(
        account_sid=SANDBOX_ACCOUNT_SID,
        auth_token=SANDBOX_AUTH_TOKEN,
        from_number=SANDBOX_FROM_NUMBER,
        messaging_service_sid=None,
        api_base_url=settings.sms_sandbox_url,
    )


def sandbox_in_use(settings: Settings) -> bool:
    return twilio_settings(settings).account_sid == SANDBOX_ACCOUNT_SID


def twilio_auth_token(settings: Settings) -> str:
    """The secret Twilio signs webhooks with (the sandbox signs with its own)."""
    return twilio_settings(settings).auth_token


CHANNELS = "notifications.channels"  # the key of this process's Channels on the runtime


class Channels:
    """The SMS and Zalo channels of one runtime, built from its settings on first use.

    Kept on the runtime (``channels(runtime)``), not in module globals: a test or a bench
    installs its own channels, or shrinks retry delays, on the runtime it runs.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.backoff_scale = 1.0  # tests and the fault benches run in seconds, not hours
        self._lock = threading.Lock()
        self._installed: dict[str, Any] | None = None
        self._cache: dict[tuple[str, TwilioSettings, str], SmsChannel] = {}
        self._zalo: tuple[ZaloSettings, ZaloChannel] | None = None

    def install(self, channels: Mapping[str, Any] | None) -> None:
        """Replace the channels (tests); None goes back to the settings."""
        with self._lock:
            self._installed = dict(channels) if channels is not None else None
            self._cache.clear()
            self._close_zalo()

    def channel_for(self, name: str) -> SmsChannel:
        """The channel called ``name`` (``twilio`` or ``android_gateway``)."""
        settings = self.runtime.settings
        with self._lock:
            if self._installed is not None:
                if name in self._installed:
                    return self._installed[name]  # type: ignore[no-any-return]
                raise ChannelUnavailable(f"no SMS channel {name!r} installed")
            key = (settings.public_url, twilio_settings(settings), name)
            if key not in self._cache:
                self._cache[key] = _build(settings, name)
            return self._cache[key]

    def zalo(self) -> ZaloChannel:
        """The Zalo channel (its token source needs the runtime's DB and Redis)."""
        with self._lock:
            if self._installed is not None:
                if "zalo" in self._installed:
                    return self._installed["zalo"]  # type: ignore[no-any-return]
                raise ChannelUnavailable("no Zalo channel installed")
            zalo = zalo_settings(self.runtime.settings)
            if zalo is None:
                raise ChannelUnavailable(
                    "Zalo is off: set ZALO_APP_ID and the other ZALO_ settings"
                )
            if self._zalo is not None and self._zalo[0] == zalo:
                return self._zalo[1]
            self._close_zalo()
            channel = build_zalo_channel(self.runtime, zalo)
            self._zalo = (zalo, channel)
            return channel

    def close(self) -> None:
        with self._lock:
            self._close_zalo()

    def _close_zalo(self) -> None:
        if self._zalo is not None:
            self._zalo[1].client.close()
        self._zalo = None


def channels(runtime: Runtime) -> Channels:
    """The channels of ``runtime``, made on first use and kept on it."""
    found = runtime.adapters.get(CHANNELS)
    if found is None:
        found = runtime.adapters.setdefault(CHANNELS, Channels(runtime))
    assert isinstance(found, Channels)
    return found


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


# -- Zalo ---------------------------------------------------------------------------------------


def zalo_settings(settings: Settings) -> ZaloSettings | None:
    """The Zalo app to use: the configured one, the fake one in development, or None (off)."""
    if settings.zalo is not None:
        return settings.zalo
    if not sandbox_in_use(settings):
        return None
    from notifications.sandbox.zalo_constants import (
        OAUTH_PATH,
        SANDBOX_ZALO_APP_ID,
        SANDBOX_ZALO_APP_SECRET,
        SANDBOX_ZALO_OA_SECRET,
        SANDBOX_ZALO_REFRESH_TOKEN,
        SANDBOX_ZALO_TEMPLATES,
    )

    return ZaloSettings(
        app_id=SANDBOX_ZALO_APP_ID,
        app_secret=SANDBOX_ZALO_APP_SECRET,
        oa_secret_key=SANDBOX_ZALO_OA_SECRET,
        refresh_token=SANDBOX_ZALO_REFRESH_TOKEN,
        oauth_url=settings.zalo_sandbox_url + OAUTH_PATH,
        api_url=settings.zalo_sandbox_url,
        templates=SANDBOX_ZALO_TEMPLATES,
    )


def zalo_template_ids(settings: Settings) -> Mapping[str, str]:
    """Our templates that have an approved ZNS twin (none when Zalo is off)."""
    zalo = zalo_settings(settings)
    return zalo.templates if zalo is not None else {}


def build_zalo_channel(runtime: Runtime, zalo: ZaloSettings) -> ZaloChannel:
    from notifications.channels.zalo_zns import ZaloChannel, ZnsClient
    from notifications.zalo_account import DbTokenSource

    client = ZnsClient(
        app_id=zalo.app_id,
        app_secret=zalo.app_secret,
        oauth_url=zalo.oauth_url,
        api_url=zalo.api_url,
        timeout_s=runtime.settings.zalo_timing.timeout_s,
    )
    tokens = DbTokenSource(
        runtime.sessions, runtime.redis, client, first_refresh_token=zalo.refresh_token
    )
    return ZaloChannel(client, tokens, zalo.templates)


def verify_zalo_webhook(settings: Settings, *, body: bytes, signature: str) -> bool:
    """Check ``X-ZEvent-Signature`` with the OA's secret key (False when Zalo is off)."""
    from notifications.channels.zalo_zns import verify_webhook

    zalo = zalo_settings(settings)
    if zalo is None:
        return False
    return verify_webhook(zalo.app_id, zalo.oa_secret_key, body=body, signature=signature)


def verify_gateway_webhook(
    settings: Settings, *, body: bytes, signature: str, timestamp: str
) -> bool:
    """Check an Android gateway webhook's HMAC signature (``X-Signature``, ``X-Timestamp``)."""
    from notifications.channels.android_gateway import verify_webhook

    return verify_webhook(settings, body=body, signature=signature, timestamp=timestamp)
