"""The database side of campaign planning: load one campaign day, plan it, write walk lists.

A day is planned from the households still to reach: never visited, "nobody home" (next try at
another part of the day), "come back at" (that day, around that time), or on this day's list
already (re-planned together). Households on a later day's list stay there; done or refused
households and those flagged for the hamlet head (three misses) are left out. The day's planned
visits without an outcome are replaced in one transaction, so re-running a day is harmless.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from dispatch.campaign_items import door_minutes, door_skills
from dispatch.campaign_model import Door, Walker, door_priority, part_of, plan_day
from dispatch.campaign_pairs import pair_walkers, walker_ids
from dispatch.clock import LOCAL_TZ, as_utc, local_to_utc
from dispatch.events import WalkListsPlanned
from dispatch.models import (
    Assignment,
    Campaign,
    CampaignStatus,
    CampaignVisit,
    DoorStatus,
    Household,
    Volunteer,
)
from dispatch.outbox import record
from dispatch.planning_scenario import _day_shifts
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import LIVE_ASSIGNMENT_STATUSES
from scheduler.types import LatLon

LEAD = timedelta(minutes=30)
FINISHED = (DoorStatus.DONE, DoorStatus.REFUSED)


@dataclass
class DaySummary:
    campaign_id: int
    day: date
    planned: int
    unplanned: int
    walkers: int
    wall_s: float


def _door(campaign: Campaign, household: Household, visits: list[CampaignVisit]) -> Door:
    last = max((v for v in visits if v.status != DoorStatus.PLANNED), key=_visit_key, default=None)
    avoid = last.part_of_day if last is not None and last.status == DoorStatus.NOBODY_HOME else None
    come_back = None
    if last is not None and last.status == DoorStatus.COME_BACK and last.outcome is not None:
        come_back = last.outcome.come_back_at
    needs = household.elderly or household.disabled or household.no_smartphone
    return Door(
        id=f"h{household.id}",
        group=household.hamlet_code,
        location=LatLon(household.lat, household.lon),
        minutes=door_minutes(campaign.checklist, household.elderly or household.disabled),
        skills=door_skills(campaign.checklist, household.khmer_speaking),
        at_home=household.at_home,
        avoid_part=avoid,
        come_back_at=come_back,
        priority=door_priority(
            needs, household.misses, household.at_home, household.khmer_speaking
        ),
    )


def _visit_key(visit: CampaignVisit) -> tuple[date, int]:
    return (visit.day, visit.id)


def doors_to_plan(session: Session, campaign: Campaign, day: date, today: date) -> list[Door]:
    households = session.scalars(
        select(Household)
        .where(
            Household.commune_code == campaign.commune_code,
            Household.hamlet_code.in_(campaign.hamlets),
        )
        .order_by(Household.id)
    ).all()
    visits: dict[int, list[CampaignVisit]] = defaultdict(list)
    for visit in session.scalars(
        select(CampaignVisit)
        .where(CampaignVisit.campaign_id == campaign.id, CampaignVisit.status != DoorStatus.DROPPED)
        .options(selectinload(CampaignVisit.outcome))
    ):
        visits[visit.household_id].append(visit)
    doors = []
    for household in households:
        mine = visits[household.id]
        if household.flagged_at is not None or any(v.status in FINISHED for v in mine):
            continue
        if any(v.status == DoorStatus.PLANNED and v.day != day and v.day >= today for v in mine):
            continue  # on another day's list still to come (a past day's unrecorded visit
            # counts as not made: the household is planned again)
        doors.append(_door(campaign, household, mine))
    return doors


def walkers_for(session: Session, campaign: Campaign, day: date) -> list[Walker]:
    volunteers = session.scalars(
        select(Volunteer)
        .where(
            Volunteer.commune_code == campaign.commune_code,
            Volunteer.active.is_(True),
            Volunteer.opted_out.is_(False),
        )
        .options(
            selectinload(Volunteer.shifts),
            selectinload(Volunteer.exceptions),
            selectinload(Volunteer.team),
        )
        .order_by(Volunteer.id)
    ).all()
    begin, end = (
        local_to_utc(day, datetime.min.time()),
        local_to_utc(day + timedelta(days=1), datetime.min.time()),
    )
    busy: dict[int, list[tuple[datetime, datetime, LatLon]]] = defaultdict(list)
    for assignment in session.scalars(
        select(Assignment)
        .where(
            Assignment.volunteer_id.in_([v.id for v in volunteers]),
            Assignment.status.in_(list(LIVE_ASSIGNMENT_STATUSES)),
            Assignment.start_at < end,
            Assignment.end_at > begin,
        )
        .options(selectinload(Assignment.request))
    ):
        where = LatLon(assignment.request.lat, assignment.request.lon)
        busy[assignment.volunteer_id].append((assignment.start_at, assignment.end_at, where))
    walkers = []
    for v in volunteers:
        shifts = tuple(_day_shifts(v, day))
        if shifts and v.team.hamlet_code is not None:
            walkers.append(
                Walker(
                    f"v{v.id}",
                    v.team.hamlet_code,
                    LatLon(v.home_lat, v.home_lon),
                    v.planning_skills(),
                    shifts,
                    tuple(busy[v.id]),
                )  # fmt: skip
            )
    return walkers


def plan_campaign_day(
    session: Session, campaign_id: int, day: date, now: datetime, time_limit_s: float = 20.0
) -> DaySummary | None:
    """Plan (or re-plan) one day of a running campaign; None when there is nothing to plan."""
    now = as_utc(now)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or campaign.status != CampaignStatus.RUNNING:
        return None
    if (
        not campaign.first_day <= day <= campaign.last_day
        or local_to_utc(day + timedelta(days=1), datetime.min.time()) <= now
    ):
        return None
    doors = doors_to_plan(session, campaign, day, now.astimezone(LOCAL_TZ).date())
    walkers = walkers_for(session, campaign, day)
    if campaign.in_pairs:
        walkers = pair_walkers(walkers, now + LEAD)
    plan = plan_day(f"campaign {campaign.id} {day}", day, doors, walkers,
                    time_limit_s=time_limit_s, earliest=now + LEAD)  # fmt: skip
    with unit_of_work(session):  # after the solve: no write lock held while solving
        session.execute(
            delete(CampaignVisit).where(
                CampaignVisit.campaign_id == campaign.id,
                CampaignVisit.day == day,
                CampaignVisit.status == DoorStatus.PLANNED,
            )
        )
        for stop in plan.stops:
            people = walker_ids(stop.walker)
            session.add(
                CampaignVisit(
                    campaign_id=campaign.id,
                    household_id=int(stop.door[1:]),
                    volunteer_id=people[0],
                    partner_id=people[1] if len(people) > 1 else None,
                    day=day,
                    route_order=stop.order,
                    start_at=stop.start,
                    end_at=stop.end,
                    part_of_day=part_of(stop.start),
                )
            )
        record(session, WalkListsPlanned(campaign.commune_code, campaign.id, day.isoformat()))
    return DaySummary(
        campaign.id, day, len(plan.stops), len(plan.unplanned), len(walkers), plan.wall_s
    )
