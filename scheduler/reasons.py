"""Why a request is left unassigned, in words a coordinator understands.

The checks go from the most fundamental cause to the least, and the first that applies is the
reason given:

1. skills: no volunteer has every skill the request needs ("no volunteer has skill vneid"),
   or every one who has them is excluded from the request ("every volunteer with its skills
   is excluded from it");
2. time: no shift of a skilled volunteer overlaps one of the request's windows long enough to
   hold the whole visit ("no shift overlaps its windows");
3. reach: such an overlap exists, but travel from the volunteer's home and back does not fit
   in it ("out of reach in time");
4. load: someone could have made the visit, but every such volunteer shift is taken by other
   visits, or its visit count or capacity is too small ("every able volunteer is full").

Only the scenario is needed: the first three do not depend on the plan, and the fourth is what
remains when a planner left the request out although it could have fitted alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from scheduler.travel import travel_seconds
from scheduler.types import Interval, Request, Scenario, Unassigned, Volunteer

NO_SHIFT_OVERLAP = "no shift overlaps its windows"
OUT_OF_REACH = "out of reach in time"
ALL_FULL = "every able volunteer is full"
ALL_EXCLUDED = "every volunteer with its skills is excluded from it"


def missing_skills_reason(missing: Iterable[str]) -> str:
    names = sorted(missing)
    if len(names) == 1:
        return f"no volunteer has skill {names[0]}"
    return f"no volunteer has skills {', '.join(names)}"


def _skilled(scenario: Scenario, request: Request) -> list[Volunteer]:
    return [v for v in scenario.volunteers if request.servable_by(v)]


def _skill_reason(scenario: Scenario, request: Request) -> str:
    known = frozenset().union(*(v.skills for v in scenario.volunteers))
    missing = request.skills - known
    if missing:
        return missing_skills_reason(missing)
    if any(request.skills <= v.skills for v in scenario.volunteers):
        return ALL_EXCLUDED
    # Every skill exists somewhere, but never all in one volunteer.
    return f"no volunteer has all of skills {', '.join(sorted(request.skills))}"


def _windows(request: Request, shift: Interval) -> tuple[Interval, ...]:
    # An empty window list means "any time": the shift itself is the window.
    return request.windows or (shift,)


def _fits(earliest: datetime, latest_end: datetime, duration: timedelta) -> bool:
    return earliest + duration <= latest_end


def _overlaps(request: Request, shift: Interval) -> bool:
    """The whole visit fits in shift ∩ some window, ignoring travel."""
    duration = timedelta(minutes=request.duration_min)
    return any(
        _fits(max(w.start, shift.start), min(w.end, shift.end), duration)
        for w in _windows(request, shift)
    )


def _reachable(scenario: Scenario, volunteer: Volunteer, request: Request, shift: Interval) -> bool:
    """The visit fits alone in the shift: out from home, the visit in a window, back home."""
    there = timedelta(seconds=travel_seconds(scenario.travel, volunteer.location, request.location))
    back = timedelta(seconds=travel_seconds(scenario.travel, request.location, volunteer.location))
    duration = timedelta(minutes=request.duration_min)
    return any(
        _fits(max(w.start, shift.start + there), min(w.end, shift.end - back), duration)
        for w in _windows(request, shift)
    )


def _has_room(volunteer: Volunteer, request: Request) -> bool:
    if volunteer.max_visits_per_shift is not None and volunteer.max_visits_per_shift < 1:
        return False
    return volunteer.capacity is None or request.demand <= volunteer.capacity


def reason_for(scenario: Scenario, request: Request) -> str:
    """The reason ``request`` could not be assigned (see the module docstring for the order)."""
    skilled = _skilled(scenario, request)
    if not skilled:
        return _skill_reason(scenario, request)
    overlapping = [(v, s) for v in skilled for s in v.shifts if _overlaps(request, s)]
    if not overlapping:
        return NO_SHIFT_OVERLAP
    reachable = [(v, s) for v, s in overlapping if _reachable(scenario, v, request, s)]
    if not reachable:
        return OUT_OF_REACH
    if not any(_has_room(v, request) for v, _ in reachable):
        return f"{ALL_FULL} (visit limit or capacity too small)"
    return ALL_FULL


def explain_unassigned(scenario: Scenario, request_ids: Iterable[str]) -> tuple[Unassigned, ...]:
    """One ``Unassigned`` with its reason per id, in the order given."""
    by_id = {r.id: r for r in scenario.requests}
    return tuple(Unassigned(rid, reason_for(scenario, by_id[rid])) for rid in request_ids)


def can_ever_serve(scenario: Scenario, volunteer: Volunteer, request: Request) -> list[int]:
    """Indexes of ``volunteer``'s shifts in which ``request`` fits alone (skills, time, room).

    The solver uses this to prune the vehicles a request may use.
    """
    if not request.servable_by(volunteer) or not _has_room(volunteer, request):
        return []
    return [
        i for i, s in enumerate(volunteer.shifts) if _reachable(scenario, volunteer, request, s)
    ]
