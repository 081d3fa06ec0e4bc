"""THE event graph: event type -> the jobs it starts, as dotted paths, in one screen.

The relay enqueues one RQ job per (event, handler) with the event id as the only argument:
``handler(event_id: int) -> None``. A handler reloads what it needs through
``dispatch.runtime.current()``, checks the state is still the one it expects, commits, then does
its side effect, and raises on failure so RQ retries it. Handlers must be idempotent.

Dotted strings (not imports) keep ``dispatch`` free of ``notifications``: the messaging area adds
its handlers here and they are imported only by the worker that runs them.
"""

from __future__ import annotations

from collections.abc import Mapping

REPLAN = "dispatch.jobs.replan_for_event"
SCHEDULE_OFFER_EXPIRY = "dispatch.jobs.schedule_offer_expiry"
# SMS to residents and volunteers (notifications/handlers.py).
SMS = "notifications.handlers."

HANDLERS: Mapping[str, tuple[str, ...]] = {
    # A resident asked, cancelled or moved their windows: plan the commune again.
    "request.submitted": (REPLAN, SMS + "request_received"),
    "request.cancelled": (REPLAN, SMS + "request_cancelled"),
    "request.rescheduled": (REPLAN,),
    # The planner's own output: tell people, and time the offer out.
    "assignment.offered": (SCHEDULE_OFFER_EXPIRY, SMS + "offer_made"),
    # A plan run's offers to one volunteer, told together.
    "offers.made": ("notifications.offer_batches.offers_made",),
    "assignment.changed": (SMS + "assignment_changed",),
    # The re-plan runs only when a person withdrew it (see the job).
    "assignment.withdrawn": (REPLAN, SMS + "assignment_withdrawn"),
    # Volunteers' answers.
    "offer.accepted": (SMS + "offer_accepted",),
    "offer.declined": (REPLAN,),
    "offer.expired": (REPLAN, SMS + "offer_expired"),
    "visit.started": (),
    # The re-plan runs only when the request was reopened.
    "visit.completed": (REPLAN, SMS + "visit_completed"),
    # Coordinators' overrides are locks the planner keeps; the rest of the day may move.
    "assignment.overridden": (REPLAN, SCHEDULE_OFFER_EXPIRY, SMS + "offer_made"),
    "assignment.locked": (),
    "assignment.unlocked": (REPLAN,),
    "plan.completed": (),
    # Nobody can come when a resident asked: they are told the nearest time (yes/no by SMS).
    "time.proposed": ("notifications.proposal_sms.time_proposed",),
    # People changed what the planner works with (web panel and volunteer pages).
    "volunteer.availability_changed": (REPLAN,),
    "replan.requested": (REPLAN,),
}


# Modules of jobs that handlers enqueue themselves (SMS delivery, reminders). The worker imports
# them, with the handlers' modules, once before forking, so no work horse imports them again.
JOB_MODULES: tuple[str, ...] = (
    "dispatch.jobs",
    "scheduler",
    "notifications.delivery",
    "notifications.reminders",
    "notifications.inbound_accept",
)


def handlers_for(event_type: str) -> tuple[str, ...]:
    """The handlers of an event type; an unknown type has none (and is marked published)."""
    return HANDLERS.get(event_type, ())
