"""Fixtures: the Twilio sandbox on a real port and a sink that records status callbacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from notifications.channels.twilio_channel import TwilioChannel
from notifications.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    SANDBOX_FROM_NUMBER,
    RunningSandbox,
    start_sandbox,
)
from notifications.sandbox.server import QuietRequestHandler


@dataclass
class CallbackSink:
    url: str
    received: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def statuses(self) -> list[str]:
        with self.lock:
            return [form["MessageStatus"] for _, form, _ in self.received]


@pytest.fixture
def callback_sink() -> Iterator[CallbackSink]:
    sink = CallbackSink(url="")

    @Request.application
    def app(request: Request) -> Response:
        with sink.lock:
            sink.received.append(
                (request.url, request.form.to_dict(), dict(request.headers.items()))
            )
        return Response("", 204)

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    sink.url = f"http://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def sandbox() -> Iterator[RunningSandbox]:
    running = start_sandbox(callback_delay_s=0.01, timeout_delay_s=1.5)
    yield running
    running.stop()


def sandbox_channel(sandbox: RunningSandbox, public_url: str, timeout_s: float) -> TwilioChannel:
    return TwilioChannel(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        public_url=public_url,
        from_number=SANDBOX_FROM_NUMBER,
        api_base_url=sandbox.url,
        timeout_s=timeout_s,
    )


@pytest.fixture
def channel(sandbox: RunningSandbox, callback_sink: CallbackSink) -> TwilioChannel:
    # Patient: these tests ask what the provider answers, not how fast; a half-second read
    # timeout ran out on a loaded CI machine. The timeout-fault test makes its own short one.
    return sandbox_channel(sandbox, callback_sink.url, 10.0)
