"""One run of the planner for one commune."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.clock import utcnow
from dispatch.models.base import Base


class PlanRunStatus:
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class PlanRun(Base):
    __tablename__ = "plan_run"
    __table_args__ = (Index("ix_plan_run_commune_started", "commune_code", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_code: Mapped[str] = mapped_column(ForeignKey("commune.code"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    wall_s: Mapped[float | None]
    solver: Mapped[str | None] = mapped_column(String(32))
    n_requests: Mapped[int] = mapped_column(default=0)
    n_volunteers: Mapped[int] = mapped_column(default=0)
    n_assigned: Mapped[int] = mapped_column(default=0)
    n_changes: Mapped[int] = mapped_column(default=0)
    objective: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # [{"request_id": .., "reason": ..}] so coordinators see why something stayed open.
    unassigned: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16), default=PlanRunStatus.RUNNING)
    error: Mapped[str | None] = mapped_column(Text)
