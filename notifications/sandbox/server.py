"""Run the sandbox on a real port, in a background thread (tests) or in the foreground."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from notifications.sandbox.app import create_sandbox_app
from notifications.sandbox.store import SandboxState

# Fixed development credentials: the sandbox is local and never sees a real account.
SANDBOX_ACCOUNT_SID = "AC" + "d00257e9" * 4
SANDBOX_AUTH_TOKEN = "sandbox-auth-token-not-secret"
SANDBOX_FROM_NUMBER = "+84900000000"


def twilio_sandbox_env(url: str) -> dict[str, str]:
    """TWILIO_ settings naming the fake Twilio at ``url`` as if it were a real account."""
    return {
        "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SANDBOX_FROM_NUMBER,
        "TWILIO_API_BASE_URL": url,
    }


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (tests send hundreds; threads outlive captures)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class _Settling(Protocol):
    def wait_idle(self, timeout_s: float = ...) -> None: ...


StateT = TypeVar("StateT", bound=_Settling)


@dataclass
class RunningSandbox(Generic[StateT]):
    """A fake provider served in a thread (the Twilio one, or the Zalo one)."""

    state: StateT
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://{self.server.host}:{self.server.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.state.wait_idle(5)


def start_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    account_sid: str = SANDBOX_ACCOUNT_SID,
    auth_token: str = SANDBOX_AUTH_TOKEN,
    callback_delay_s: float = 0.05,
    timeout_delay_s: float = 3.0,
    quiet: bool = True,
) -> RunningSandbox[SandboxState]:
    """Serve the sandbox in a daemon thread; ``port=0`` picks a free port (see ``.url``)."""
    state = SandboxState(
        account_sid,
        auth_token,
        callback_delay_s=callback_delay_s,
        timeout_delay_s=timeout_delay_s,
    )
    handler = QuietRequestHandler if quiet else WSGIRequestHandler
    server = make_server(
        host, port, create_sandbox_app(state), threaded=True, request_handler=handler
    )
    thread = threading.Thread(
        target=server.serve_forever, args=(0.05,), name="twilio-sandbox", daemon=True
    )
    thread.start()
    return RunningSandbox(state, server, thread)
