"""After a plan: a resident nobody can visit when they asked is offered the nearest time.

A request with preferred windows that the plan left out for want of time (no shift in its
windows, out of reach, everyone full) gets a ``TimeProposal`` at the nearest time some
volunteer could come with every planned visit kept (``scheduler.nearest``), and a
``TimeProposed`` event that tells the resident, who answers yes or no by SMS. Never a silent
move to another time: the request keeps its windows until the resident says yes. A resident
is asked once per set of windows. Proposals made in one run take their slots, so two residents
are not offered the same gap.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispatch import outbox
from dispatch.events import TimeProposed
from dispatch.models import HelpRequest, ProposalStatus, TimeProposal
from dispatch.planning_scenario import LEAD, Problem
from dispatch.states import RequestStatus
from scheduler.nearest import distance, nearest_slot
from scheduler.reasons import ALL_FULL, NO_SHIFT_OVERLAP, OUT_OF_REACH
from scheduler.types import Plan, Route, Visit

#: Reasons a different time could help (not missing skills, nor everyone having declined).
TIME_REASONS = (NO_SHIFT_OVERLAP, OUT_OF_REACH, ALL_FULL)


def propose_times(
    session: Session, problem: Problem, plan: Plan, plan_run_id: int, now: datetime
) -> list[TimeProposal]:
    """Proposals for the plan's left-out requests, with their events (caller commits)."""
    candidates = [
        (request, unassigned.request)
        for unassigned in plan.unassigned
        if unassigned.reason.startswith(TIME_REASONS)
        and (request := _waiting(session, problem, unassigned.request)) is not None
    ]
    candidates.sort(key=lambda pair: (-pair[0].priority, pair[0].id))
    made: list[TimeProposal] = []
    for request, scenario_id in candidates:
        slot = nearest_slot(problem.scenario, plan, scenario_id, earliest=now + LEAD)
        if slot is None:
            continue
        windows = next(r.windows for r in problem.scenario.requests if r.id == scenario_id)
        if not distance(windows, slot.start, slot.end - slot.start):
            continue  # it fits its windows: a later plan may place it, nothing to ask
        proposal = TimeProposal(
            request_id=request.id,
            plan_run_id=plan_run_id,
            start_at=slot.start,
            end_at=slot.end,
            wished=list(request.preferred_windows),
            status=ProposalStatus.ASKED,
            created_at=now,
            updated_at=now,
        )
        session.add(proposal)
        session.flush()
        outbox.record(
            session,
            TimeProposed(
                commune_code=request.commune_code,
                request_id=request.id,
                proposal_id=proposal.id,
                start_at=slot.start,
                end_at=slot.end,
            ),
        )
        made.append(proposal)
        plan = _with_visit(
            plan, slot.volunteer, slot.shift, Visit(scenario_id, slot.start, slot.end)
        )
    return made


def _waiting(session: Session, problem: Problem, scenario_id: str) -> HelpRequest | None:
    """The request, if it is open with windows and was never asked about these windows."""
    loaded = problem.requests.get(scenario_id)
    request = session.get(HelpRequest, loaded.id) if loaded is not None else None
    if request is None or request.status is not RequestStatus.OPEN:
        return None
    if not request.preferred_windows:
        return None  # any time suits: no other time would help
    asked = session.scalars(
        select(TimeProposal.wished).where(TimeProposal.request_id == request.id)
    )
    if any(wished == request.preferred_windows for wished in asked):
        return None
    return request


def _with_visit(plan: Plan, volunteer: str, shift: int, visit: Visit) -> Plan:
    routes = list(plan.routes)
    for index, route in enumerate(routes):
        if (route.volunteer, route.shift) == (volunteer, shift):
            routes[index] = replace(route, visits=(*route.visits, visit))
            break
    else:
        routes.append(Route(volunteer, shift, (visit,)))
    return replace(plan, routes=tuple(routes))
