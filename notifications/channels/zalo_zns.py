"""Zalo Notification Service (ZNS): template messages by phone number, over httpx.

Our own thin client (the PyPI Zalo SDKs are stale or unofficial). Zalo's shapes:

- OAuth v4: ``POST {oauth_url}`` (``https://oauth.zaloapp.com/v4/oa/access_token``), header
  ``secret_key`` (the app's secret), form ``app_id``, ``grant_type=refresh_token``,
  ``refresh_token``. The answer has ``access_token``, ``refresh_token`` and ``expires_in``, a
  *string* of seconds (about 25 h). A refresh token works once: the new one must be kept.
- Send: ``POST {api_url}/message/template``, header ``access_token``, JSON ``phone`` (``84...``),
  ``template_id``, ``template_data``, ``tracking_id`` (our message id). Zalo answers HTTP 200
  whatever happened, with ``error`` (0 on success) and ``message``; ``data`` holds ``msg_id``,
  ``sent_time`` and the OA's ``quota``.
- Webhooks: ``X-ZEvent-Signature: mac=<sha256 hex of app_id + raw body + timestamp + OA secret
  key>``, the timestamp being the one inside the JSON body.

Error codes become a ``kind`` that says what the delivery job must do (``ZNS_KINDS``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from notifications.channels.base import PermanentSendError, RetryableSendError

SEND_PATH = "/message/template"

# What each ZNS error code means for us.
NO_ZALO = "no_zalo"  # the person cannot get ZNS: SMS now
NIGHT = "night"  # ZNS refuses 22:00-06:00: SMS or hold, as quiet hours say
QUOTA = "quota"  # the OA's daily quota or balance is spent: SMS for the rest of the day
TEMPLATE = "template"  # the template is not usable: SMS now and an alert for a person
TOKEN = "token"  # access token rejected: refresh once and try once more
RETRY = "retry"  # Zalo's own trouble: try again later
ZNS_KINDS: dict[int, str] = {
    -100: RETRY,  # unknown error, try again later
    -108: NO_ZALO,  # phone number invalid
    -109: TEMPLATE,  # template id invalid
    -112: TEMPLATE,  # template data invalid
    -114: NO_ZALO,  # user inactive, refuses ZNS or has an old Zalo
    -115: QUOTA,  # out of quota (balance)
    -117: TEMPLATE,  # OA or app may not use this template
    -118: NO_ZALO,  # no Zalo account for this number
    -119: NO_ZALO,  # account cannot receive ZNS
    -124: TOKEN,  # access token invalid
    -131: TEMPLATE,  # template not approved
    -133: NIGHT,  # ZNS is not sent at night (22:00-06:00)
    -144: QUOTA,  # OA over its daily quota
}


def zns_kind(code: int) -> str:
    """What to do about error ``code``; codes we do not know are a setup problem (alert)."""
    return ZNS_KINDS.get(code, TEMPLATE)


class ZaloApiError(PermanentSendError):
    """Zalo answered with a non-zero ``error``; ``kind`` is one of the ZNS kinds above."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"Zalo error {code}: {message}", code=code, http_status=200)
        self.kind = zns_kind(code)


class ZaloAuthError(RetryableSendError):
    """The OAuth call failed (bad app secret, refresh token used or expired...)."""


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    refresh_token: str
    expires_in_s: int


@dataclass(frozen=True)
class ZnsSent:
    msg_id: str
    sent_time: str | None
    remaining_quota: int | None


def to_zalo_phone(e164: str) -> str:
    """``+84912345678`` -> ``84912345678``; ZNS reaches Vietnamese numbers only."""
    if not e164.startswith("+84"):
        raise ZaloApiError(-108, f"{e164} is not a Vietnamese number")
    return e164[1:]


def _network_error(error: httpx.HTTPError, what: str) -> RetryableSendError:
    # Nothing reached Zalo when the connection itself failed; after the request was written
    # (a read timeout, a dropped answer) Zalo may have created the message.
    never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    return RetryableSendError(f"Zalo {what}: {error!r}", maybe_sent=not never_sent)


def _json(answer: httpx.Response, what: str) -> dict[str, Any]:
    if answer.status_code >= 500 or answer.status_code == 429:
        raise RetryableSendError(
            f"Zalo {what}: HTTP {answer.status_code}", http_status=answer.status_code
        )
    try:
        data = answer.json()
    except json.JSONDecodeError:
        raise RetryableSendError(f"Zalo {what}: not JSON (HTTP {answer.status_code})") from None
    if not isinstance(data, dict):
        raise RetryableSendError(f"Zalo {what}: unexpected answer {data!r:.80}")
    return data


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class ZnsClient:
    """The two calls we make to Zalo, with a timeout on each. Thread-safe (one httpx client)."""

    def __init__(
        self,
        *,
        app_id: str,
        app_secret: str,
        oauth_url: str,
        api_url: str,
        timeout_s: float = 10.0,
    ) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.oauth_url = oauth_url
        self.api_url = api_url.rstrip("/")
        self.timeout_s = timeout_s
        self._http = httpx.Client(timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def refresh(self, refresh_token: str) -> TokenGrant:
        """Trade a refresh token (it then stops working) for a new access + refresh token."""
        try:
            answer = self._http.post(
                self.oauth_url,
                headers={"secret_key": self.app_secret},
                data={
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                },
            )
        except httpx.HTTPError as error:  # Zalo unreachable: not a refused token, no alert
            raise RetryableSendError(f"Zalo token: {error!r}") from error
        data = _json(answer, "token")
        expires = _int(data.get("expires_in"))
        if not data.get("access_token") or not data.get("refresh_token") or expires is None:
            reason = data.get("error_description") or data.get("error_name") or data
            raise ZaloAuthError(
                f"Zalo refused the refresh token: {reason}", code=_int(data.get("error"))
            )
        return TokenGrant(str(data["access_token"]), str(data["refresh_token"]), expires)

    def send_template(
        self,
        access_token: str,
        *,
        phone: str,
        template_id: str,
        data: dict[str, str],
        tracking_id: str,
    ) -> ZnsSent:
        """Send one ZNS; raises ``ZaloApiError`` for a non-zero ``error``."""
        body = {
            "phone": to_zalo_phone(phone),
            "template_id": template_id,
            "template_data": data,
            "tracking_id": tracking_id,
        }
        try:
            answer = self._http.post(
                self.api_url + SEND_PATH, headers={"access_token": access_token}, json=body
            )
        except httpx.HTTPError as error:
            raise _network_error(error, "send") from error
        payload = _json(answer, "send")
        code = _int(payload.get("error"))
        if code is None:
            raise RetryableSendError(f"Zalo send: no error code in {payload!r:.80}")
        if code != 0:
            raise ZaloApiError(code, str(payload.get("message") or ""))
        result = payload.get("data") or {}
        quota = result.get("quota") or {}
        return ZnsSent(
            msg_id=str(result.get("msg_id") or ""),
            sent_time=str(result["sent_time"]) if result.get("sent_time") else None,
            remaining_quota=_int(quota.get("remainingQuota")),
        )


class TokenSource(Protocol):
    """Where the channel gets its access token (``notifications.zalo_account`` keeps it)."""

    def access_token(self) -> str: ...

    def after_rejection(self, rejected: str) -> str:
        """A fresh token after Zalo rejected ``rejected`` (one refresh however many ask)."""
        ...


class ZaloChannel:
    """ZNS sends with the OA's token; a rejected token (-124) is refreshed and the send tried
    once more, no more (a second rejection is Zalo's trouble: the job retries later)."""

    name = "zalo"

    def __init__(
        self, client: ZnsClient, tokens: TokenSource, template_ids: Mapping[str, str]
    ) -> None:
        self.client = client
        self.tokens = tokens
        self.template_ids = dict(template_ids)

    def handles(self, template: str) -> bool:
        return template in self.template_ids

    def send(self, phone: str, template: str, data: dict[str, str], tracking_id: str) -> ZnsSent:
        template_id = self.template_ids.get(template)
        if template_id is None:
            raise ZaloApiError(-109, f"no ZNS template configured for {template!r}")
        token = self.tokens.access_token()
        request = {"phone": phone, "template_id": template_id, "data": data}
        try:
            return self.client.send_template(token, tracking_id=tracking_id, **request)
        except ZaloApiError as error:
            if error.kind != TOKEN:
                raise
        token = self.tokens.after_rejection(token)
        return self.client.send_template(token, tracking_id=tracking_id, **request)


# -- webhooks -----------------------------------------------------------------------------------


def webhook_signature(app_id: str, body: bytes, timestamp: str, oa_secret_key: str) -> str:
    """The ``X-ZEvent-Signature`` Zalo puts on a webhook: ``mac=`` + sha256 hex."""
    digest = hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret_key.encode())
    return "mac=" + digest.hexdigest()


def verify_webhook(app_id: str, oa_secret_key: str, *, body: bytes, signature: str) -> bool:
    """True when ``signature`` matches ``body`` (whose JSON carries the timestamp signed)."""
    if not app_id or not oa_secret_key or not signature:
        return False
    try:
        event = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return False
    timestamp = str(event.get("timestamp", "")) if isinstance(event, dict) else ""
    if not timestamp:
        return False
    expected = webhook_signature(app_id, body, timestamp, oa_secret_key)
    given = signature.strip()
    if not given.startswith("mac="):
        given = "mac=" + given
    return hmac.compare_digest(expected, given.lower())
