"""The local sandboxes ``doorstep up`` starts beside the app (fake Twilio, fake Zalo), and the
ports they listen on: only when no real provider's credentials are set."""

from __future__ import annotations

import importlib.util
import sys

from dispatch.settings import Settings


def sms_sandbox_argv(settings: Settings) -> list[str] | None:
    """The local SMS sandbox (fake Twilio API), when no Twilio credentials are set."""
    if settings.twilio is not None:
        return None
    port = free_sandbox_port(settings.sms_sandbox_url, "SMS")
    if port is None:
        return None
    return [sys.executable, "-m", "notifications.sandbox", "--port", str(port)]


def zalo_sandbox_argv(settings: Settings) -> list[str] | None:
    """The fake Zalo (OAuth, ZNS, signed receipts to our webhook), when no Zalo credentials
    are set and the SMS sandbox is in use: development only (see notifications.wiring)."""
    if settings.zalo is not None or settings.twilio is not None:
        return None
    port = free_sandbox_port(settings.zalo_sandbox_url, "Zalo")
    if port is None:
        return None
    webhook = settings.public_url + "/webhooks/zalo"
    argv = [sys.executable, "-m", "notifications.sandbox", "--zalo", "--port", str(port)]
    return [*argv, "--webhook-url", webhook]


def free_sandbox_port(url: str, what: str) -> int | None:
    """The port of a local sandbox URL, or None when one already answers there."""
    from urllib.parse import urlsplit

    if importlib.util.find_spec("notifications.sandbox") is None:
        return None
    port = urlsplit(url).port or 80
    if port_in_use("127.0.0.1", port):
        print(f"up       | port {port} busy: using the {what} sandbox already running there")
        return None
    return port


def port_in_use(host: str, port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0
