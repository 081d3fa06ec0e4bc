"""The "SMS Gateway for Android" app (capcom6/android-sms-gateway) through its PyPI client.

A commune office runs the app on a phone with a local SIM (Twilio has no two-way SMS in
Vietnam). We send through its REST API (``POST /messages``) with *our* message id as the
gateway's message id, so ``reconcile`` is a plain ``GET /messages/{our_id}``. Delivery
reports and received SMS come as webhooks registered on the phone (not per message), signed
with HMAC-SHA256 over ``raw body + X-Timestamp`` using the phone's signing key, hex in
``X-Signature``; ``verify_signature`` checks them and refuses stale timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime
from typing import Any

import requests
from android_sms_gateway import APIClient, Message, MessageState, TextMessage
from android_sms_gateway.errors import APIError, NotFoundError
from android_sms_gateway.http import RequestsHttpClient

from notifications.channels.base import (
    PermanentSendError,
    ProviderMessage,
    RetryableSendError,
    SendError,
    SendResult,
)

SIGNATURE_TOLERANCE_S = 300  # the gateway's documented replay window is minutes, not hours


class _TimeoutSession(requests.Session):
    """The client library sets no timeout; a hung phone must not hang a worker."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(method, url, *args, **kwargs)


def classify_gateway_error(error: APIError) -> SendError:
    status = error.status_code or 0
    text = f"gateway {status}: {error}"
    if status == 429 or status >= 500:
        return RetryableSendError(text, http_status=status)
    return PermanentSendError(text, http_status=status)


def _network_error(error: requests.RequestException) -> RetryableSendError:
    maybe_sent = isinstance(error, requests.ReadTimeout)
    return RetryableSendError(f"gateway network: {error}", maybe_sent=maybe_sent)


class AndroidGatewayChannel:
    name = "android_gateway"

    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        *,
        sim_number: int | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.login = login
        self.password = password
        self.sim_number = sim_number
        self.timeout_s = timeout_s

    @classmethod
    def from_settings(cls, settings: object) -> AndroidGatewayChannel:
        gateway = getattr(settings, "android_gateway", None)
        if gateway is None:
            raise ValueError("set ANDROID_GATEWAY_URL, _LOGIN and _PASSWORD to use the gateway")
        return cls(gateway.url, gateway.login, gateway.password)

    def _client(self) -> APIClient:
        http = RequestsHttpClient(session=_TimeoutSession(self.timeout_s))
        return APIClient(self.login, self.password, base_url=self.base_url, http=http)

    def send(self, to: str, body: str, our_id: str, status_callback: str | None) -> SendResult:
        # status_callback is unused: the gateway posts sms:sent/delivered/failed to the
        # webhooks registered on the phone, carrying our id as messageId.
        message = Message(
            id=our_id,
            phone_numbers=[to],
            text_message=TextMessage(text=body),
            with_delivery_report=True,
            sim_number=self.sim_number,
        )
        try:
            state = self._client().send(message)
        except APIError as error:
            raise classify_gateway_error(error) from error
        except requests.RequestException as error:
            raise _network_error(error) from error
        return SendResult(provider_id=state.id, status=state.state.value)

    @staticmethod
    def _view(state: MessageState) -> ProviderMessage:
        recipient = state.recipients[0] if state.recipients else None
        return ProviderMessage(
            provider_id=state.id,
            to=recipient.phone_number if recipient else "",
            body="",  # the gateway does not return the text
            status=state.state.value,
            error_code=None,
            created_at=state.created_at,
        )

    def fetch(self, provider_id: str) -> ProviderMessage | None:
        try:
            return self._view(self._client().get_state(provider_id))
        except NotFoundError:
            return None
        except APIError as error:
            raise classify_gateway_error(error) from error
        except requests.RequestException as error:
            raise _network_error(error) from error

    def reconcile(self, our_id: str, to: str, body: str, since: datetime) -> ProviderMessage | None:
        return self.fetch(our_id)  # our id is the gateway's id


def compute_signature(signing_key: str, body: bytes, timestamp: str) -> str:
    return hmac.new(signing_key.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


def verify_signature(
    signing_key: str,
    *,
    body: bytes,
    signature: str,
    timestamp: str,
    now: float | None = None,
    tolerance_s: float = SIGNATURE_TOLERANCE_S,
) -> bool:
    """True when ``signature`` is the gateway's HMAC of ``body`` and a recent ``timestamp``."""
    if not signing_key or not signature or not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > tolerance_s:
        return False
    expected = compute_signature(signing_key, body, timestamp)
    return hmac.compare_digest(expected, signature.strip().lower())


def verify_webhook(settings: object, *, body: bytes, signature: str, timestamp: str) -> bool:
    """``verify_signature`` with the signing key from the settings (False when none is set)."""
    gateway = getattr(settings, "android_gateway", None)
    key = getattr(gateway, "signing_key", None) if gateway is not None else None
    if not key:
        return False
    return verify_signature(key, body=body, signature=signature, timestamp=timestamp)
