"""Event handlers: domain events in, SMS rows out (then delivery jobs, after the commit).

Each handler is ``handler(event_id) -> None`` (see ``dispatch.handlers``): it reloads the
event and the rows it needs, checks they still say what the event said, writes its messages
with ids derived from the event (a re-run finds them instead of writing more), commits, then
enqueues delivery. Raising lets RQ retry it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch.events import DomainEvent, parse_event
from dispatch.models import Assignment, Event, HelpRequest, Message, Volunteer
from dispatch.runtime import Runtime, current
from dispatch.services.unit_of_work import unit_of_work_from
from dispatch.states import AssignmentStatus, RequestStatus
from notifications.outbound import Outgoing, enqueue_delivery, queue_sms
from notifications.recipients import given_name, hamlet_name, to_resident, to_volunteer
from notifications.reminders import schedule_reminders

A = AssignmentStatus


Build = Callable[[Session, DomainEvent, str], Sequence[Outgoing | Message]]


def run_handler(event_id: int, build: Build) -> None:
    """Reload the event, queue what ``build`` returns (Outgoing, or Message rows it found
    already written) in one commit, then hand them to delivery."""
    runtime: Runtime = current()
    with unit_of_work_from(runtime.sessions) as session:
        row = session.get(Event, event_id)
        if row is None:
            raise LookupError(f"event {event_id} not found")
        event = parse_event(row.type, row.payload)
        messages: list[Message] = [
            out if isinstance(out, Message) else queue_sms(session, runtime.settings, out)
            for out in build(session, event, f"ev:{event_id}")
        ]
    enqueue_delivery(runtime.queues, messages)


def offer_values(assignment: Assignment) -> dict[str, Any]:
    request = assignment.request
    return {
        "letter": assignment.letter or "",
        "kind": request.kind,
        "hamlet": hamlet_name(request),
        "when": assignment.start_at,
        "_assignment_id": assignment.id,
    }


def _confirmation(assignment: Assignment, cause: str, template: str) -> Outgoing:
    request = assignment.request
    return to_resident(
        request,
        template,
        cause,
        when=assignment.start_at,
        volunteer=given_name(assignment.volunteer.name),
        kind=request.kind,
        code=assignment.visit_code,
        ref=request.reference,
        _assignment_id=assignment.id,
    )


# -- the handlers (dotted paths registered in dispatch.handlers) -------------------------------


def request_received(event_id: int) -> None:
    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        request = session.get(HelpRequest, event.request_id)
        if request is None or request.status is RequestStatus.CANCELLED:
            return []
        return [
            to_resident(
                request, "request_received", cause, kind=request.kind, ref=request.reference
            )
        ]

    run_handler(event_id, build)


def offer_made(event_id: int) -> None:
    """AssignmentOffered, AssignmentOverridden: ask the volunteer (or, when a coordinator
    confirmed it with them already, tell the resident)."""

    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        assignment = session.get(Assignment, event.assignment_id)
        if assignment is None:
            return []
        out: list[Outgoing] = []
        previous = getattr(event, "previous_volunteer_id", None)
        if previous and previous != assignment.volunteer_id:
            out += _withdrawn_notice(session, previous, assignment, cause)
        if assignment.status is A.OFFERED and not getattr(event, "batched", False):
            # (A plan run's offers are told together: see notifications.offer_batches.)
            out.append(
                to_volunteer(
                    assignment.volunteer,
                    assignment.request,
                    "offer",
                    cause,
                    **offer_values(assignment),
                )  # fmt: skip
            )
        elif assignment.status is A.ACCEPTED and getattr(event, "confirmed", False):
            # A coordinator agreed it with the volunteer already (by phone): tell the resident.
            confirmed.append(assignment)
            out.append(_confirmation(assignment, cause, "confirmation"))
        return out

    confirmed: list[Assignment] = []
    run_handler(event_id, build)
    for assignment in confirmed:
        schedule_reminders(current(), assignment.id, assignment.start_at)


def _withdrawn_notice(
    session: Session, volunteer_id: int, assignment: Assignment, cause: str
) -> list[Outgoing]:
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None:
        return []
    return [
        to_volunteer(
            volunteer, assignment.request, "offer_withdrawn", cause, **offer_values(assignment)
        )
    ]


def offer_accepted(event_id: int) -> None:
    """Tell the resident who comes, when, and the visit code; set the reminders."""
    accepted: list[Assignment] = []

    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        assignment = session.get(Assignment, event.assignment_id)
        if assignment is None or assignment.status not in (A.ACCEPTED, A.IN_PROGRESS):
            return []
        accepted.append(assignment)
        return [_confirmation(assignment, cause, "confirmation")]

    run_handler(event_id, build)
    for assignment in accepted:
        schedule_reminders(current(), assignment.id, assignment.start_at)


def assignment_changed(event_id: int) -> None:
    """New time: a new offer if unanswered, else the resident hears of the move."""
    moved: list[Assignment] = []

    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        assignment = session.get(Assignment, event.assignment_id)
        if assignment is None or assignment.start_at != event.start_at:
            return []  # gone, or moved again since: the later event tells the latest time
        if assignment.status is A.OFFERED:
            return [
                to_volunteer(
                    assignment.volunteer,
                    assignment.request,
                    "offer",
                    cause,
                    **offer_values(assignment),
                )  # fmt: skip
            ]
        if assignment.status is A.ACCEPTED:
            moved.append(assignment)
            return [_confirmation(assignment, cause, "reschedule")]
        return []

    run_handler(event_id, build)
    for assignment in moved:
        schedule_reminders(current(), assignment.id, assignment.start_at)


def assignment_withdrawn(event_id: int) -> None:
    """The planner or a coordinator took a visit back: the volunteer need not go."""

    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        if event.previous_status not in (A.OFFERED, A.ACCEPTED, A.IN_PROGRESS):
            return []
        if event.by == "volunteer":
            return []
        assignment = session.get(Assignment, event.assignment_id)
        if assignment is None:
            return []
        return _withdrawn_notice(session, event.volunteer_id, assignment, cause)

    run_handler(event_id, build)


def request_cancelled(event_id: int) -> None:
    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        request = session.get(HelpRequest, event.request_id)
        if request is None or request.status is not RequestStatus.CANCELLED:
            return []
        out = [
            to_resident(request, "cancellation", cause, ref=request.reference, kind=request.kind)
        ]
        # The resident's own HUY is answered at once, even at night; a coordinator's waits.
        out[0] = replace(out[0], urgent=event.by.startswith("resident:"))
        assignment = session.get(Assignment, event.assignment_id) if event.assignment_id else None
        if assignment is not None and event.volunteer_id:
            out += _withdrawn_notice(session, event.volunteer_id, assignment, cause)
        return out

    run_handler(event_id, build)


def visit_completed(event_id: int) -> None:
    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        if event.request_reopened or event.outcome == "resident_absent":
            return []
        request = session.get(HelpRequest, event.request_id)
        if request is None:
            return []
        return [to_resident(request, "thanks", cause, kind=request.kind, ref=request.reference)]

    run_handler(event_id, build)


def was_told(session: Session, assignment: Assignment) -> bool:
    """Whether an offer SMS about ``assignment`` (alone or in a digest) went out."""
    messages = session.scalars(
        select(Message).where(
            Message.volunteer_id == assignment.volunteer_id,
            Message.template.in_(("offer", "offer_digest")),
            Message.status != "failed",
        )
    )
    return any(
        m.assignment_id == assignment.id or assignment.id in (m.listed or []) for m in messages
    )


def offer_expired(event_id: int) -> None:
    """An offer left unanswered lapsed: the volunteer learns they need not go (and a late
    "1" is not a surprise)."""

    def build(session: Session, event: Any, cause: str) -> list[Outgoing]:
        assignment = session.get(Assignment, event.assignment_id)
        if assignment is None or assignment.status is not A.EXPIRED:
            return []
        if not was_told(session, assignment):
            return []  # the volunteer never heard of it
        return _withdrawn_notice(session, event.volunteer_id, assignment, cause)

    run_handler(event_id, build)
