"""Door reports by SMS: codes with and without diacritics; anything else is not one."""

from __future__ import annotations

from datetime import time

import pytest

from dispatch.models import DoorStatus
from notifications.door_replies import DoorReply, parse_door_reply
from notifications.walk_sms import split_items

D, V, H, T = DoorStatus.DONE, DoorStatus.NOBODY_HOME, DoorStatus.COME_BACK, DoorStatus.REFUSED


@pytest.mark.parametrize(
    "text,expected",
    [
        ("3 X, 4 V, 5 H 16h", [DoorReply(3, D), DoorReply(4, V), DoorReply(5, H, time(16))]),
        ("3x 4v 5h16h30", [DoorReply(3, D), DoorReply(4, V), DoorReply(5, H, time(16, 30))]),
        (
            "1 xong; 2 vắng nhà; 3 hẹn lại 8g",
            [DoorReply(1, D), DoorReply(2, V), DoorReply(3, H, time(8))],
        ),
        ("7 từ chối", [DoorReply(7, T)]),
        ("7 TU CHOI, 8 tc", [DoorReply(7, T), DoorReply(8, T)]),
        ("12 Vang", [DoorReply(12, V)]),
        ("5 H 7:45", [DoorReply(5, H, time(7, 45))]),
    ],
)
def test_door_reports(text: str, expected: list[DoorReply]) -> None:
    assert parse_door_reply(text) == expected


@pytest.mark.parametrize(
    "text",
    ["xong", "1", "1B", "XONG B", "giup cai vneid", "5 H", "3 X 16h", "5 H 25h", "3 X hello", ""],
)
def test_not_door_reports(text: str) -> None:
    assert parse_door_reply(text) is None


def test_split_items_keeps_order_and_limit() -> None:
    items = [f"{n}) 7h{n:02d} Nguyễn Văn Số {n}, tổ {n}" for n in range(1, 12)]

    def segments(chunk: list[str]) -> int:
        return 1 + len("; ".join(chunk)) // 120

    parts = split_items(items, segments)
    assert [i for p in parts for i in p] == items
    assert all(segments(p) <= 2 for p in parts) and len(parts) > 1
