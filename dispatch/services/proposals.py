"""A resident's answer to the nearest time offered when nobody could come when they asked.

Yes: the request's windows become that time (with some slack either side), which re-plans
the commune (RequestRescheduled) so the visit is offered to a volunteer then. No: the request
keeps the resident's own windows and waits for someone free then; they are not asked again
until their windows change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from dispatch.clock import as_utc
from dispatch.models import ProposalStatus, TimeProposal
from dispatch.services.errors import InvalidCommand, NotFound
from dispatch.services.requests import RescheduleRequest, reschedule
from dispatch.services.unit import audit, get_request, request_snapshot
from dispatch.services.unit_of_work import atomic
from dispatch.services.windows import TimeWindow
from dispatch.states import RequestStatus

#: The window a "yes" gives the planner around the proposed visit.
SLACK = timedelta(minutes=30)


@dataclass(frozen=True)
class AnswerTimeProposal:
    proposal_id: int
    accepted: bool
    actor: str


def answer_time_proposal(session: Session, cmd: AnswerTimeProposal, now: datetime) -> TimeProposal:
    """Record the answer (once: a second answer raises ``InvalidCommand``)."""
    now = as_utc(now)
    with atomic(session):
        proposal = session.get(TimeProposal, cmd.proposal_id, with_for_update=True)
        if proposal is None:
            raise NotFound("time proposal", cmd.proposal_id)
        if proposal.status != ProposalStatus.ASKED:
            raise InvalidCommand(f"time proposal {proposal.id} is {proposal.status} already")
        req = get_request(session, proposal.request_id, None)
        if req.status is not RequestStatus.OPEN:
            raise InvalidCommand(f"request {req.id} is {req.status}: the question is moot")
        proposal.status = ProposalStatus.ACCEPTED if cmd.accepted else ProposalStatus.REFUSED
        proposal.answered_at = now
        if cmd.accepted:
            window = TimeWindow(max(proposal.start_at - SLACK, now), proposal.end_at + SLACK)
            reschedule(
                session,
                RescheduleRequest(req.id, (window,), cmd.actor, "the nearest time offered"),
                now,
            )
        else:
            snapshot = request_snapshot(req)
            audit(
                session,
                actor=cmd.actor,
                action="request.keep_windows",
                entity=req,
                before=snapshot,
                after=snapshot,
                at=now,
                reason="declined the nearest time offered",
            )
    return proposal
