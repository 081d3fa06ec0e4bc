"""Time helpers: everything is stored in UTC and shown in Asia/Ho_Chi_Minh."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is refused (its meaning would be a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} (give a timezone)")
    return value.astimezone(UTC)


def local_to_utc(day: date, at: time) -> datetime:
    """A local wall-clock time on a local day, as a UTC instant."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    return as_utc(value).astimezone(LOCAL_TZ)
