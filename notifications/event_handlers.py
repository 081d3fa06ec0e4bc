"""Messaging's reactions to events: the SMS (or Zalo) each event sends, keyed by event class.

``dispatch.handlers`` merges this map with the domain's own; each path names a
``handler(event_id) -> None`` job (see ``notifications.handlers``).
"""

from __future__ import annotations

from collections.abc import Mapping

from dispatch.events import (
    AssignmentChanged,
    AssignmentOffered,
    AssignmentOverridden,
    AssignmentWithdrawn,
    DomainEvent,
    OfferAccepted,
    OfferExpired,
    OffersMade,
    RequestCancelled,
    RequestSubmitted,
    TimeProposed,
    VisitCompleted,
    WalkListsPlanned,
)

SMS = "notifications.handlers."

HANDLERS: Mapping[type[DomainEvent], tuple[str, ...]] = {
    RequestSubmitted: (SMS + "request_received",),
    RequestCancelled: (SMS + "request_cancelled",),
    AssignmentOffered: (SMS + "offer_made",),
    # A plan run's offers to one volunteer, told together.
    OffersMade: ("notifications.offer_batches.offers_made",),
    AssignmentChanged: (SMS + "assignment_changed",),
    AssignmentWithdrawn: (SMS + "assignment_withdrawn",),
    OfferAccepted: (SMS + "offer_accepted",),
    OfferExpired: (SMS + "offer_expired",),
    VisitCompleted: (SMS + "visit_completed",),
    AssignmentOverridden: (SMS + "offer_made",),
    # Nobody can come when a resident asked: they are told the nearest time (yes/no by SMS).
    TimeProposed: ("notifications.proposal_sms.time_proposed",),
    # Walk lists by SMS for volunteers with basic phones.
    WalkListsPlanned: ("notifications.walk_sms.walk_lists_planned",),
}
