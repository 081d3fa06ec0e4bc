"""Help requests and the assignments (offers and visits) made for them."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, StatusType, Timestamps
from dispatch.models.people import Resident, Volunteer
from dispatch.states import LIVE_ASSIGNMENT_STATUSES, AssignmentStatus, RequestStatus

# No 0/O, 1/I/L: the code is read aloud and typed on phone keypads.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_status_token() -> str:
    return secrets.token_urlsafe(24)


def new_visit_code() -> str:
    return f"{secrets.randbelow(10_000):04d}"


# A volunteer's live visits each get a letter for SMS answers ("1B" accepts B, "XONG B"): no
# I, L, O, Q (read as 1, 0), no G, H (1h, 2g are clock times), no F, J, W, Z (not Vietnamese).
OFFER_LETTERS = "ABCDEKMNPRSTUVXY"


def free_letter(used: set[str]) -> str:
    """The first letter not in ``used``; two letters once all single ones are taken."""
    singles = list(OFFER_LETTERS)
    for letter in singles + [a + b for a in singles for b in singles]:
        if letter not in used:
            return letter
    raise ValueError("no letter left")  # 272 live visits for one volunteer


class RequestChannel:
    SMS = "sms"
    WEB = "web"
    COORDINATOR = "coordinator"  # entered by a coordinator, e.g. after a phone call
    ALL = (SMS, WEB, COORDINATOR)


class AssignmentSource:
    SOLVER = "solver"
    COORDINATOR = "coordinator"
    ALL = (SOLVER, COORDINATOR)


class VisitOutcome:
    RESOLVED = "resolved"
    PARTLY_RESOLVED = "partly_resolved"
    NOT_RESOLVED = "not_resolved"
    RESIDENT_ABSENT = "resident_absent"  # nobody home: the request goes back to the queue
    ALL = (RESOLVED, PARTLY_RESOLVED, NOT_RESOLVED, RESIDENT_ABSENT)


class HelpRequest(Timestamps, Base):
    __tablename__ = "help_request"
    __table_args__ = (Index("ix_help_request_commune_status", "commune_code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(12), unique=True, default=new_reference)
    status_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_status_token)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"))
    hamlet_code: Mapped[str | None] = mapped_column(ForeignKey("hamlet.code"))
    kind: Mapped[str] = mapped_column(String(32))  # catalogue key
    channel: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    # [{"start": ISO-8601 with offset, "end": ...}]; empty = any time
    preferred_windows: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    priority: Mapped[int] = mapped_column(default=1)
    status: Mapped[RequestStatus] = mapped_column(
        StatusType(RequestStatus), default=RequestStatus.OPEN
    )
    # Where to go: the resident's place if known, else the hamlet centre (copied at submit).
    lat: Mapped[float]
    lon: Mapped[float]
    language: Mapped[str] = mapped_column(String(8), default="vi")
    outcome: Mapped[str | None] = mapped_column(String(24))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    resident: Mapped[Resident] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="request", order_by="Assignment.id"
    )

    def required_skills(self) -> frozenset[str]:
        """The kind's skill, plus the resident's language when it is not Vietnamese."""
        extra = set() if self.language == "vi" else {f"lang:{self.language}"}
        return frozenset({self.kind, *extra})

    def live_assignment(self) -> Assignment | None:
        live = [a for a in self.assignments if a.status in LIVE_ASSIGNMENT_STATUSES]
        return live[-1] if live else None


class Assignment(Timestamps, Base):
    __tablename__ = "assignment"
    __table_args__ = (
        Index("ix_assignment_volunteer_start", "volunteer_id", "start_at"),
        Index("ix_assignment_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    status: Mapped[AssignmentStatus] = mapped_column(
        StatusType(AssignmentStatus), default=AssignmentStatus.OFFERED
    )
    source: Mapped[str] = mapped_column(String(16), default=AssignmentSource.SOLVER)
    locked: Mapped[bool] = mapped_column(default=False)
    visit_code: Mapped[str] = mapped_column(String(4), default=new_visit_code)
    # The volunteer's letter for this visit in SMS, unique among their live visits.
    letter: Mapped[str | None] = mapped_column(String(2))
    offered_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    request: Mapped[HelpRequest] = relationship(back_populates="assignments")
    volunteer: Mapped[Volunteer] = relationship()
