"""Texts that list a volunteer's visits by letter, and a resident's wished time in words.

A list must keep its SMS within two segments: a digest of offers lists each in full (kind,
hamlet, time) or is not sent as a digest at all (each offer then goes alone); a question
("which one?") shortens its items until it fits, down to the bare letters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from dispatch.clock import to_local
from dispatch.models import Assignment
from notifications.templates import KIND_SHORT, format_clock, format_when
from notifications.understand import DAY, PARTS

MAX_SEGMENTS = 2
_WEEKDAY = {"vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}  # fmt: skip
_PART_WORDS = {
    "vi": {"morning": "sáng", "afternoon": "chiều", "evening": "tối"},
    "en": {"morning": "morning", "afternoon": "afternoon", "evening": "evening"},
}


def letter_of(assignment: Assignment) -> str:
    return assignment.letter or "?"


def short_when(moment: datetime, lang: str) -> str:
    """``8h30 T3``: the clock and weekday (offers are at most a few days ahead)."""
    return f"{format_clock(moment, lang)} {_WEEKDAY[lang][to_local(moment).weekday()]}"


def item(assignment: Assignment, hamlet: str, lang: str, detail: int) -> str:
    """One visit in a list: 2 in full, 1 kind and time, 0 the letter alone."""
    letter = letter_of(assignment)
    kind = KIND_SHORT.get(assignment.request.kind, {}).get(lang, assignment.request.kind)
    when = short_when(assignment.start_at, lang)
    if detail >= 2:
        return f"{letter}) {kind}, {hamlet}, {when}"
    if detail == 1:
        return f"{letter}) {kind} {when}"
    return letter


def listing(
    assignments: Sequence[Assignment],
    hamlet_of: Callable[[Assignment], str],
    lang: str,
    fits: Callable[[dict[str, object]], bool],
    *,
    details: tuple[int, ...] = (2, 1, 0),
) -> dict[str, object] | None:
    """Template values (``items``, ``first``, ``count``) at the most detailed level that
    ``fits`` accepts; None when none does."""
    for detail in details:
        separator = "; " if detail else ", "
        values: dict[str, object] = {
            "items": separator.join(item(a, hamlet_of(a), lang, detail) for a in assignments),
            "first": letter_of(assignments[0]),
            "count": len(assignments),
        }
        if fits(values):
            return values
    return None


def wished_text(windows: Sequence[tuple[datetime, datetime]], lang: str) -> str:
    """A resident's windows in words: ``sáng T3 2/12``, else ``21h30-23h00 T3 2/12``."""
    return " / ".join(_window_text(start, end, lang) for start, end in windows[:2])


def _window_text(start: datetime, end: datetime, lang: str) -> str:
    local_start, local_end = to_local(start), to_local(end)
    day = format_when(start, lang).split(" ", 1)[1]  # "T3 2/12" / "Tue 2 Dec"
    if (local_start.time(), local_end.time()) == DAY:
        return day
    for part, (part_start, part_end) in PARTS.items():
        if local_end.time() == part_end and local_start.time() >= part_start:
            word = _PART_WORDS[lang][part]
            return f"{word} {day}" if lang == "vi" else f"{day} {word}"
    return f"{format_clock(start, lang)}-{format_clock(end, lang)} {day}"
