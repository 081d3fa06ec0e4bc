"""Volunteers' availability: weekly shifts and days off, each change audited and re-planned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from dispatch import outbox
from dispatch.clock import as_utc
from dispatch.events import ReplanRequested, VolunteerAvailabilityChanged
from dispatch.models import AuditLog, ExceptionKind, ShiftException, Volunteer, VolunteerShift
from dispatch.services.errors import InvalidCommand, NotFound
from dispatch.services.unit_of_work import atomic


@dataclass(frozen=True)
class WeeklyShift:
    weekday: int  # 0 = Monday
    start: time
    end: time


@dataclass(frozen=True)
class SetWeeklyShifts:
    volunteer_id: int
    shifts: tuple[WeeklyShift, ...]
    actor: str


@dataclass(frozen=True)
class AddDayOff:
    volunteer_id: int
    day: date
    actor: str
    note: str | None = None


@dataclass(frozen=True)
class RemoveDayOff:
    volunteer_id: int
    exception_id: int
    actor: str


def _volunteer(session: Session, volunteer_id: int) -> Volunteer:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        raise NotFound("volunteer", volunteer_id)
    return volunteer


def _shift_list(volunteer: Volunteer) -> list[dict[str, object]]:
    return [
        {"weekday": s.weekday, "start": s.start_local.isoformat(), "end": s.end_local.isoformat()}
        for s in volunteer.shifts
    ]


def _days_off(volunteer: Volunteer) -> list[str]:
    return [e.on_date.isoformat() for e in volunteer.exceptions if e.kind == ExceptionKind.OFF]


def _record(
    session: Session,
    volunteer: Volunteer,
    actor: str,
    action: str,
    before: dict[str, object],
    now: datetime,
) -> None:
    outbox.record(
        session,
        VolunteerAvailabilityChanged(
            commune_code=volunteer.commune_code, volunteer_id=volunteer.id, by=actor
        ),
    )
    after = {"shifts": _shift_list(volunteer), "days_off": _days_off(volunteer)}
    session.add(
        AuditLog(
            at=now,
            actor=actor,
            action=action,
            entity_type="volunteer",
            entity_id=str(volunteer.id),
            before=before,
            after=after,
            commune_code=volunteer.commune_code,
        )
    )


def set_weekly_shifts(session: Session, cmd: SetWeeklyShifts, now: datetime) -> Volunteer:
    """Replace the volunteer's weekly shifts (overlapping shifts of one day are refused)."""
    now = as_utc(now)
    for shift in cmd.shifts:
        if not 0 <= shift.weekday <= 6:
            raise InvalidCommand(f"weekday {shift.weekday} is not 0..6")
        if shift.start >= shift.end:
            raise InvalidCommand(f"shift {shift.start}-{shift.end} ends before it starts")
    ordered = sorted(cmd.shifts, key=lambda s: (s.weekday, s.start))
    for first, second in zip(ordered, ordered[1:], strict=False):
        if first.weekday == second.weekday and second.start < first.end:
            raise InvalidCommand(f"shifts overlap on weekday {first.weekday}")
    with atomic(session):
        volunteer = _volunteer(session, cmd.volunteer_id)
        before: dict[str, object] = {"shifts": _shift_list(volunteer)}
        volunteer.shifts.clear()
        session.flush()
        for shift in ordered:
            volunteer.shifts.append(
                VolunteerShift(weekday=shift.weekday, start_local=shift.start, end_local=shift.end)
            )
        volunteer.updated_at = now
        session.flush()
        _record(session, volunteer, cmd.actor, "volunteer.shifts", before, now)
    return volunteer


def add_day_off(session: Session, cmd: AddDayOff, now: datetime) -> ShiftException:
    now = as_utc(now)
    with atomic(session):
        volunteer = _volunteer(session, cmd.volunteer_id)
        existing = next(
            (
                e
                for e in volunteer.exceptions
                if e.on_date == cmd.day and e.kind == ExceptionKind.OFF and e.start_local is None
            ),
            None,
        )
        if existing is not None:
            return existing
        before: dict[str, object] = {"days_off": _days_off(volunteer)}
        day_off = ShiftException(on_date=cmd.day, kind=ExceptionKind.OFF, note=cmd.note)
        volunteer.exceptions.append(day_off)
        session.flush()
        _record(session, volunteer, cmd.actor, "volunteer.day_off", before, now)
    return day_off


def remove_day_off(session: Session, cmd: RemoveDayOff, now: datetime) -> None:
    now = as_utc(now)
    with atomic(session):
        volunteer = _volunteer(session, cmd.volunteer_id)
        found = next((e for e in volunteer.exceptions if e.id == cmd.exception_id), None)
        if found is None:
            raise NotFound("day off", cmd.exception_id)
        before: dict[str, object] = {"days_off": _days_off(volunteer)}
        volunteer.exceptions.remove(found)
        session.flush()
        _record(session, volunteer, cmd.actor, "volunteer.day_off_removed", before, now)


def request_replan(session: Session, commune_code: str, actor: str, now: datetime) -> None:
    """A coordinator's "re-plan now": an event, so the relay and sweep carry it like any other."""
    now = as_utc(now)
    with atomic(session):
        outbox.record(session, ReplanRequested(commune_code=commune_code, by=actor))
        session.add(
            AuditLog(
                at=now,
                actor=actor,
                action="commune.replan",
                entity_type="commune",
                entity_id=commune_code,
                before=None,
                after=None,
                commune_code=commune_code,
            )
        )
