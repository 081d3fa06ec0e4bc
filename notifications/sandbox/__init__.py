"""A fake Twilio REST API for development and tests (``python -m notifications.sandbox``)."""

from notifications.sandbox.app import create_sandbox_app
from notifications.sandbox.server import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    SANDBOX_FROM_NUMBER,
    RunningSandbox,
    start_sandbox,
    twilio_sandbox_env,
)
from notifications.sandbox.store import DELIVERY_FAULTS, FAULTS, TIMEOUT_FAULT, SandboxState

__all__ = [
    "DELIVERY_FAULTS",
    "FAULTS",
    "SANDBOX_ACCOUNT_SID",
    "SANDBOX_AUTH_TOKEN",
    "SANDBOX_FROM_NUMBER",
    "TIMEOUT_FAULT",
    "RunningSandbox",
    "SandboxState",
    "create_sandbox_app",
    "start_sandbox",
    "twilio_sandbox_env",
]
