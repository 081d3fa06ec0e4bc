"""The household register of a hamlet: who lives where, and what they may need at the door.

A household is keyed by its own code, stable within a commune (the commune's register number),
so a re-import updates it and never adds a second one. Without a known location it stands at
its hamlet's centre, flagged, so a walk list says "ask the way" instead of a false pin.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, Timestamps
from dispatch.models.geo import Hamlet


class AtHome:
    """When the household is known to be at home (windows of its campaign visits)."""

    ANY = "any"  # someone is home most of the day (elderly, small shop)
    FARMER = "farmer"  # in the fields: early morning and evening only
    EVENING = "evening"  # works away in the day
    ALL = (ANY, FARMER, EVENING)


class Household(Timestamps, Base):
    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("commune_code", "code", name="uq_household_commune_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    hamlet_code: Mapped[str] = mapped_column(ForeignKey("hamlet.code"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    head_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164 when known
    lat: Mapped[float]
    lon: Mapped[float]
    location_is_hamlet_centre: Mapped[bool] = mapped_column(default=False)
    no_smartphone: Mapped[bool] = mapped_column(default=False)
    elderly: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    khmer_speaking: Mapped[bool] = mapped_column(default=False)
    at_home: Mapped[str] = mapped_column(String(16), default=AtHome.ANY)
    # "Nobody home" answers in a row; at MISSES_FOR_HEAD the hamlet head is asked to help.
    misses: Mapped[int] = mapped_column(default=0)
    flagged_at: Mapped[datetime | None]

    hamlet: Mapped[Hamlet] = relationship()
    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="HouseholdMember.id"
    )

    def needs(self) -> list[str]:
        flags = ("no_smartphone", "elderly", "disabled", "khmer_speaking")
        return [flag for flag in flags if getattr(self, flag)]


class HouseholdMember(Base):
    __tablename__ = "household_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    birth_year: Mapped[int | None]
    # Able to use a smartphone for the family: the campaign's "digital core" of the household.
    digital_core: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)

    household: Mapped[Household] = relationship(back_populates="members")
