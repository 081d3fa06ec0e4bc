"""Campaign days planned by real RQ jobs on a real database: every household in one list,
inside free shift time, never over a resident's visit, Khmer households with Khmer speakers,
"nobody home" back into the next day's lists at another part of the day, 3 misses flagged."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from dispatch.campaign_jobs import enqueue_next_day, enqueue_remaining_days
from dispatch.campaign_model import TRAVEL, part_of
from dispatch.clock import LOCAL_TZ, local_to_utc, utcnow
from dispatch.models import (
    Assignment,
    Campaign,
    CampaignStatus,
    CampaignVisit,
    DoorStatus,
    HelpRequest,
    Household,
    Resident,
    Volunteer,
)
from dispatch.runtime import Runtime
from dispatch.services import campaigns
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import AssignmentStatus, RequestStatus
from scheduler.travel import travel_seconds
from scheduler.types import LatLon
from tests.fixtures.redis import RunJobs
from tests.integration.campaigns.conftest import COMMUNE, HAMLETS


def _tomorrow() -> date:
    return utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=1)


def _open(runtime: Runtime, days: int = 3) -> int:
    first = _tomorrow()
    with runtime.sessions() as session:
        with unit_of_work(session):
            campaign = campaigns.open_campaign(
                session,
                campaigns.OpenCampaign(
                    COMMUNE,
                    "Chiến dịch tháng 12",
                    list(HAMLETS),
                    ["vneid2", "qr_payment"],
                    first,
                    first + timedelta(days=days - 1),
                ),
                "test",
                utcnow(),
            )
        with unit_of_work(session):
            campaigns.set_status(session, campaign, CampaignStatus.RUNNING, "test", utcnow())
        enqueue_remaining_days(runtime.queues, campaign.id, campaign.first_day, campaign.last_day)
        return campaign.id


def _resident_visit(runtime: Runtime, volunteer_phone: str, day: date) -> tuple[datetime, datetime]:
    start, end = local_to_utc(day, time(8, 0)), local_to_utc(day, time(9, 0))
    with runtime.sessions.begin() as session:
        volunteer = session.scalars(
            select(Volunteer).where(Volunteer.phone == volunteer_phone)
        ).one()
        resident = Resident(phone="+84987650001", commune_code=COMMUNE)
        session.add(resident)
        session.flush()
        request = HelpRequest(
            resident_id=resident.id,
            commune_code=COMMUNE,
            kind="vneid",
            channel="sms",
            status=RequestStatus.SCHEDULED,
            lat=9.74,
            lon=104.99,
        )
        session.add(request)
        session.flush()
        session.add(
            Assignment(
                request_id=request.id,
                volunteer_id=volunteer.id,
                start_at=start,
                end_at=end,
                status=AssignmentStatus.ACCEPTED,
                offered_at=utcnow(),
            )
        )
    return start, end


def _visits(runtime: Runtime, campaign_id: int) -> list[CampaignVisit]:
    with runtime.sessions() as session:
        rows = session.scalars(
            select(CampaignVisit).where(CampaignVisit.campaign_id == campaign_id)
        ).all()
        for row in rows:
            _ = row.household, row.volunteer
        return list(rows)


def _nobody_home(runtime: Runtime, visit: CampaignVisit) -> None:
    with runtime.sessions() as session, unit_of_work(session):
        campaigns.record_outcome(
            session,
            visit.volunteer_id,
            campaigns.RecordOutcome(visit.id, DoorStatus.NOBODY_HOME),
            utcnow(),
        )


def test_days_planned_by_jobs_cover_every_household_once(
    runtime: Runtime, run_jobs: RunJobs
) -> None:
    busy_start, busy_end = _resident_visit(runtime, "+84913000000", _tomorrow())
    campaign_id = _open(runtime)
    run_jobs()
    visits = _visits(runtime, campaign_id)
    with runtime.sessions() as session:
        households = {h.id: h for h in session.scalars(select(Household))}
    per_household = defaultdict(list)
    for visit in visits:
        per_household[visit.household_id].append(visit)
    assert set(per_household) == set(households)
    assert all(len(v) == 1 for v in per_household.values())
    lists = defaultdict(list)
    for visit in visits:
        lists[(visit.volunteer_id, visit.day)].append(visit)
        local = visit.start_at.astimezone(LOCAL_TZ)
        assert time(7) <= local.time() and visit.end_at.astimezone(LOCAL_TZ).time() <= time(20)
        if households[visit.household_id].khmer_speaking:
            assert "km" in visit.volunteer.languages
        if visit.volunteer.phone == "+84913000000" and visit.day == _tomorrow():
            way = timedelta(
                seconds=travel_seconds(
                    TRAVEL, LatLon(9.74, 104.99), LatLon(visit.household.lat, visit.household.lon)
                )
            )
            assert visit.end_at + way <= busy_start or visit.start_at >= busy_end + way
    for walk in lists.values():
        ordered = sorted(walk, key=lambda v: v.route_order)
        assert [v.route_order for v in ordered] == list(range(1, len(walk) + 1))
        assert all(a.end_at <= b.start_at for a, b in zip(ordered, ordered[1:], strict=False))


def test_nobody_home_goes_into_next_day_at_another_part(
    runtime: Runtime, run_jobs: RunJobs
) -> None:
    campaign_id = _open(runtime, days=5)
    run_jobs()
    first = _tomorrow()
    day_one = [v for v in _visits(runtime, campaign_id) if v.day == first]
    missed = next(v for v in day_one if v.household.at_home == "any")
    _nobody_home(runtime, missed)
    with runtime.sessions() as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        enqueue_next_day(runtime.queues, campaign_id, first, campaign.last_day)
    run_jobs()
    again = [
        v
        for v in _visits(runtime, campaign_id)
        if v.household_id == missed.household_id and v.status == DoorStatus.PLANNED
    ]
    assert len(again) == 1 and again[0].day == first + timedelta(days=1)
    assert part_of(again[0].start_at) != missed.part_of_day


def test_three_misses_flag_the_household(runtime: Runtime, run_jobs: RunJobs) -> None:
    campaign_id = _open(runtime, days=5)
    run_jobs()
    household_id = _visits(runtime, campaign_id)[0].household_id
    for _ in range(3):
        visit = next(
            v
            for v in _visits(runtime, campaign_id)
            if v.household_id == household_id and v.status == DoorStatus.PLANNED
        )
        _nobody_home(runtime, visit)
        enqueue_next_day(runtime.queues, campaign_id, visit.day, visit.day + timedelta(days=9))
        run_jobs()
    with runtime.sessions() as session:
        household = session.get(Household, household_id)
        assert household is not None and household.misses == 3 and household.flagged_at is not None
    planned = [
        v
        for v in _visits(runtime, campaign_id)
        if v.household_id == household_id and v.status == DoorStatus.PLANNED
    ]
    assert planned == []
