"""The domain's own reactions to events: re-plans and offer deadlines, keyed by event class.

Every event class has a row here, even when the domain does nothing with it, so that a new
event without a decision about it fails ``tests/unit/dispatch/test_event_graph.py``. Messaging
adds its SMS in ``notifications/event_handlers.py``; ``dispatch.handlers`` merges the two.
"""

from __future__ import annotations

from collections.abc import Mapping

from dispatch.events import (
    AssignmentChanged,
    AssignmentLocked,
    AssignmentOffered,
    AssignmentOverridden,
    AssignmentUnlocked,
    AssignmentWithdrawn,
    CampaignStarted,
    DomainEvent,
    DoorMissed,
    OfferAccepted,
    OfferDeclined,
    OfferExpired,
    OffersMade,
    PlanCompleted,
    ReplanRequested,
    RequestCancelled,
    RequestRescheduled,
    RequestSubmitted,
    TimeProposed,
    VisitCompleted,
    VisitStarted,
    VolunteerAvailabilityChanged,
    WalkListsPlanned,
)

REPLAN = "dispatch.jobs.replan_for_event"
SCHEDULE_OFFER_EXPIRY = "dispatch.jobs.schedule_offer_expiry"

HANDLERS: Mapping[type[DomainEvent], tuple[str, ...]] = {
    # A resident asked, cancelled or moved their windows: plan the commune again.
    RequestSubmitted: (REPLAN,),
    RequestCancelled: (REPLAN,),
    RequestRescheduled: (REPLAN,),
    # The planner's own output: time the offer out.
    AssignmentOffered: (SCHEDULE_OFFER_EXPIRY,),
    OffersMade: (),
    AssignmentChanged: (),
    # The re-plan runs only when a person withdrew it (see the job).
    AssignmentWithdrawn: (REPLAN,),
    OfferAccepted: (),
    OfferDeclined: (REPLAN,),
    OfferExpired: (REPLAN,),
    VisitStarted: (),
    # The re-plan runs only when the request was reopened.
    VisitCompleted: (REPLAN,),
    # Coordinators' overrides are locks the planner keeps; the rest of the day may move.
    AssignmentOverridden: (REPLAN, SCHEDULE_OFFER_EXPIRY),
    AssignmentLocked: (),
    AssignmentUnlocked: (REPLAN,),
    PlanCompleted: (),
    TimeProposed: (),
    # People changed what the planner works with (web panel and volunteer pages).
    VolunteerAvailabilityChanged: (REPLAN,),
    ReplanRequested: (REPLAN,),
    # Door-to-door campaigns: a started campaign is planned day by day; a missed door goes back
    # into the next day's lists.
    CampaignStarted: ("dispatch.campaign_jobs.plan_started_campaign",),
    WalkListsPlanned: (),
    DoorMissed: ("dispatch.campaign_jobs.replan_after_miss",),
}
