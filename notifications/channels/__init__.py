"""SMS channel adapters behind one port (``SmsChannel``)."""

from notifications.channels.base import (
    PermanentSendError,
    ProviderMessage,
    RetryableSendError,
    SendError,
    SendResult,
    SmsChannel,
)
from notifications.channels.memory import InMemoryChannel

__all__ = [
    "InMemoryChannel",
    "PermanentSendError",
    "ProviderMessage",
    "RetryableSendError",
    "SendError",
    "SendResult",
    "SmsChannel",
]
