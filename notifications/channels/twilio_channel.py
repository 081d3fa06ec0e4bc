"""Twilio through the real SDK. ``api_base_url`` points every REST call elsewhere (the sandbox).

Twilio keeps no client reference on a message, so our id travels in the StatusCallback URL
(``?our_id=...``; the status webhook can match a callback even when the create answer was
lost) and ``reconcile`` finds a lost message by recipient, body and time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from notifications.channels.base import (
    PermanentSendError,
    ProviderMessage,
    RetryableSendError,
    SendError,
    SendResult,
)

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
# Twilio errors after which a retry cannot succeed: invalid 'To', region not enabled,
# recipient unsubscribed (STOP), 'To' not a mobile number.
PERMANENT_CODES = frozenset({21211, 21408, 21610, 21614})


def with_our_id(url: str, our_id: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=query + urlencode({"our_id": our_id})))


def classify_twilio_error(error: TwilioRestException) -> SendError:
    code = error.code if isinstance(error.code, int) else None
    text = f"Twilio {error.status} code {code}: {error.msg}"
    if error.status == 429 or error.status >= 500:
        return RetryableSendError(text, code=code, http_status=error.status)
    if code in PERMANENT_CODES:
        return PermanentSendError(text, code=code, http_status=error.status)
    # Other 4xx (bad credentials, malformed request) will not fix themselves either.
    return PermanentSendError(text, code=code, http_status=error.status)


def classify_network_error(error: requests.RequestException) -> RetryableSendError:
    # A connect failure means the request never arrived; a read timeout means Twilio may
    # have created the message before its answer was lost.
    not_sent = isinstance(error, requests.ConnectTimeout | requests.ConnectionError) and not (
        isinstance(error, requests.ReadTimeout)
    )
    return RetryableSendError(f"network: {error}", maybe_sent=not not_sent)


class TwilioChannel:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        public_url: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base_url: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        if not from_number and not messaging_service_sid:
            raise ValueError("TwilioChannel needs from_number or messaging_service_sid")
        http = TwilioHttpClient(timeout=timeout_s)
        self.client = Client(account_sid, auth_token, http_client=http)
        if api_base_url:
            self.client.api.base_url = api_base_url.rstrip("/")
        self.public_url = public_url.rstrip("/")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid

    @classmethod
    def from_settings(cls, settings: object) -> TwilioChannel:
        """Build from ``dispatch.settings.Settings`` (which must have Twilio credentials)."""
        twilio = settings.twilio  # type: ignore[attr-defined]
        if twilio is None:
            raise ValueError("no Twilio credentials in the settings")
        return cls(
            twilio.account_sid,
            twilio.auth_token,
            public_url=settings.public_url,  # type: ignore[attr-defined]
            from_number=twilio.from_number,
            messaging_service_sid=twilio.messaging_service_sid,
            api_base_url=twilio.api_base_url,
        )

    def send(self, to: str, body: str, our_id: str, status_callback: str | None) -> SendResult:
        callback = with_our_id(status_callback or self.public_url + STATUS_CALLBACK_PATH, our_id)
        sender: dict[str, str] = (
            {"messaging_service_sid": self.messaging_service_sid}
            if self.messaging_service_sid
            else {"from_": self.from_number or ""}
        )
        try:
            message = self.client.messages.create(
                to=to, body=body, status_callback=callback, **sender
            )
        except TwilioRestException as error:
            raise classify_twilio_error(error) from error
        except requests.RequestException as error:
            raise classify_network_error(error) from error
        segments = int(message.num_segments) if message.num_segments else None
        return SendResult(str(message.sid), str(message.status), segments, message.error_code)

    @staticmethod
    def _view(message: object) -> ProviderMessage:
        m = message
        return ProviderMessage(
            provider_id=str(m.sid),  # type: ignore[attr-defined]
            to=str(m.to),  # type: ignore[attr-defined]
            body=str(m.body),  # type: ignore[attr-defined]
            status=str(m.status),  # type: ignore[attr-defined]
            error_code=m.error_code,  # type: ignore[attr-defined]
            created_at=m.date_created,  # type: ignore[attr-defined]
        )

    def fetch(self, provider_id: str) -> ProviderMessage | None:
        try:
            return self._view(self.client.messages(provider_id).fetch())
        except TwilioRestException as error:
            if error.status == 404:
                return None
            raise classify_twilio_error(error) from error
        except requests.RequestException as error:
            raise classify_network_error(error) from error

    def reconcile(self, our_id: str, to: str, body: str, since: datetime) -> ProviderMessage | None:
        # DateSent is day-granular at Twilio; filter precisely on date_created here, whose
        # RFC 2822 form has whole seconds.
        since = since.replace(microsecond=0)
        try:
            candidates = self.client.messages.list(
                to=to, date_sent_after=since - timedelta(days=1), limit=200
            )
        except TwilioRestException as error:
            raise classify_twilio_error(error) from error
        except requests.RequestException as error:
            raise classify_network_error(error) from error
        matches = [
            self._view(m)
            for m in candidates
            if m.body == body and m.date_created is not None and m.date_created >= since
        ]
        matches.sort(key=lambda m: m.created_at or since)
        return matches[0] if matches else None
