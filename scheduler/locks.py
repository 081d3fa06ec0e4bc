"""Locked visits: which shift each one falls in, and whether they can be honoured at all.

A lock fixes a request to a volunteer and a start; the plan must contain it unchanged. A lock
that no feasible plan could contain (unknown ids, missing skills, outside every window or
shift, clashing with another lock) makes the scenario invalid rather than the plan infeasible.
"""

from __future__ import annotations

import json
from datetime import timedelta

from scheduler.checker import in_some_window, route_problems
from scheduler.evaluate import requests_by_id, volunteers_by_id
from scheduler.types import Lock, Request, Route, Scenario, Visit, Volunteer


def lock_visit(lock: Lock, request: Request) -> Visit:
    return Visit(
        request=lock.request,
        start=lock.start,
        end=lock.start + timedelta(minutes=request.duration_min),
    )


def lock_shift(
    scenario: Scenario, lock: Lock, volunteer: Volunteer, request: Request
) -> int | None:
    """The first shift of ``volunteer`` that holds the locked visit alone, travel included."""
    visit = lock_visit(lock, request)
    requests = {request.id: request}
    for index in range(len(volunteer.shifts)):
        route = Route(volunteer=volunteer.id, shift=index, visits=(visit,))
        if not route_problems(scenario, route, volunteer, requests):
            return index
    return None


def locked_routes(scenario: Scenario) -> dict[tuple[str, int], list[Visit]]:
    """Locked visits by (volunteer, shift), in time order; the scenario must be valid."""
    volunteers = volunteers_by_id(scenario)
    requests = requests_by_id(scenario)
    out: dict[tuple[str, int], list[Visit]] = {}
    for lock in scenario.locked:
        request = requests[lock.request]
        shift = lock_shift(scenario, lock, volunteers[lock.volunteer], request)
        if shift is None:
            raise ValueError(f"lock on {lock.request!r} fits no shift (unvalidated scenario)")
        out.setdefault((lock.volunteer, shift), []).append(lock_visit(lock, request))
    for visits in out.values():
        visits.sort(key=lambda v: v.start)
    return out


def check_locks(scenario: Scenario) -> str | None:
    """The first problem with ``scenario.locked`` as one line naming the lock, else None."""
    volunteers = volunteers_by_id(scenario)
    requests = requests_by_id(scenario)
    seen: dict[str, int] = {}
    by_shift: dict[tuple[str, int], list[tuple[int, Visit]]] = {}
    for i, lock in enumerate(scenario.locked):
        where = f"locked[{i}](request={json.dumps(lock.request, ensure_ascii=False)})"
        request = requests.get(lock.request)
        if request is None:
            return f"{where}.request: unknown request {_q(lock.request)}"
        if lock.request in seen:
            first = seen[lock.request]
            return f"{where}.request: {_q(lock.request)} is locked twice (also locked[{first}])"
        seen[lock.request] = i
        volunteer = volunteers.get(lock.volunteer)
        if volunteer is None:
            return f"{where}.volunteer: unknown volunteer {_q(lock.volunteer)}"
        missing = sorted(request.skills - volunteer.skills)
        if missing:
            return (
                f"{where}.volunteer: volunteer {_q(volunteer.id)} lacks skill(s) "
                f"{', '.join(missing)} required by request {_q(request.id)}"
            )
        if volunteer.id in request.excluded_volunteers:
            return f"{where}.volunteer: volunteer {_q(volunteer.id)} is excluded from this request"
        visit = lock_visit(lock, request)
        span = f"{visit.start.isoformat()}..{visit.end.isoformat()}"
        if not in_some_window(request, visit):
            return f"{where}.start: visit {span} fits no window of request {_q(request.id)}"
        shift = lock_shift(scenario, lock, volunteer, request)
        if shift is None:
            return (
                f"{where}.start: visit {span} fits no shift of volunteer {_q(volunteer.id)}"
                " (with travel from and back home, visit limit and capacity)"
            )
        by_shift.setdefault((volunteer.id, shift), []).append((i, visit))
    return _clashes(scenario, volunteers, requests, by_shift)


def _clashes(
    scenario: Scenario,
    volunteers: dict[str, Volunteer],
    requests: dict[str, Request],
    by_shift: dict[tuple[str, int], list[tuple[int, Visit]]],
) -> str | None:
    """Locks of one shift must fit together: add them in time order, blame the first misfit."""
    for (volunteer_id, shift), items in by_shift.items():
        items.sort(key=lambda item: item[1].start)
        for count in range(2, len(items) + 1):
            visits = tuple(visit for _, visit in items[:count])
            route = Route(volunteer=volunteer_id, shift=shift, visits=visits)
            problems = route_problems(scenario, route, volunteers[volunteer_id], requests)
            if problems:
                index, visit = items[count - 1]
                return (
                    f"locked[{index}](request={_q(visit.request)}).start: clashes with other "
                    f"locked visits of volunteer {_q(volunteer_id)} shift {shift} ({problems[0]})"
                )
    return None


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
