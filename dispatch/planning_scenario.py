"""Database -> scheduler problem for one commune (the read half of the planning adapter).

- Horizon: today and the next ``HORIZON_DAYS - 1`` days, local time (Asia/Ho_Chi_Minh).
- Volunteers: active, not opted out; weekly shifts on each horizon day, minus "off" exceptions,
  plus "extra" ones, minus their campaign walks (``dispatch.campaign_busy``).
- Requests: open, offered and scheduled ones of the commune. A new visit may start no earlier
  than ``now + LEAD``; accepted, in-progress and coordinator-locked visits are locks.
- ``previous``: the live assignments as a plan, for the solver's warm start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.campaign_busy import walk_spans, without_walks
from dispatch.catalogue import BY_KEY
from dispatch.clock import LOCAL_TZ, local_to_utc
from dispatch.models import Assignment, HelpRequest, Volunteer
from dispatch.models.people import ExceptionKind
from dispatch.planning_ids import request_key, volunteer_key
from dispatch.planning_refusals import refused_by
from dispatch.states import (
    FIXED_ASSIGNMENT_STATUSES,
    LIVE_ASSIGNMENT_STATUSES,
    RequestStatus,
)
from scheduler.types import (
    Haversine,
    Interval,
    LatLon,
    Lock,
    Objective,
    Plan,
    Request,
    Route,
    Scenario,
    Visit,
)
from scheduler.types import Volunteer as PlanVolunteer

HORIZON_DAYS = 3
LEAD = timedelta(minutes=30)  # time to read the SMS and get on the motorbike
# Rural roads by motorbike: ~25 km/h door to door, roads 1.4x the straight line.
TRAVEL = Haversine(speed_kmh=25.0, detour_factor=1.4)
DEFAULT_VISIT_MIN = 45
PLANNED_STATUSES = (RequestStatus.OPEN, RequestStatus.OFFERED, RequestStatus.SCHEDULED)


@dataclass
class Problem:
    """A scenario plus what is needed to write the plan back."""

    scenario: Scenario
    previous: Plan | None
    requests: dict[str, HelpRequest]  # scenario request id -> row
    volunteers: dict[str, Volunteer]
    live: dict[int, Assignment]  # request id -> its live (offered or fixed) assignment
    locked_requests: set[int] = field(default_factory=set)


def _day_shifts(volunteer: Volunteer, day: date) -> list[Interval]:
    weekly = [(s.start_local, s.end_local) for s in volunteer.shifts if s.weekday == day.weekday()]
    exceptions = [e for e in volunteer.exceptions if e.on_date == day]
    extra = [
        (e.start_local, e.end_local)
        for e in exceptions
        if e.kind == ExceptionKind.EXTRA and e.start_local and e.end_local
    ]
    result: list[Interval] = []
    for start, end in weekly + extra:
        pieces = [(start, end)]
        for off in (e for e in exceptions if e.kind == ExceptionKind.OFF):
            pieces = _subtract(pieces, off.start_local or time.min, off.end_local or time.max)
        result += [Interval(local_to_utc(day, a), local_to_utc(day, b)) for a, b in pieces]
    return sorted(result, key=lambda i: i.start)


def _subtract(
    pieces: list[tuple[time, time]], cut_start: time, cut_end: time
) -> list[tuple[time, time]]:
    out: list[tuple[time, time]] = []
    for start, end in pieces:
        if cut_end <= start or cut_start >= end:
            out.append((start, end))
            continue
        if start < cut_start:
            out.append((start, cut_start))
        if cut_end < end:
            out.append((cut_end, end))
    return out


def horizon_end(now: datetime) -> datetime:
    """The end of the planning horizon of a plan made at ``now``."""
    today = now.astimezone(LOCAL_TZ).date()
    return local_to_utc(today + timedelta(days=HORIZON_DAYS), time.min)


def _windows(req: HelpRequest, earliest: datetime, end: datetime) -> tuple[Interval, ...]:
    raw = [
        (datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"]))
        for w in req.preferred_windows
    ] or [(earliest, end)]
    clipped = [(max(s, earliest), min(e, end)) for s, e in raw]
    return tuple(Interval(s, e) for s, e in clipped if s < e)


def _visit_minutes(req: HelpRequest) -> int:
    kind = BY_KEY.get(req.kind)
    return kind.minutes if kind else DEFAULT_VISIT_MIN


def _fits(shifts: tuple[Interval, ...], start: datetime, end: datetime) -> int | None:
    for index, shift in enumerate(shifts):
        if shift.start <= start and end <= shift.end:
            return index
    return None


def live_assignment(req: HelpRequest) -> Assignment | None:
    """The request's current offer or visit, if any (the newest live assignment)."""
    return next(
        (a for a in reversed(req.assignments) if a.status in LIVE_ASSIGNMENT_STATUSES), None
    )


def is_fixed(assignment: Assignment | None) -> bool:
    """The planner must keep it as it is: accepted, under way, or locked by a coordinator."""
    return assignment is not None and (
        assignment.status in FIXED_ASSIGNMENT_STATUSES or assignment.locked
    )


def _shift_of(
    volunteers: dict[str, PlanVolunteer], assignment: Assignment
) -> tuple[str, int] | None:
    """The volunteer and shift index holding the assignment's visit, if one does."""
    vid = volunteer_key(assignment.volunteer_id)
    planned = volunteers.get(vid)
    if planned is None:
        return None
    shift = _fits(planned.shifts, assignment.start_at, assignment.end_at)
    return None if shift is None else (vid, shift)


def _volunteer_rows(session: Session, commune_code: str) -> Sequence[Volunteer]:
    return session.scalars(
        select(Volunteer)
        .where(
            Volunteer.commune_code == commune_code,
            Volunteer.active.is_(True),
            Volunteer.opted_out.is_(False),
        )
        .options(selectinload(Volunteer.shifts), selectinload(Volunteer.exceptions))
        .order_by(Volunteer.id)
    ).all()


def _plan_volunteers(
    session: Session, rows: Sequence[Volunteer], days: list[date], now: datetime
) -> dict[str, PlanVolunteer]:
    """Volunteers with shift time left in the horizon, as the scheduler sees them (their
    campaign walks taken out: a resident's visit is never offered over one)."""
    homes = {v.id: LatLon(v.home_lat, v.home_lon) for v in rows}
    walks = walk_spans(session, homes, local_to_utc(days[0], time.min), horizon_end(now))
    planned: dict[str, PlanVolunteer] = {}
    for v in rows:
        every = [s for day in days for s in _day_shifts(v, day)]
        shifts = tuple(s for s in without_walks(every, walks.get(v.id, [])) if s.end > now)
        if shifts:
            planned[volunteer_key(v.id)] = PlanVolunteer(
                id=volunteer_key(v.id),
                location=LatLon(v.home_lat, v.home_lon),
                skills=v.planning_skills(),
                shifts=shifts,
                max_visits_per_shift=v.max_visits_per_shift,
            )
    return planned


def _request_rows(session: Session, commune_code: str) -> Sequence[HelpRequest]:
    return session.scalars(
        select(HelpRequest)
        .where(HelpRequest.commune_code == commune_code, HelpRequest.status.in_(PLANNED_STATUSES))
        .options(selectinload(HelpRequest.assignments))
        .order_by(HelpRequest.id)
    ).all()


def _as_request(req: HelpRequest, windows: tuple[Interval, ...], fixed: bool) -> Request:
    return Request(
        id=request_key(req.id),
        location=LatLon(req.lat, req.lon),
        skills=req.required_skills(),
        duration_min=_visit_minutes(req),
        windows=windows,
        priority=max(1, min(100, req.priority)),
        received_at=req.created_at,
        # Never offered again to whoever said no; a fixed visit stays with its volunteer even
        # one who once declined it (a coordinator may hand it back after a phone call).
        excluded_volunteers=frozenset() if fixed else refused_by(req),
    )


def build_problem(session: Session, commune_code: str, now: datetime) -> Problem:
    """The commune's planning problem at ``now``; two rules decide each request's part:

    - a *fixed* visit (accepted, under way, coordinator-locked) becomes a lock at its time,
      or is left out when no shift of its volunteer holds it;
    - any other request is planned within its windows from ``now + LEAD``, or left out when
      they are all past; its *live* offer, if any, goes into the warm start.
    """
    today = now.astimezone(LOCAL_TZ).date()
    days = [today + timedelta(days=n) for n in range(HORIZON_DAYS)]
    volunteer_rows = _volunteer_rows(session, commune_code)
    plan_volunteers = _plan_volunteers(session, volunteer_rows, days, now)
    request_rows = _request_rows(session, commune_code)

    requests: list[Request] = []
    locks: list[Lock] = []
    routes: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    problem_requests: dict[str, HelpRequest] = {}
    live: dict[int, Assignment] = {}
    locked: set[int] = set()
    for req in request_rows:
        current = live_assignment(req)
        placed = None if current is None else _shift_of(plan_volunteers, current)
        if current is not None:
            live[req.id] = current
        fixed = is_fixed(current)
        if fixed:
            assert current is not None
            if placed is None:
                continue  # outside every shift in the horizon: the planner leaves it alone
            windows: tuple[Interval, ...] = ()
            locks.append(Lock(request_key(req.id), placed[0], current.start_at))
            locked.add(req.id)
        else:
            windows = _windows(req, now + LEAD, horizon_end(now))
            if not windows:
                continue  # every window is already past: a coordinator must reschedule it
        requests.append(_as_request(req, windows, fixed))
        problem_requests[request_key(req.id)] = req
        if current is not None and placed is not None:
            routes[placed].append(Visit(request_key(req.id), current.start_at, current.end_at))

    scenario = Scenario(
        name=f"{commune_code} {now.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}",
        travel=TRAVEL,
        volunteers=tuple(plan_volunteers.values()),
        requests=tuple(requests),
        locked=tuple(locks),
        timezone="Asia/Ho_Chi_Minh",
    )
    previous = None
    if routes:
        previous = Plan(
            scenario=scenario.name,
            routes=tuple(
                Route(vid, shift, tuple(sorted(visits, key=lambda v: v.start)))
                for (vid, shift), visits in sorted(routes.items())
            ),
            unassigned=(),
            objective=Objective(0, 0, 0.0),
        )
    volunteers = {volunteer_key(v.id): v for v in volunteer_rows}
    return Problem(scenario, previous, problem_requests, volunteers, live, locked)
