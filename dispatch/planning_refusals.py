"""Volunteers who said no to a request are never offered it again.

A decline or an expired offer is remembered per request; the planning scenario then keeps the
request away from those volunteers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dispatch.models import HelpRequest
from dispatch.planning_ids import request_id_of, request_key, volunteer_id_of
from dispatch.states import AssignmentStatus
from scheduler.types import Scenario


def declined_skill(request_id: int) -> str:
    """A pseudo-skill held by every volunteer who has not turned this request down."""
    return f"not-declined:{request_key(request_id)}"


def coordinator_reason(reason: str) -> str:
    """The planner's reason, with the decline pseudo-skill said in words."""
    if "not-declined:" in reason:
        return "every volunteer able to do it has declined it"
    return reason


def refusals(request_rows: Sequence[HelpRequest]) -> dict[int, set[int]]:
    """Request id -> the volunteers who declined it or let its offer expire: never again."""
    refused: dict[int, set[int]] = {}
    for req in request_rows:
        said_no = {
            a.volunteer_id
            for a in req.assignments
            if a.status in (AssignmentStatus.DECLINED, AssignmentStatus.EXPIRED)
        }
        if said_no:
            refused[req.id] = said_no
    return refused


def exclude_refused(scenario: Scenario, refused: dict[int, set[int]]) -> Scenario:
    """The formats have no "excluded volunteer" field, so the exclusion rides on skills: the
    request requires a pseudo-skill that every volunteer holds except those who said no."""
    if not refused:
        return scenario
    requests = tuple(
        replace(r, skills=r.skills | {declined_skill(rid)})
        if (rid := request_id_of(r.id)) in refused
        else r
        for r in scenario.requests
    )
    volunteers = tuple(
        replace(
            v,
            skills=v.skills
            | {
                declined_skill(rid)
                for rid, said_no in refused.items()
                if volunteer_id_of(v.id) not in said_no
            },
        )
        for v in scenario.volunteers
    )
    return replace(scenario, requests=requests, volunteers=volunteers)
