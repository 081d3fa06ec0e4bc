"""The residents' planner sees campaign walks: a volunteer walking 08:00-10:00 tomorrow is never
offered a resident's visit then; the request is planned around the walk (after the way home)."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from dispatch import planning
from dispatch.campaign_model import TRAVEL
from dispatch.clock import LOCAL_TZ, local_to_utc, utcnow
from dispatch.models import (
    Assignment,
    CampaignStatus,
    CampaignVisit,
    Household,
    Volunteer,
)
from dispatch.runtime import Runtime
from dispatch.services import SubmitRequest, TimeWindow, campaigns, submit
from dispatch.services.unit_of_work import unit_of_work_from
from dispatch.states import AssignmentStatus
from scheduler.travel import travel_seconds
from scheduler.types import LatLon
from tests.integration.campaigns.conftest import COMMUNE, HAMLETS


def _walk(runtime: Runtime, day: date) -> tuple[int, timedelta]:
    """Tomorrow 08:00-10:00: two doors on the first volunteer's list; every other volunteer
    off, so only the walker can take a resident's request. (volunteer id, way home)"""
    with unit_of_work_from(runtime.sessions) as session:
        volunteers = session.scalars(select(Volunteer).order_by(Volunteer.id)).all()
        walker = volunteers[0]
        for other in volunteers[1:]:
            other.active = False
        campaign = campaigns.open_campaign(
            session,
            campaigns.OpenCampaign(COMMUNE, "Đi hộ", list(HAMLETS), ["vneid2"], day, day),
            "test",
            utcnow(),
        )
        campaigns.set_status(session, campaign, CampaignStatus.RUNNING, "test", utcnow())
        doors = session.scalars(select(Household).order_by(Household.id).limit(2)).all()
        for order, door in enumerate(doors, start=1):
            session.add(
                CampaignVisit(
                    campaign_id=campaign.id,
                    household_id=door.id,
                    volunteer_id=walker.id,
                    day=day,
                    route_order=order,
                    start_at=local_to_utc(day, time(7 + order)),
                    end_at=local_to_utc(day, time(8 + order)),
                    part_of_day="morning",
                )  # fmt: skip
            )
        session.flush()
        home = LatLon(walker.home_lat, walker.home_lon)
        last = LatLon(doors[-1].lat, doors[-1].lon)
        return walker.id, timedelta(seconds=travel_seconds(TRAVEL, last, home))


def test_a_resident_request_is_planned_around_a_campaign_walk(runtime: Runtime) -> None:
    tomorrow = utcnow().astimezone(LOCAL_TZ).date() + timedelta(days=1)
    walker_id, way_home = _walk(runtime, tomorrow)
    window = TimeWindow(local_to_utc(tomorrow, time(8)), local_to_utc(tomorrow, time(11, 30)))
    with unit_of_work_from(runtime.sessions) as session:
        request_id = submit(
            session,
            SubmitRequest(phone="+84987650009", kind="vneid", commune_code=COMMUNE,
                          hamlet_code="AG-AM-01", channel="sms", preferred_windows=(window,)),
            utcnow(),
        ).request.id  # fmt: skip
    planning.plan_commune(runtime.sessions, COMMUNE, offer_timeout_minutes=120, time_limit_s=1)
    with runtime.sessions() as session:
        offer = session.scalars(
            select(Assignment).where(
                Assignment.request_id == request_id,
                Assignment.status == AssignmentStatus.OFFERED,
            )
        ).one()
        # Only the walker could take it, and not during the walk: after it and the way home.
        assert offer.volunteer_id == walker_id
        assert offer.start_at >= local_to_utc(tomorrow, time(10)) + way_home
