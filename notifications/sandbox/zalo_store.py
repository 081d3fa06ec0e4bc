"""State of the fake Zalo: tokens, accounts, ZNS messages, quota, faults and the webhook sender.

Tokens are signed by the fake (HMAC), so one issued by an earlier run of the fake still works
after a restart, while a refresh token used twice in one run is refused like Zalo refuses it.
Each refresh is recorded with the state of the token it replaced (fresh, expiring, expired or
revoked), so a test or the bench can check that no worker refreshed a token that was fine.
Like the real API, a repeated ``tracking_id`` is not de-duplicated: the fake creates a second
message, and only the caller's care keeps a person from getting it twice.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock
from zoneinfo import ZoneInfo

import requests

from notifications.channels.zalo_zns import webhook_signature
from notifications.policy import ZALO_NIGHT
from notifications.sandbox.zalo_constants import (
    CODE_FAULTS,
    OTHER_FAULTS,
    SANDBOX_ZALO_APP_ID,
    SANDBOX_ZALO_APP_SECRET,
    SANDBOX_ZALO_OA_SECRET,
    SANDBOX_ZALO_REFRESH_TOKEN,
    SANDBOX_ZALO_TEMPLATES,
)
from notifications.sandbox.zalo_records import Refresh, ZnsMessage, receipt_body
from notifications.zalo_templates import ZnsDataError, check_data, render_text

_PHONE = re.compile(r"^(84|0)(\d{9})$")


@dataclass
class ZaloSandboxState:
    app_id: str = SANDBOX_ZALO_APP_ID
    app_secret: str = SANDBOX_ZALO_APP_SECRET
    oa_secret: str = SANDBOX_ZALO_OA_SECRET
    webhook_url: str | None = None
    token_ttl_s: int = 90000  # Zalo: about 25 h
    refresh_margin_s: float = 300.0  # a refresh this close to expiry counts as "expiring"
    receipt_delay_s: float = 0.2
    receipt_jitter_s: float = 0.0  # each receipt waits delay + uniform(0, jitter)
    timeout_delay_s: float = 3.0
    night: tuple[clock, clock] | None = ZALO_NIGHT
    daily_quota: int = 100_000
    timezone: str = "Asia/Ho_Chi_Minh"
    messages: list[ZnsMessage] = field(default_factory=list)
    accounts: dict[str, bool] = field(default_factory=dict)  # 84... -> has Zalo
    rejected_templates: set[str] = field(default_factory=set)
    faults: dict[str, list[list[object]]] = field(default_factory=dict)  # number -> [kind, left]
    refreshes: list[Refresh] = field(default_factory=list)
    reused_refresh_tokens: int = 0
    rejected_tokens: int = 0
    webhook_log: list[tuple[str, int | str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _used_refresh: set[str] = field(default_factory=set)
    _revoked_below: int = 0  # access tokens with a lower serial are revoked
    _current: tuple[int, float] | None = None  # serial and expiry of the newest access token
    _threads: list[threading.Thread] = field(default_factory=list)
    _quota_day: str = ""
    _sent_today: int = 0

    # -- tokens -----------------------------------------------------------------------------
    def _sign(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()[:24]

    def refresh(self, refresh_token: str) -> dict[str, str] | None:
        """New tokens for a valid, unused refresh token; None when Zalo would refuse it."""
        with self.lock:
            if not self._refresh_token_valid(refresh_token):
                self.reused_refresh_tokens += refresh_token in self._used_refresh
                return None
            self._used_refresh.add(refresh_token)
            now = time.time()
            self.refreshes.append(Refresh(datetime.now(UTC), self._current_state(now)))
            serial = next(self._serial)
            expires = now + self.token_ttl_s
            self._current = (serial, expires)
            access = f"at.{serial}.{int(expires)}"
            nonce = secrets.token_hex(6)
            return {
                "access_token": f"{access}.{self._sign(access)}",
                "refresh_token": f"rt.{nonce}.{self._sign('rt.' + nonce)}",
                "expires_in": str(self.token_ttl_s),
            }

    def _refresh_token_valid(self, token: str) -> bool:
        if token in self._used_refresh:
            return False
        if token == SANDBOX_ZALO_REFRESH_TOKEN:
            return True
        body, _, signature = token.rpartition(".")
        return body.startswith("rt.") and hmac.compare_digest(self._sign(body), signature)

    def _current_state(self, now: float) -> str:
        if self._current is None:
            return "none"
        serial, expires = self._current
        if serial < self._revoked_below:
            return "revoked"
        if expires <= now:
            return "expired"
        return "expiring" if expires - now <= self.refresh_margin_s else "fresh"

    def access_token_valid(self, token: str) -> bool:
        body, _, signature = token.rpartition(".")
        parts = body.split(".")
        if (
            len(parts) != 3
            or parts[0] != "at"
            or not hmac.compare_digest(self._sign(body), signature)
        ):
            return False
        serial, expires = int(parts[1]), int(parts[2])
        return serial >= self._revoked_below and expires > time.time()

    def revoke_tokens(self) -> None:
        """Every access token issued so far stops working (an expiry in the middle of a run)."""
        with self.lock:
            self._revoked_below = (self._current[0] + 1) if self._current else 0

    # -- accounts, templates, faults --------------------------------------------------------
    def has_zalo(self, phone84: str) -> bool:
        """Numbers set by the admin API; others by their last digit (0-2: no Zalo, ~30%)."""
        with self.lock:
            known = self.accounts.get(phone84)
        return known if known is not None else phone84[-1] not in "012"

    def add_fault(self, number: str, kind: str, times: int | None = 1) -> None:
        if kind not in CODE_FAULTS | OTHER_FAULTS:
            raise ValueError(f"unknown Zalo fault {kind!r}")
        with self.lock:
            self.faults.setdefault(number, []).append([kind, times])

    def take_fault(self, phone84: str) -> str | None:
        with self.lock:
            for key in (phone84, "*"):
                queue = self.faults.get(key, [])
                if queue:
                    kind, left = queue[0]
                    if left is not None:
                        queue[0][1] = int(str(left)) - 1
                        if int(str(left)) <= 1:
                            queue.pop(0)
                    return str(kind)
        return None

    # -- sends ------------------------------------------------------------------------------
    def check_send(self, body: dict[str, object]) -> tuple[int, str, str]:
        """Zalo's checks in its order: (error code or 0, phone 84..., our template name)."""
        match = _PHONE.match(str(body.get("phone", "")))
        if match is None:
            return -108, "", ""
        phone = "84" + match.group(2)
        template_id = str(body.get("template_id", ""))
        template = next((k for k, v in SANDBOX_ZALO_TEMPLATES.items() if v == template_id), "")
        if not template:
            return -109, phone, ""
        if template_id in self.rejected_templates:
            return -131, phone, template
        data = body.get("template_data")
        try:
            check_data(template, data if isinstance(data, dict) else {})
        except ZnsDataError:
            return -112, phone, template
        if self.night is not None and self._is_night():
            return -133, phone, template
        if not self.has_zalo(phone):
            return -118, phone, template
        if self._quota_left() <= 0:
            return -144, phone, template
        return 0, phone, template

    def _is_night(self) -> bool:
        start, end = self.night or ZALO_NIGHT
        local = datetime.now(ZoneInfo(self.timezone)).time()
        return local >= start or local < end if start > end else start <= local < end

    def _quota_left(self) -> int:
        today = datetime.now(ZoneInfo(self.timezone)).date().isoformat()
        with self.lock:
            if today != self._quota_day:
                self._quota_day, self._sent_today = today, 0
            return self.daily_quota - self._sent_today

    def create(
        self, phone: str, template: str, data: dict[str, str], tracking_id: str
    ) -> ZnsMessage:
        message = ZnsMessage(
            msg_id=secrets.token_hex(16),
            phone=phone,
            template=template,
            template_id=SANDBOX_ZALO_TEMPLATES[template],
            data=dict(data),
            text=render_text(template, data),
            tracking_id=tracking_id,
            sent_at=datetime.now(UTC),
        )
        with self.lock:
            self.messages.append(message)
            self._sent_today += 1
        return message

    def remaining_quota(self) -> int:
        return self._quota_left()

    def snapshot(self) -> list[ZnsMessage]:
        with self.lock:
            return list(self.messages)

    # -- delivery webhooks ------------------------------------------------------------------
    def deliver_later(self, message: ZnsMessage) -> None:
        thread = threading.Thread(target=self._deliver, args=(message,), daemon=True)
        with self.lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _deliver(self, message: ZnsMessage) -> None:
        time.sleep(self.receipt_delay_s + random.uniform(0, self.receipt_jitter_s))
        with self.lock:
            message.received_at = datetime.now(UTC)
        self.post_receipt(message)

    def post_receipt(self, message: ZnsMessage) -> int | str:
        """Post ``user_received_message`` for ``message`` (again, for a duplicate)."""
        if not self.webhook_url or message.received_at is None:
            return "no webhook"
        stamp = str(int(time.time() * 1000))
        body = receipt_body(self.app_id, message, stamp)
        signature = webhook_signature(self.app_id, body, stamp, self.oa_secret)
        headers = {"Content-Type": "application/json", "X-ZEvent-Signature": signature}
        try:
            outcome: int | str = requests.post(
                self.webhook_url, data=body, headers=headers, timeout=10
            ).status_code
        except requests.RequestException as error:
            outcome = f"error: {error.__class__.__name__}"
        with self.lock:
            self.webhook_log.append((message.msg_id, outcome))
        return outcome

    def wait_idle(self, timeout_s: float = 10.0) -> None:
        deadline = time.monotonic() + timeout_s
        with self.lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def reset(self) -> None:
        with self.lock:
            self.messages.clear()
            self.faults.clear()
            self.accounts.clear()
            self.rejected_templates.clear()
            self.refreshes.clear()
            self.webhook_log.clear()
            self.reused_refresh_tokens = self.rejected_tokens = 0
