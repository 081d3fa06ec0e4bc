"""Volunteers (with weekly shifts and dated exceptions) and residents."""

from __future__ import annotations

import re
from datetime import date, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from dispatch.models.base import Base, Timestamps
from dispatch.models.geo import Hamlet, Team

E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def check_e164(phone: str) -> str:
    """Phones are stored in E.164 (+84912345678); callers normalise with notifications.phone."""
    if not E164.match(phone):
        raise ValueError(f"phone must be E.164 like +84912345678, got {phone!r}")
    return phone


class PreferredChannel:
    SMS = "sms"
    WEB = "web"
    ALL = (SMS, WEB)


class Volunteer(Timestamps, Base):
    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)  # E.164, e.g. +84912345678
    name: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    home_lat: Mapped[float]
    home_lon: Mapped[float]
    skills: Mapped[list[str]] = mapped_column(default=list)  # catalogue keys
    languages: Mapped[list[str]] = mapped_column(default=lambda: ["vi"])  # "vi", "km", "en"
    max_visits_per_shift: Mapped[int] = mapped_column(default=4)
    preferred_channel: Mapped[str] = mapped_column(String(16), default=PreferredChannel.SMS)
    opted_out: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    team: Mapped[Team] = relationship()
    shifts: Mapped[list[VolunteerShift]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="VolunteerShift.id"
    )
    exceptions: Mapped[list[ShiftException]] = relationship(
        back_populates="volunteer", cascade="all, delete-orphan", order_by="ShiftException.id"
    )

    @validates("phone")
    def _check_phone(self, _key: str, phone: str) -> str:
        return check_e164(phone)

    def planning_skills(self) -> frozenset[str]:
        """Skills as the scheduler sees them: catalogue keys plus ``lang:xx`` per language."""
        return frozenset(self.skills) | {f"lang:{code}" for code in self.languages}


class VolunteerShift(Base):
    """A weekly shift in local time: weekday 0 = Monday."""

    __tablename__ = "volunteer_shift"
    __table_args__ = (
        CheckConstraint("weekday >= 0 AND weekday <= 6", name="weekday_range"),
        CheckConstraint("start_local < end_local", name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]
    start_local: Mapped[time]
    end_local: Mapped[time]

    volunteer: Mapped[Volunteer] = relationship(back_populates="shifts")


class ExceptionKind:
    OFF = "off"  # not available: the whole day, or only start..end when given
    EXTRA = "extra"  # an extra shift on that date
    ALL = (OFF, EXTRA)


class ShiftException(Base):
    __tablename__ = "shift_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(
        ForeignKey("volunteer.id", ondelete="CASCADE"), index=True
    )
    on_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(8))
    start_local: Mapped[time | None]
    end_local: Mapped[time | None]
    note: Mapped[str | None] = mapped_column(Text)

    volunteer: Mapped[Volunteer] = relationship(back_populates="exceptions")


class Resident(Timestamps, Base):
    """Someone asking for help. One phone may serve a household, so phone is not unique."""

    __tablename__ = "resident"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)  # E.164
    name: Mapped[str | None] = mapped_column(String(120))
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    hamlet_code: Mapped[str | None] = mapped_column(ForeignKey("hamlet.code"))
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    language: Mapped[str] = mapped_column(String(8), default="vi")

    hamlet: Mapped[Hamlet | None] = relationship()

    @validates("phone")
    def _check_phone(self, _key: str, phone: str) -> str:
        return check_e164(phone)
