"""A bounded loopback load client: threads, each with one keep-alive HTTP connection, sending
requests built by the caller; closed loop (as fast as answers come) or open loop (paced at a
rate). Every loop stops by count and by time. Only 127.0.0.1 is ever addressed.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from twilio.request_validator import RequestValidator

from notifications.sandbox.server import SANDBOX_AUTH_TOKEN, SANDBOX_FROM_NUMBER

# method, path, body, headers; or a conversation of several requests on one client
Request = tuple[str, str, bytes, dict[str, str]]
Exchange = Request | Callable[["Client"], tuple[int, bytes]]


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds if self.seconds else 0.0

    def quantile(self, q: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=1000)[int(q * 1000) - 1]


class Client:
    """One keep-alive connection to the app on loopback."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, request: Exchange) -> tuple[int, bytes]:
        if callable(request):
            return request(self)
        status, _headers, body = self.exchange(request)
        return status, body

    def exchange(self, request: Request) -> tuple[int, http.client.HTTPMessage, bytes]:
        method, path, body, headers = request
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                answer = self.connection.getresponse()
                return answer.status, answer.headers, answer.read()
            except (http.client.HTTPException, OSError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")


def run(
    port: int,
    make: Callable[[int], Exchange],
    *,
    total: int,
    threads: int,
    seconds: float,
    rate: float | None = None,
    on_answer: Callable[[int, int, bytes], None] | None = None,
) -> Tally:
    """Send requests ``make(0..total-1)``: paced at ``rate``/s when given, else closed loop;
    stops at ``total`` or after ``seconds``."""
    tally = Tally()
    counter = iter(range(total))
    counter_lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + seconds

    def worker() -> None:
        client = Client(port)
        while True:
            with counter_lock:
                n = next(counter, None)
            if n is None or time.perf_counter() > deadline:
                return
            if rate:
                pause = started + n / rate - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
            request = make(n)
            t0 = time.perf_counter()
            try:
                status, body = client.send(request)
            except (http.client.HTTPException, OSError, ValueError):
                with tally.lock:
                    tally.errors += 1
                continue
            tally.add(status, (time.perf_counter() - t0) * 1000)
            if on_answer is not None:
                on_answer(n, status, body)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=seconds + 60)
    tally.seconds = time.perf_counter() - started
    return tally


def web_form(fields: dict[str, str], address: str) -> Callable[[Client], tuple[int, bytes]]:
    """The resident form as a browser fills it: GET the page (session cookie, CSRF token),
    then POST; a registered request answers 302 to its status page."""

    def converse(client: Client) -> tuple[int, bytes]:
        forwarded = {"X-Forwarded-For": address}
        status, headers, page = client.exchange(("GET", "/request", b"", forwarded))
        if status != 200:
            return status, page
        cookie = (headers.get("Set-Cookie") or "").split(";", 1)[0]
        marker = b'name="csrf-token" content="'
        start = page.index(marker) + len(marker)
        token = page[start : page.index(b'"', start)].decode()
        body = urllib.parse.urlencode({**fields, "csrf_token": token}).encode()
        post_headers = {
            **forwarded,
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        status, _headers, answer = client.exchange(("POST", "/request", body, post_headers))
        return status, answer

    return converse


def signed_sms(public_url: str, sid: str, sender: str, body: str) -> Request:
    """An inbound SMS webhook exactly as Twilio signs it."""
    path = "/webhooks/twilio/sms"
    params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "d00257e9" * 4,
              "From": sender, "To": SANDBOX_FROM_NUMBER, "Body": body, "NumMedia": "0"}  # fmt: skip
    signature = RequestValidator(SANDBOX_AUTH_TOKEN).compute_signature(public_url + path, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return "POST", path, urllib.parse.urlencode(params).encode(), headers
