"""Delivery rules as data and pure functions: how long to wait between attempts, status
order, quiet hours. No I/O here, so each rule is tested on its own.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

#: 21610: the carrier says the recipient unsubscribed; we must not text them until START.
#: (Which errors are permanent is the channel adapters' call: they raise PermanentSendError.)
OPT_OUT_ERROR_CODE = 21610

MAX_ATTEMPTS = 8
BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 900.0


def backoff_seconds(attempt: int, rng: random.Random | None = None) -> float:
    """Delay before attempt ``attempt + 1`` (attempt counts from 1): exponential with jitter.

    "Equal jitter": half the exponential delay is fixed, half random, so retries of many
    messages after one outage spread out instead of hitting the provider together.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    rng = rng or random.Random()
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2 ** (attempt - 1))
    return float(ceiling / 2 + rng.uniform(0, ceiling / 2))


# -- status order -----------------------------------------------------------------------------

#: Provider statuses in the order a message moves through them; finals share the top rank so
#: a late "sent" never overwrites "delivered", and one final never replaces another.
STATUS_RANK: dict[str, int] = {
    "pending": 0,  # our own: row written, not handed to the provider yet
    "scheduled": 0,  # our own: held until quiet hours end
    "accepted": 1,
    "queued": 2,
    "sending": 3,
    "sent": 4,
    "delivered": 5,
    "undelivered": 5,
    "failed": 5,
    "read": 6,
}
FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "read"})


def status_moves_forward(current: str, new: str) -> bool:
    """True when ``new`` may replace ``current`` (unknown statuses never replace known ones)."""
    if new not in STATUS_RANK:
        return False
    if current in FINAL_STATUSES and new != "read":
        return False
    return STATUS_RANK[new] > STATUS_RANK.get(current, -1)


# -- quiet hours ------------------------------------------------------------------------------


def in_quiet_hours(moment: datetime, quiet: tuple[time, time] | None, tz: str) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    local = moment.astimezone(ZoneInfo(tz)).time()
    if start <= end:  # e.g. 12:00-14:00
        return start <= local < end
    return local >= start or local < end  # wraps midnight, e.g. 21:00-07:00


#: ZNS refuses sends in these local hours (error -133).
ZALO_NIGHT = (time(22, 0), time(6, 0))


def zalo_morning(
    moment: datetime, quiet: tuple[time, time] | None, tz: str = "Asia/Ho_Chi_Minh"
) -> datetime:
    """When a message Zalo refused as "night" may go: the next 06:00 local (or the end of our
    own quiet hours, when they end later)."""
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    day = local.date() if local.time() < ZALO_NIGHT[1] else local.date() + timedelta(days=1)
    morning = datetime.combine(day, ZALO_NIGHT[1], tzinfo=zone).astimezone(UTC)
    return quiet_hours_end(morning, quiet, tz)


def quiet_hours_end(moment: datetime, quiet: tuple[time, time] | None, tz: str) -> datetime:
    """``moment`` itself when sending is allowed, else the UTC instant the quiet hours end."""
    if quiet is None or not in_quiet_hours(moment, quiet, tz):
        return moment
    zone = ZoneInfo(tz)
    local = moment.astimezone(zone)
    end = quiet[1]
    day: date = local.date()
    if local.time() >= end:  # evening part of a window that wraps midnight
        day = day + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)
