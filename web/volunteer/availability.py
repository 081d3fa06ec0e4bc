"""Weekly availability (up to two shifts a day) and days off; saving asks for a re-plan."""

from __future__ import annotations

from datetime import date, time

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from dispatch.clock import to_local, utcnow
from dispatch.services import availability as service
from dispatch.services.errors import DomainError
from dispatch.services.unit_of_work import unit_of_work
from web.extensions import db
from web.volunteer.auth import volunteer_required
from web.volunteer.blueprint import bp

SLOTS_PER_DAY = 2
WEEKDAYS = {
    "vi": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def _actor() -> str:
    return f"volunteer:{g.volunteer.phone}"


def _slots() -> list[list[tuple[str, str]]]:
    """Per weekday, SLOTS_PER_DAY (start, end) pairs as HH:MM ('' when free)."""
    table: list[list[tuple[str, str]]] = [[] for _day in range(7)]
    for shift in sorted(g.volunteer.shifts, key=lambda s: (s.weekday, s.start_local)):
        if len(table[shift.weekday]) < SLOTS_PER_DAY:
            table[shift.weekday].append(
                (shift.start_local.strftime("%H:%M"), shift.end_local.strftime("%H:%M"))
            )
    for day in table:
        day.extend([("", "")] * (SLOTS_PER_DAY - len(day)))
    return table


def _render(errors: list[str], status: int = 200) -> tuple[str, int]:
    language = str(get_locale() or "vi")
    today = to_local(utcnow()).date()
    days_off = sorted(
        (e for e in g.volunteer.exceptions if e.kind == "off" and e.on_date >= today),
        key=lambda e: e.on_date,
    )
    page = render_template(
        "volunteer/availability.html",
        slots=_slots(),
        weekdays=WEEKDAYS.get(language, WEEKDAYS["vi"]),
        days_off=days_off,
        errors=errors,
        today=today.isoformat(),
        title=_("My availability"),
    )
    return page, status


@bp.get("/availability")
@volunteer_required
def availability() -> tuple[str, int]:
    return _render([])


def _parse_shifts() -> tuple[list[service.WeeklyShift], list[str]]:
    shifts, errors = [], []
    names = WEEKDAYS.get(str(get_locale() or "vi"), WEEKDAYS["vi"])
    for weekday in range(7):
        for slot in range(SLOTS_PER_DAY):
            start = request.form.get(f"d{weekday}s{slot}start", "").strip()
            end = request.form.get(f"d{weekday}s{slot}end", "").strip()
            if not start and not end:
                continue
            try:
                start_t, end_t = time.fromisoformat(start), time.fromisoformat(end)
            except ValueError:
                errors.append(_("%(day)s: give both a start and an end time.", day=names[weekday]))
                continue
            if start_t >= end_t:
                errors.append(_("%(day)s: the end must be after the start.", day=names[weekday]))
                continue
            shifts.append(service.WeeklyShift(weekday, start_t, end_t))
    return shifts, errors


@bp.post("/availability")
@volunteer_required
def save_availability() -> Response | tuple[str, int]:
    shifts, errors = _parse_shifts()
    if errors:
        return _render(errors, 400)
    command = service.SetWeeklyShifts(g.volunteer.id, tuple(shifts), _actor())
    try:
        with unit_of_work(db()):
            service.set_weekly_shifts(db(), command, utcnow())
    except DomainError:
        return _render([_("Two shifts of the same day overlap.")], 400)
    flash(_("Saved. Your visits will be planned again."), "success")
    return redirect(url_for("volunteer.availability"))


@bp.post("/days-off")
@volunteer_required
def add_day_off() -> Response | tuple[str, int]:
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        return _render([_("Please choose a date.")], 400)
    if day < to_local(utcnow()).date():
        return _render([_("Please choose today or a later date.")], 400)
    note = request.form.get("note", "").strip()[:200] or None
    with unit_of_work(db()):
        service.add_day_off(db(), service.AddDayOff(g.volunteer.id, day, _actor(), note), utcnow())
    flash(_("Day off saved. Your visits will be planned again."), "success")
    return redirect(url_for("volunteer.availability"))


@bp.post("/days-off/<int:exception_id>/remove")
@volunteer_required
def remove_day_off(exception_id: int) -> Response:
    try:
        command = service.RemoveDayOff(g.volunteer.id, exception_id, _actor())
        with unit_of_work(db()):
            service.remove_day_off(db(), command, utcnow())
    except DomainError:
        flash(_("This day off no longer exists."), "error")
        return redirect(url_for("volunteer.availability"))
    flash(_("Day off removed."), "success")
    return redirect(url_for("volunteer.availability"))
