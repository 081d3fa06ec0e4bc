"""Status state machines as data: a StrEnum, a TRANSITIONS table and ``transition()``.

A request moves open -> offered -> scheduled -> in_progress -> done; a decline, an expiry or a
withdrawal sends it back to open so the planner can try again. Done and cancelled are final.
An assignment is one offer of one request to one volunteer; it ends declined, expired,
withdrawn or done, and a new assignment is made for the next try.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from dispatch.errors import DomainError


class IllegalTransition(DomainError):
    """A status change that the transition table does not allow."""

    def __init__(self, what: str, current: str, target: str) -> None:
        super().__init__(f"{what}: cannot go from {current} to {target}")
        self.what = what
        self.current = current
        self.target = target


class RequestStatus(StrEnum):
    OPEN = "open"  # waiting for the planner
    OFFERED = "offered"  # offered to a volunteer, no answer yet
    SCHEDULED = "scheduled"  # a volunteer accepted; visit time fixed
    IN_PROGRESS = "in_progress"  # the volunteer is at the door
    DONE = "done"
    CANCELLED = "cancelled"


class AssignmentStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # taken back by the planner or a coordinator, or request cancelled


R = RequestStatus
A = AssignmentStatus

REQUEST_TRANSITIONS: Mapping[RequestStatus, frozenset[RequestStatus]] = {
    R.OPEN: frozenset({R.OFFERED, R.SCHEDULED, R.CANCELLED}),
    R.OFFERED: frozenset({R.OPEN, R.SCHEDULED, R.CANCELLED}),
    R.SCHEDULED: frozenset({R.OPEN, R.OFFERED, R.IN_PROGRESS, R.DONE, R.CANCELLED}),
    R.IN_PROGRESS: frozenset({R.OPEN, R.DONE, R.CANCELLED}),
    R.DONE: frozenset(),
    R.CANCELLED: frozenset(),
}

ASSIGNMENT_TRANSITIONS: Mapping[AssignmentStatus, frozenset[AssignmentStatus]] = {
    A.OFFERED: frozenset({A.ACCEPTED, A.DECLINED, A.EXPIRED, A.WITHDRAWN}),
    A.ACCEPTED: frozenset({A.IN_PROGRESS, A.DONE, A.DECLINED, A.WITHDRAWN}),  # decline = backs out
    A.IN_PROGRESS: frozenset({A.DONE, A.WITHDRAWN}),
    A.DONE: frozenset(),
    A.DECLINED: frozenset(),
    A.EXPIRED: frozenset(),
    A.WITHDRAWN: frozenset(),
}

#: Request statuses that still need work (used by dedupe and by the planner).
OPEN_REQUEST_STATUSES = frozenset({R.OPEN, R.OFFERED, R.SCHEDULED, R.IN_PROGRESS})
#: Assignment statuses that hold a volunteer's time.
LIVE_ASSIGNMENT_STATUSES = frozenset({A.OFFERED, A.ACCEPTED, A.IN_PROGRESS})
#: Assignments the planner must keep as they are (besides coordinator locks).
FIXED_ASSIGNMENT_STATUSES = frozenset({A.ACCEPTED, A.IN_PROGRESS})

S = TypeVar("S", RequestStatus, AssignmentStatus)


def transition(current: S, target: S) -> S:
    """Return ``target`` when the move is allowed, else raise IllegalTransition."""
    table: Mapping[S, frozenset[S]]
    if isinstance(current, RequestStatus):
        table, what = REQUEST_TRANSITIONS, "request"
    else:
        table, what = ASSIGNMENT_TRANSITIONS, "assignment"
    if type(target) is not type(current) or target not in table[current]:
        raise IllegalTransition(what, str(current), str(target))
    return target
