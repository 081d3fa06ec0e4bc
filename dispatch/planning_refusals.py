"""Volunteers who said no to a request are never offered it again.

A decline or an expired offer is remembered per request; the planning scenario then rules
those volunteers out for it (``Request.excluded_volunteers``, which the scheduler honours in
every path and its checker verifies). The planning formats have no such field: a scenario
written to a file leaves the exclusion out.
"""

from __future__ import annotations

from dispatch.models import HelpRequest
from dispatch.planning_ids import volunteer_key
from dispatch.states import AssignmentStatus
from scheduler.reasons import ALL_EXCLUDED


def coordinator_reason(reason: str) -> str:
    """The planner's reason, with the exclusion said as what it means here."""
    if reason == ALL_EXCLUDED:
        return "every volunteer able to do it has declined it"
    return reason


def refused_by(req: HelpRequest) -> frozenset[str]:
    """The scheduler ids of the volunteers who declined ``req`` or let its offer expire."""
    return frozenset(
        volunteer_key(a.volunteer_id)
        for a in req.assignments
        if a.status in (AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED)
    )
