"""Door-to-door campaigns: the plan (visits in walk lists) and what happened at each door."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, StatusType, Timestamps
from dispatch.models.households import Household
from dispatch.models.people import Volunteer


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    CLOSED = "closed"


class DoorStatus(StrEnum):
    """A campaign visit: planned, then one outcome; "dropped" when a re-plan took it out."""

    PLANNED = "planned"
    DONE = "done"
    NOBODY_HOME = "nobody_home"
    REFUSED = "refused"
    COME_BACK = "come_back"
    DROPPED = "dropped"


class Campaign(Timestamps, Base):
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    hamlets: Mapped[list[str]] = mapped_column(default=list)  # hamlet codes
    checklist: Mapped[list[str]] = mapped_column(default=list)  # dispatch.campaign_items keys
    first_day: Mapped[date]
    last_day: Mapped[date]
    status: Mapped[CampaignStatus] = mapped_column(
        StatusType(CampaignStatus), default=CampaignStatus.DRAFT
    )
    created_by: Mapped[str] = mapped_column(String(80), default="")
    # Walk in pairs: two volunteers of a team with overlapping shifts share one list.
    in_pairs: Mapped[bool] = mapped_column(default=False)

    visits: Mapped[list[CampaignVisit]] = relationship(
        back_populates="campaign", order_by="CampaignVisit.id"
    )


class CampaignVisit(Base):
    """One household on one volunteer's walk list of one day, at ``route_order``."""

    __tablename__ = "campaign_visit"
    __table_args__ = (
        Index("ix_campaign_visit_campaign_day", "campaign_id", "day"),
        Index("ix_campaign_visit_volunteer_day", "volunteer_id", "day"),
        Index("ix_campaign_visit_partner_day", "partner_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    # The second volunteer of a pair walking the list together (None: walked alone).
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"))
    day: Mapped[date]
    route_order: Mapped[int]
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[DoorStatus] = mapped_column(StatusType(DoorStatus), default=DoorStatus.PLANNED)
    # The part of the day a "nobody home" happened in, so the next try goes at another part.
    part_of_day: Mapped[str] = mapped_column(String(12))

    campaign: Mapped[Campaign] = relationship(back_populates="visits")
    household: Mapped[Household] = relationship()
    volunteer: Mapped[Volunteer] = relationship(foreign_keys=[volunteer_id])
    partner: Mapped[Volunteer | None] = relationship(foreign_keys=[partner_id])
    outcome: Mapped[DoorOutcome | None] = relationship(back_populates="visit", uselist=False)

    def walked_by(self, volunteer_id: int) -> bool:
        return volunteer_id in (self.volunteer_id, self.partner_id)


class DoorOutcome(Base):
    """What happened at the door (one per visit; recorded from the phone page or by SMS)."""

    __tablename__ = "door_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("campaign_visit.id"), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    status: Mapped[DoorStatus] = mapped_column(StatusType(DoorStatus))
    done_items: Mapped[list[str]] = mapped_column(default=list)
    come_back_at: Mapped[datetime | None]
    digital_core_member_id: Mapped[int | None] = mapped_column(
        ForeignKey("household_member.id", ondelete="SET NULL")
    )
    difficulties: Mapped[list[str]] = mapped_column(default=list)  # codes, campaign_items
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime]
    recorded_via: Mapped[str] = mapped_column(String(16))  # "web" or "sms"

    visit: Mapped[CampaignVisit] = relationship(back_populates="outcome")
