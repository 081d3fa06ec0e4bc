"""Domain events: past-tense frozen dataclasses with a stable ``type`` name.

Each event carries ids (handlers reload what they need) and the commune, so a re-plan can be
routed without a query. ``to_payload()`` gives JSON-ready data, ``from_payload()`` reverses it;
``parse_event(type, payload)`` rebuilds any event from an outbox row.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar


class UnknownEventType(KeyError):
    pass


@dataclass(frozen=True)
class DomainEvent:
    type: ClassVar[str]
    commune_code: str

    def to_payload(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Self:
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in payload:
                continue  # a field added later keeps its default
            value = payload[f.name]
            if value is not None and datetime in _members(hints[f.name]):
                value = datetime.fromisoformat(value)
            values[f.name] = value
        return cls(**values)


def _members(hint: Any) -> tuple[Any, ...]:
    args = typing.get_args(hint)
    return args if args else (hint,)


@dataclass(frozen=True)
class AssignmentEvent(DomainEvent):
    """An event about one assignment: which one, of which request, for which volunteer."""

    assignment_id: int
    request_id: int
    volunteer_id: int


EVENT_TYPES: dict[str, type[DomainEvent]] = {}
E = TypeVar("E", bound=type[DomainEvent])


def _register(cls: E) -> E:
    if cls.type in EVENT_TYPES:
        raise ValueError(f"duplicate event type {cls.type}")
    EVENT_TYPES[cls.type] = cls
    return cls


def parse_event(type_name: str, payload: dict[str, Any]) -> DomainEvent:
    try:
        cls = EVENT_TYPES[type_name]
    except KeyError:
        raise UnknownEventType(type_name) from None
    return cls.from_payload(payload)


@_register
@dataclass(frozen=True)
class RequestSubmitted(DomainEvent):
    type: ClassVar[str] = "request.submitted"
    request_id: int
    resident_id: int
    kind: str
    channel: str
    reference: str


@_register
@dataclass(frozen=True)
class RequestCancelled(DomainEvent):
    type: ClassVar[str] = "request.cancelled"
    request_id: int
    by: str
    reason: str | None = None
    # The visit that was withdrawn with it, so the volunteer can be told.
    assignment_id: int | None = None
    volunteer_id: int | None = None


@_register
@dataclass(frozen=True)
class RequestRescheduled(DomainEvent):
    type: ClassVar[str] = "request.rescheduled"
    request_id: int
    windows: list[dict[str, Any]] = dataclasses.field(default_factory=list)


@_register
@dataclass(frozen=True)
class AssignmentOffered(AssignmentEvent):
    type: ClassVar[str] = "assignment.offered"
    start_at: datetime
    end_at: datetime
    expires_at: datetime | None
    source: str
    plan_run_id: int | None = None
    # True: one of the offers a plan run made to this volunteer, told together (OffersMade).
    batched: bool = False


@_register
@dataclass(frozen=True)
class OffersMade(DomainEvent):
    """The offers one plan run made to one volunteer, written with them: the volunteer hears
    of them together (one message when they fit), each with its letter."""

    type: ClassVar[str] = "offers.made"
    plan_run_id: int
    volunteer_id: int
    assignment_ids: list[int] = dataclasses.field(default_factory=list)


@_register
@dataclass(frozen=True)
class TimeProposed(DomainEvent):
    """Nobody can come when the resident asked: the nearest time found is put to them."""

    type: ClassVar[str] = "time.proposed"
    request_id: int
    proposal_id: int
    start_at: datetime
    end_at: datetime


@_register
@dataclass(frozen=True)
class AssignmentChanged(AssignmentEvent):
    """Same volunteer, new time (the planner moved it)."""

    type: ClassVar[str] = "assignment.changed"
    previous_start_at: datetime
    start_at: datetime
    end_at: datetime


@_register
@dataclass(frozen=True)
class AssignmentWithdrawn(AssignmentEvent):
    type: ClassVar[str] = "assignment.withdrawn"
    previous_status: str
    by: str
    reason: str | None = None


@_register
@dataclass(frozen=True)
class OfferAccepted(AssignmentEvent):
    type: ClassVar[str] = "offer.accepted"
    start_at: datetime


@_register
@dataclass(frozen=True)
class OfferDeclined(AssignmentEvent):
    type: ClassVar[str] = "offer.declined"
    reason: str | None = None


@_register
@dataclass(frozen=True)
class OfferExpired(AssignmentEvent):
    type: ClassVar[str] = "offer.expired"


@_register
@dataclass(frozen=True)
class VisitStarted(AssignmentEvent):
    type: ClassVar[str] = "visit.started"


@_register
@dataclass(frozen=True)
class VisitCompleted(AssignmentEvent):
    type: ClassVar[str] = "visit.completed"
    outcome: str
    note: str | None = None
    request_reopened: bool = False  # nobody was home: the request is back in the queue


@_register
@dataclass(frozen=True)
class AssignmentOverridden(AssignmentEvent):
    """A coordinator put the request on a volunteer and time (the result is locked)."""

    type: ClassVar[str] = "assignment.overridden"
    start_at: datetime
    end_at: datetime
    by: str
    reason: str
    confirmed: bool = False  # True: the volunteer agreed already (e.g. by phone)
    previous_assignment_id: int | None = None
    previous_volunteer_id: int | None = None


@dataclass(frozen=True)
class LockChanged(DomainEvent):
    """A coordinator (un)locked an assignment, with a reason."""

    assignment_id: int
    request_id: int
    by: str
    reason: str


@_register
@dataclass(frozen=True)
class AssignmentLocked(LockChanged):
    type: ClassVar[str] = "assignment.locked"


@_register
@dataclass(frozen=True)
class AssignmentUnlocked(LockChanged):
    type: ClassVar[str] = "assignment.unlocked"


@_register
@dataclass(frozen=True)
class PlanCompleted(DomainEvent):
    type: ClassVar[str] = "plan.completed"
    plan_run_id: int
    assigned: int
    unassigned: int
    changes: int


@_register
@dataclass(frozen=True)
class VolunteerAvailabilityChanged(DomainEvent):
    """A volunteer changed their weekly shifts or days off (the commune is planned again)."""

    type: ClassVar[str] = "volunteer.availability_changed"
    volunteer_id: int
    by: str


@_register
@dataclass(frozen=True)
class ReplanRequested(DomainEvent):
    """A coordinator asked for "re-plan now" for a commune."""

    type: ClassVar[str] = "replan.requested"
    by: str


@_register
@dataclass(frozen=True)
class WalkListsPlanned(DomainEvent):
    """A campaign day's walk lists were written (volunteers on basic phones get them by SMS)."""

    type: ClassVar[str] = "walk_lists.planned"
    campaign_id: int
    day: str  # ISO date


@_register
@dataclass(frozen=True)
class DoorMissed(DomainEvent):
    """Nobody home, or "come back at": the household goes back into the next day's lists."""

    type: ClassVar[str] = "door.missed"
    campaign_id: int
    household_id: int
    day: str  # ISO date of the visit


@_register
@dataclass(frozen=True)
class CampaignStarted(DomainEvent):
    """A coordinator started a campaign: its days are planned, one job a day, in order."""

    type: ClassVar[str] = "campaign.started"
    campaign_id: int
