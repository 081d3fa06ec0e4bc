"""The request dialogue as pure logic, and wished times as windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dispatch.clock import local_to_utc
from notifications.dialogue import Draft, Heard, merge, next_question
from notifications.understand import PARTS, windows_for


def test_asks_kind_then_hamlet_then_is_complete() -> None:
    draft = merge(Draft(), Heard("alo"))
    assert next_question(draft) == "ask_kind"
    draft = merge(draft, Heard("vneid", kind="vneid"))
    assert next_question(draft) == "ask_hamlet"
    draft = merge(draft, Heard("ap 2", hamlet_code="AM-02", commune_code="AM"))
    assert next_question(draft) is None
    assert draft.texts == ("alo", "vneid", "ap 2")


def test_new_facts_win_and_silence_keeps_old_ones() -> None:
    draft = Draft(kind="vneid", hamlet_code="A-1", commune_code="A", part="morning")
    corrected = merge(draft, Heard("nham, ap 2", hamlet_code="A-2"))
    assert (corrected.kind, corrected.hamlet_code, corrected.part) == ("vneid", "A-2", "morning")


def test_draft_survives_json() -> None:
    draft = Draft("e_payment", "A", "A-1", date(2026, 12, 2), "afternoon", ("giup", "ap 1"))
    assert Draft.from_json(draft.to_json()) == draft


def test_windows_for_day_and_part() -> None:
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 10:00 local
    assert windows_for(None, None, now) == []
    (tomorrow_morning,) = windows_for(date(2026, 12, 2), "morning", now)
    assert tomorrow_morning.start == local_to_utc(date(2026, 12, 2), PARTS["morning"][0])
    assert tomorrow_morning.end == local_to_utc(date(2026, 12, 2), PARTS["morning"][1])
    # "sáng" with no day at 10:00: what is left of this morning.
    (this_morning,) = windows_for(None, "morning", now)
    assert this_morning.start == now
    # "chiều" at 18:00: tomorrow afternoon.
    evening = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    (afternoon,) = windows_for(None, "afternoon", evening)
    assert afternoon.start == local_to_utc(date(2026, 12, 2), PARTS["afternoon"][0])
    # A whole day when only the day is given; a day already over gives nothing.
    (whole,) = windows_for(date(2026, 12, 3), None, now)
    assert whole.end - whole.start == timedelta(hours=14)
    assert windows_for(date(2026, 11, 30), None, now) == []
