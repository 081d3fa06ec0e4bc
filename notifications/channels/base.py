"""The SMS port: what the delivery job needs from any provider.

Adapters raise ``RetryableSendError`` (try again later: rate limit, provider outage, network)
or ``PermanentSendError`` (never retry: invalid or unsubscribed number...). A retryable error
with ``maybe_sent`` set means the provider may have created the message before the failure
(a read timeout): the caller must ``reconcile`` before sending again, or the resident gets
the SMS twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str  # the provider's word: queued, sent, delivered, Pending, ...
    segments: int | None = None
    error_code: int | None = None


@dataclass(frozen=True)
class ProviderMessage:
    provider_id: str
    to: str
    body: str
    status: str
    error_code: int | None
    created_at: datetime | None


class SendError(Exception):
    """A send did not succeed; ``code`` is the provider's error code when it gave one."""

    def __init__(self, message: str, *, code: int | None = None, http_status: int | None = None):
        super().__init__(message)
        self.code = code
        self.http_status = http_status


class RetryableSendError(SendError):
    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        http_status: int | None = None,
        maybe_sent: bool = False,
    ):
        super().__init__(message, code=code, http_status=http_status)
        self.maybe_sent = maybe_sent


class PermanentSendError(SendError):
    """Do not retry. ``opted_out`` is set when the recipient unsubscribed (Twilio 21610)."""

    @property
    def opted_out(self) -> bool:
        return self.code == 21610


class SmsChannel(Protocol):
    name: str

    def send(self, to: str, body: str, our_id: str, status_callback: str | None) -> SendResult:
        """Send ``body`` to the E.164 number ``to``; ``our_id`` is our Message id."""
        ...

    def fetch(self, provider_id: str) -> ProviderMessage | None:
        """The provider's view of one message, or None when it does not know it."""
        ...

    def reconcile(self, our_id: str, to: str, body: str, since: datetime) -> ProviderMessage | None:
        """The message the provider created for ``our_id`` (sent since ``since``), if any."""
        ...
