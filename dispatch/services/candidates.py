"""Ranked candidates for a coordinator's reassignment, each with the reasons for its rank.

For one request: every active volunteer of its commune, with whether they have the skill (and
the resident's language), the distance from their home, their load (live visits on the proposed
day) and the first free slot inside their shifts and the request's preferred windows over the
next days. Ranked by: skill, then a free slot, then load, then distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.catalogue import BY_KEY
from dispatch.clock import to_local
from dispatch.models import Assignment, HelpRequest, Volunteer
from dispatch.planning_scenario import _day_shifts  # the one definition of a day's shifts
from dispatch.services.windows import request_windows
from dispatch.states import LIVE_ASSIGNMENT_STATUSES

SEARCH_DAYS = 7
STEP = timedelta(minutes=15)
LEAD = timedelta(minutes=30)


@dataclass(frozen=True)
class Candidate:
    volunteer: Volunteer
    has_skill: bool
    missing: tuple[str, ...]
    distance_km: float
    slot: datetime | None  # first free start time in shifts and windows, if any
    load: int  # live visits on the slot's day (or today when no slot)
    rank: int

    @property
    def sort_key(self) -> tuple[bool, bool, int, float]:
        return (not self.has_skill, self.slot is None, self.load, self.distance_km)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    radius = 6371.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def _busy(
    session: Session, volunteer_ids: list[int], since: datetime
) -> dict[int, list[Assignment]]:
    rows = session.scalars(
        select(Assignment).where(
            Assignment.volunteer_id.in_(volunteer_ids),
            Assignment.status.in_(list(LIVE_ASSIGNMENT_STATUSES)),
            Assignment.end_at >= since,
        )
    )
    busy: dict[int, list[Assignment]] = {}
    for row in rows:
        busy.setdefault(row.volunteer_id, []).append(row)
    return busy


def _first_slot(
    volunteer: Volunteer,
    req: HelpRequest,
    busy: list[Assignment],
    minutes: int,
    now: datetime,
) -> datetime | None:
    windows = request_windows(req)
    length = timedelta(minutes=minutes)
    earliest = now + LEAD
    today = to_local(now).date()
    for offset in range(SEARCH_DAYS):
        day: date = today + timedelta(days=offset)
        for shift in _day_shifts(volunteer, day):
            start = max(shift.start, earliest)
            start += (-(start - shift.start)) % STEP  # on the quarter-hour grid of the shift
            while start + length <= shift.end:
                end = start + length
                fits = not windows or any(w.start <= start and end <= w.end for w in windows)
                clash = any(
                    a.request_id != req.id and a.start_at < end and start < a.end_at for a in busy
                )
                if fits and not clash:
                    return start
                start += STEP
    return None


def rank_candidates(session: Session, req: HelpRequest, now: datetime) -> list[Candidate]:
    volunteers = list(
        session.scalars(
            select(Volunteer)
            .where(
                Volunteer.commune_code == req.commune_code,
                Volunteer.active.is_(True),
                Volunteer.opted_out.is_(False),
            )
            .options(selectinload(Volunteer.shifts), selectinload(Volunteer.exceptions))
        )
    )
    busy = _busy(session, [v.id for v in volunteers], now)
    kind = BY_KEY.get(req.kind)
    minutes = kind.minutes if kind else 45
    needed = req.required_skills()
    unranked = []
    for volunteer in volunteers:
        missing = tuple(sorted(needed - volunteer.planning_skills()))
        slot = _first_slot(volunteer, req, busy.get(volunteer.id, []), minutes, now)
        day = to_local(slot or now).date()
        load = sum(
            1
            for a in busy.get(volunteer.id, [])
            if to_local(a.start_at).date() == day and a.request_id != req.id
        )
        distance = distance_km(volunteer.home_lat, volunteer.home_lon, req.lat, req.lon)
        unranked.append(
            Candidate(volunteer, not missing, missing, round(distance, 1), slot, load, rank=0)
        )
    ordered = sorted(unranked, key=lambda c: c.sort_key)
    return [
        Candidate(c.volunteer, c.has_skill, c.missing, c.distance_km, c.slot, c.load, rank=i + 1)
        for i, c in enumerate(ordered)
    ]
