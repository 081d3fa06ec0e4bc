"""Delivery rules: backoff with jitter, status order, quiet hours."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time

import pytest

from notifications.policy import (
    BACKOFF_CAP_S,
    backoff_seconds,
    in_quiet_hours,
    quiet_hours_end,
    status_moves_forward,
)

QUIET = (time(21, 0), time(7, 0))
TZ = "Asia/Ho_Chi_Minh"


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(7)
    first = [backoff_seconds(1, rng) for _ in range(200)]
    assert 2.5 <= min(first) and max(first) <= 5.0
    assert len({round(v, 3) for v in first}) > 150  # jitter: delays differ
    third = [backoff_seconds(3, rng) for _ in range(50)]
    assert min(third) >= 10.0 and max(third) <= 20.0
    late = [backoff_seconds(30, rng) for _ in range(50)]
    assert max(late) <= BACKOFF_CAP_S and min(late) >= BACKOFF_CAP_S / 2
    with pytest.raises(ValueError):
        backoff_seconds(0)


def test_status_never_moves_backwards() -> None:
    assert status_moves_forward("pending", "queued")
    assert status_moves_forward("queued", "sent")
    assert status_moves_forward("sent", "delivered")
    assert not status_moves_forward("delivered", "sent")
    assert not status_moves_forward("sent", "queued")
    assert not status_moves_forward("delivered", "failed")
    assert not status_moves_forward("failed", "delivered")
    assert not status_moves_forward("sent", "sent")
    assert not status_moves_forward("sent", "made-up")


@pytest.mark.parametrize(
    ("utc", "quiet"),
    [
        (datetime(2026, 12, 1, 13, 59, tzinfo=UTC), False),  # 20:59 local
        (datetime(2026, 12, 1, 14, 0, tzinfo=UTC), True),  # 21:00 local
        (datetime(2026, 12, 1, 19, 0, tzinfo=UTC), True),  # 02:00 local
        (datetime(2026, 12, 1, 23, 59, tzinfo=UTC), True),  # 06:59 local
        (datetime(2026, 12, 2, 0, 0, tzinfo=UTC), False),  # 07:00 local
    ],
)
def test_in_quiet_hours(utc: datetime, quiet: bool) -> None:
    assert in_quiet_hours(utc, QUIET, TZ) is quiet
    assert in_quiet_hours(utc, None, TZ) is False


def test_quiet_hours_end_moves_to_seven_local() -> None:
    evening = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)  # 22:30 local on 1 Dec
    assert quiet_hours_end(evening, QUIET, TZ) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    night = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 03:00 local on 2 Dec
    assert quiet_hours_end(night, QUIET, TZ) == datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    day = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # noon local
    assert quiet_hours_end(day, QUIET, TZ) == day
    lunch = (time(12, 0), time(13, 30))
    assert quiet_hours_end(day, lunch, TZ) == datetime(2026, 12, 1, 6, 30, tzinfo=UTC)
