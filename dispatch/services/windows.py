"""Preferred time windows: stored on a request as [{"start": ISO, "end": ISO}] in UTC."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dispatch.clock import as_utc
from dispatch.models import HelpRequest
from dispatch.services.errors import InvalidCommand


@dataclass(frozen=True)
class TimeWindow:
    start: datetime
    end: datetime

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


def windows_to_json(windows: Iterable[TimeWindow]) -> list[dict[str, Any]]:
    out = []
    for window in windows:
        try:
            start, end = as_utc(window.start), as_utc(window.end)
        except ValueError as exc:
            raise InvalidCommand(str(exc)) from None
        if end <= start:
            raise InvalidCommand(f"window ends before it starts: {start} - {end}")
        out.append({"start": start.isoformat(), "end": end.isoformat()})
    return sorted(out, key=lambda w: w["start"])


def windows_from_json(data: Sequence[dict[str, Any]]) -> list[TimeWindow]:
    return [
        TimeWindow(datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in data
    ]


def request_windows(req: HelpRequest) -> list[TimeWindow]:
    """The request's preferred windows (empty: any time)."""
    return windows_from_json(req.preferred_windows)


def fits_windows(windows: Sequence[TimeWindow], start: datetime, end: datetime) -> bool:
    return not windows or any(w.contains(start, end) for w in windows)
