"""State of the fake Twilio: messages, injected faults, and the status-callback sender."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import requests
from twilio.request_validator import RequestValidator

from notifications.segments import count_segments

API_VERSION = "2010-04-01"
# Twilio error codes the sandbox can inject, with Twilio's HTTP status and wording.
FAULTS: dict[str, tuple[int, int, str]] = {
    "429": (429, 20429, "Too Many Requests"),
    "500": (500, 20500, "Internal Server Error"),
    "21211": (400, 21211, "The 'To' number is not a valid phone number."),
    "21408": (400, 21408, "Permission to send an SMS has not been enabled for the region "
              "indicated by the 'To' number."),
    "21610": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "21614": (400, 21614, "'To' number is not a valid mobile number"),
}  # fmt: skip
TIMEOUT_FAULT = "timeout"  # the message is created, but the answer comes too late
# Faults of the carrier, after a successful create: the status path and its error code.
DELIVERY_FAULTS: dict[str, tuple[list[str], int]] = {
    "undelivered": (["sent", "undelivered"], 30003),  # unreachable handset
    "failed": (["failed"], 30008),  # unknown error
}


def rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True).replace("GMT", "+0000")


@dataclass
class SandboxMessage:
    sid: str
    account_sid: str
    to: str
    from_: str
    body: str
    status: str
    direction: str
    messaging_service_sid: str | None
    status_callback: str | None
    date_created: datetime
    date_updated: datetime
    error_code: int | None = None
    history: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"
        info = count_segments(self.body)
        return {
            "account_sid": self.account_sid,
            "api_version": API_VERSION,
            "body": self.body,
            "date_created": rfc2822(self.date_created),
            "date_sent": rfc2822(self.date_created),
            "date_updated": rfc2822(self.date_updated),
            "direction": self.direction,
            "error_code": self.error_code,
            "error_message": None,
            "from": self.from_,
            "messaging_service_sid": self.messaging_service_sid,
            "num_media": "0",
            "num_segments": str(info.segments),
            "price": None,
            "price_unit": "USD",
            "sid": self.sid,
            "status": self.status,
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": self.to,
            "uri": uri,
        }


@dataclass
class Fault:
    kind: str  # a key of FAULTS or TIMEOUT_FAULT
    remaining: int | None  # None: every time


class SandboxState:
    """Thread-safe; shared by the WSGI app, the callback threads and the tests."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        callback_delay_s: float = 0.05,
        timeout_delay_s: float = 3.0,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.callback_delay_s = callback_delay_s
        self.timeout_delay_s = timeout_delay_s
        self.messages: list[SandboxMessage] = []
        self.faults: dict[str, list[Fault]] = {}  # destination number, or "*" for any
        self.callback_log: list[tuple[str, dict[str, str], int | str]] = []
        self.lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # -- faults ---------------------------------------------------------------------------
    def add_fault(self, number: str, kind: str, times: int | None = None) -> None:
        if kind not in FAULTS and kind != TIMEOUT_FAULT and kind not in DELIVERY_FAULTS:
            raise ValueError(f"unknown fault {kind!r}")
        with self.lock:
            self.faults.setdefault(number, []).append(Fault(kind, times))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, number: str) -> str | None:
        with self.lock:
            for key in (number, "*"):
                queue = self.faults.get(key, [])
                if queue:
                    fault = queue[0]
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            queue.pop(0)
                    return fault.kind
        return None

    # -- messages -------------------------------------------------------------------------
    def create(
        self,
        to: str,
        from_: str,
        body: str,
        service: str | None,
        callback: str | None,
        outcome: str | None = None,
    ) -> SandboxMessage:
        now = datetime.now(UTC)
        message = SandboxMessage(
            sid="SM" + secrets.token_hex(16),
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            body=body,
            status="accepted" if service else "queued",
            direction="outbound-api",
            messaging_service_sid=service,
            status_callback=callback,
            date_created=now,
            date_updated=now,
        )
        message.history.append(message.status)
        with self.lock:
            self.messages.append(message)
        self._start_progress(message, outcome)
        return message

    def record_inbound(self, from_: str, to: str, body: str) -> SandboxMessage:
        """Store a message a phone sent to us (for the phone simulator's conversation view)."""
        now = datetime.now(UTC)
        message = SandboxMessage(
            "SM" + secrets.token_hex(16), self.account_sid, to, from_, body, "received",
            "inbound", None, None, now, now,
        )  # fmt: skip
        with self.lock:
            self.messages.append(message)
        return message

    def get(self, sid: str) -> SandboxMessage | None:
        with self.lock:
            return next((m for m in self.messages if m.sid == sid), None)

    def snapshot(self) -> list[SandboxMessage]:
        with self.lock:
            return list(self.messages)

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.faults.clear()
            self.callback_log.clear()

    # -- status progress and callbacks ----------------------------------------------------
    def _start_progress(self, message: SandboxMessage, outcome: str | None) -> None:
        thread = threading.Thread(target=self._progress, args=(message, outcome), daemon=True)
        with self.lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _progress(self, message: SandboxMessage, outcome: str | None) -> None:
        statuses, error_code = DELIVERY_FAULTS.get(outcome or "", (["sent", "delivered"], None))
        self._callback(message, message.status)
        for status in statuses:
            time.sleep(self.callback_delay_s)
            with self.lock:
                message.status = status
                message.date_updated = datetime.now(UTC)
                message.history.append(status)
                if status in {"undelivered", "failed"}:
                    message.error_code = error_code
            self._callback(message, status)

    def replay_callback(self, sid: str, status: str | None = None) -> None:
        """Post a status callback again (a duplicate, or an old status: out of order)."""
        message = self.get(sid)
        if message is None:
            raise KeyError(sid)
        self._callback(message, status or message.status)

    def _callback(self, message: SandboxMessage, status: str) -> None:
        if not message.status_callback:
            return
        params = {
            "AccountSid": message.account_sid,
            "ApiVersion": API_VERSION,
            "From": message.from_,
            "MessageSid": message.sid,
            "MessageStatus": status,
            "SmsSid": message.sid,
            "SmsStatus": status,
            "To": message.to,
        }
        if message.messaging_service_sid:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if status in {"undelivered", "failed"} and message.error_code is not None:
            params["ErrorCode"] = str(message.error_code)
        signature = RequestValidator(self.auth_token).compute_signature(
            message.status_callback, params
        )
        try:
            answer = requests.post(
                message.status_callback,
                data=params,
                headers={"X-Twilio-Signature": signature},
                timeout=10,
            )
            outcome: int | str = answer.status_code
        except requests.RequestException as error:  # Twilio does not retry callbacks either
            outcome = f"error: {error.__class__.__name__}"
        with self.lock:
            self.callback_log.append((message.status_callback, params, outcome))

    def wait_idle(self, timeout_s: float = 10.0) -> None:
        """Block until every status-callback thread has finished (tests use this)."""
        deadline = time.monotonic() + timeout_s
        with self.lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
