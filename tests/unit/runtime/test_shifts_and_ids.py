"""Pure parts of the runtime: shift arithmetic of the planning adapter, job ids, settings."""

from __future__ import annotations

from datetime import date, time

import pytest

from dispatch.clock import local_to_utc
from dispatch.models import ShiftException, Volunteer, VolunteerShift
from dispatch.planning_scenario import _day_shifts, _subtract
from dispatch.queues import event_job_id, offer_expiry_job_id, plan_job_id, safe_id_part
from scheduler.types import Interval

MONDAY = date(2026, 11, 30)


def _volunteer(*exceptions: ShiftException) -> Volunteer:
    v = Volunteer(skills=["vneid"], languages=["vi"])
    v.shifts = [
        VolunteerShift(weekday=0, start_local=time(7), end_local=time(12)),
        VolunteerShift(weekday=0, start_local=time(14), end_local=time(21)),
        VolunteerShift(weekday=1, start_local=time(7), end_local=time(21)),
    ]
    v.exceptions = list(exceptions)
    return v


def _local(start: time, end: time, day: date = MONDAY) -> Interval:
    return Interval(local_to_utc(day, start), local_to_utc(day, end))


def test_weekly_shifts_of_a_day_in_utc() -> None:
    assert _day_shifts(_volunteer(), MONDAY) == [
        _local(time(7), time(12)),
        _local(time(14), time(21)),
    ]
    assert _local(time(7), time(12)).start.hour == 0  # 07:00 in Ho Chi Minh City is 00:00 UTC


def test_off_exceptions_cut_and_extra_ones_add() -> None:
    off_afternoon = ShiftException(on_date=MONDAY, kind="off", start_local=time(15),
                                   end_local=time(18))  # fmt: skip
    extra_evening = ShiftException(on_date=MONDAY, kind="extra", start_local=time(21),
                                   end_local=time(22))  # fmt: skip
    shifts = _day_shifts(_volunteer(off_afternoon, extra_evening), MONDAY)
    assert shifts == [
        _local(time(7), time(12)),
        _local(time(14), time(15)),
        _local(time(18), time(21)),
        _local(time(21), time(22)),
    ]
    whole_day = ShiftException(on_date=MONDAY, kind="off", start_local=None, end_local=None)
    assert _day_shifts(_volunteer(whole_day), MONDAY) == []


def test_subtract_keeps_untouched_pieces() -> None:
    pieces = [(time(7), time(12))]
    assert _subtract(pieces, time(13), time(14)) == pieces
    assert _subtract(pieces, time(6), time(8)) == [(time(8), time(12))]
    assert _subtract(pieces, time(6), time(13)) == []


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        ("dispatch.jobs.replan_for_event", "ev-7-dispatch_jobs_replan_for_event"),
        ("notifications.handlers.offer_made", "ev-7-notifications_handlers_offer_made"),
    ],
)
def test_event_job_ids_are_stable_and_valid_for_rq(handler: str, expected: str) -> None:
    assert event_job_id(7, handler) == expected
    assert event_job_id(7, handler) == event_job_id("7", handler)


def test_other_job_ids() -> None:
    assert plan_job_id("AG.U Minh/1") == "plan-AG_U_Minh_1"
    assert offer_expiry_job_id(12) == "expire-offer-12"
    assert safe_id_part("..a..") == "a"
