"""A time offered to a resident when nobody can come when they asked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.models.base import Base, Timestamps
from dispatch.models.requests import HelpRequest


class ProposalStatus:
    ASKED = "asked"
    ACCEPTED = "accepted"  # the request's windows became the proposed time
    REFUSED = "refused"  # the resident keeps waiting for the time they asked
    ALL = (ASKED, ACCEPTED, REFUSED)


class TimeProposal(Timestamps, Base):
    """The nearest visit time the planner found outside the resident's windows.

    At most one per request and set of windows: a resident who said no is not asked again
    until their windows change.
    """

    __tablename__ = "time_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("help_request.id"), index=True)
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_run.id"))
    start_at: Mapped[datetime]
    end_at: Mapped[datetime]
    # The request's preferred windows when asked (as stored on the request).
    wished: Mapped[list[dict[str, Any]]]
    status: Mapped[str] = mapped_column(String(16), default=ProposalStatus.ASKED)
    answered_at: Mapped[datetime | None]

    request: Mapped[HelpRequest] = relationship()
