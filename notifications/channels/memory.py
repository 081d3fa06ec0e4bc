"""An in-memory ``SmsChannel``: a fake of our own port for handler and job unit tests."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from notifications.channels.base import (
    PermanentSendError,
    ProviderMessage,
    RetryableSendError,
    SendError,
    SendResult,
)
from notifications.segments import count_segments


@dataclass
class SentSms:
    provider_id: str
    our_id: str
    to: str
    body: str
    status_callback: str | None
    status: str = "sent"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class InMemoryChannel:
    """Records every send. ``fail_next(error)`` makes the next sends raise, in order;
    a ``RetryableSendError`` with ``maybe_sent`` is raised *after* the message is stored,
    like a provider that created it but whose answer was lost."""

    name = "memory"

    def __init__(self) -> None:
        self.sent: list[SentSms] = []
        self._failures: list[SendError] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def fail_next(self, *errors: SendError) -> None:
        with self._lock:
            self._failures.extend(errors)

    def send(self, to: str, body: str, our_id: str, status_callback: str | None) -> SendResult:
        with self._lock:
            error = self._failures.pop(0) if self._failures else None
            if error is not None and not getattr(error, "maybe_sent", False):
                raise error
            sms = SentSms(f"MEM{next(self._ids):06d}", our_id, to, body, status_callback)
            self.sent.append(sms)
        if error is not None:
            raise error
        return SendResult(sms.provider_id, sms.status, count_segments(body).segments)

    def to(self, number: str) -> list[SentSms]:
        return [sms for sms in self.sent if sms.to == number]

    def _view(self, sms: SentSms) -> ProviderMessage:
        return ProviderMessage(sms.provider_id, sms.to, sms.body, sms.status, None, sms.created_at)

    def fetch(self, provider_id: str) -> ProviderMessage | None:
        found = [sms for sms in self.sent if sms.provider_id == provider_id]
        return self._view(found[0]) if found else None

    def reconcile(self, our_id: str, to: str, body: str, since: datetime) -> ProviderMessage | None:
        found = [sms for sms in self.sent if sms.our_id == our_id and sms.created_at >= since]
        return self._view(found[0]) if found else None


__all__ = ["InMemoryChannel", "PermanentSendError", "RetryableSendError", "SentSms"]
