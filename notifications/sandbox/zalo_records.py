"""What the fake Zalo keeps and sends: a ZNS message, a token refresh, a delivery receipt."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from notifications.sandbox.zalo_constants import SANDBOX_ZALO_OA_ID


@dataclass
class ZnsMessage:
    msg_id: str
    phone: str  # 84...
    template: str
    template_id: str
    data: dict[str, str]
    text: str
    tracking_id: str
    sent_at: datetime
    received_at: datetime | None = None


@dataclass
class Refresh:
    at: datetime
    replaced: str  # the state of the token it replaced: fresh | expiring | expired | revoked | none


def receipt_body(app_id: str, message: ZnsMessage, stamp: str) -> bytes:
    """The ``user_received_message`` event Zalo posts when ``message`` reached the phone."""
    assert message.received_at is not None
    event = {
        "app_id": app_id,
        "event_name": "user_received_message",
        "sender": {"id": SANDBOX_ZALO_OA_ID},
        "recipient": {"id": "u" + hashlib.sha256(message.phone.encode()).hexdigest()[:16]},
        "message": {
            "msg_id": message.msg_id,
            "delivery_time": str(int(message.received_at.timestamp() * 1000)),
            "tracking_id": message.tracking_id,
        },
        "timestamp": stamp,
    }
    return json.dumps(event).encode()
