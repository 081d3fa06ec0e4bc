"""Demo: the household register of two hamlets of An Minh and a door-to-door campaign that
started yesterday: yesterday's doors have outcomes (done, nobody home, come back, refused),
and starting it records ``campaign.started``, so the worker plans today's and later lists the
way it does for a real campaign."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dispatch.campaign_items import DEFAULT_CHECKLIST, DIFFICULTIES, door_minutes
from dispatch.clock import LOCAL_TZ, local_to_utc
from dispatch.models import (
    AtHome,
    Campaign,
    CampaignStatus,
    CampaignVisit,
    DoorOutcome,
    DoorStatus,
    Hamlet,
    Household,
    HouseholdMember,
    Team,
    Volunteer,
)

COMMUNE = "91502"
HAMLETS = ("91502-01", "91502-02")
HOUSEHOLDS_PER_HAMLET = 150
CAMPAIGN_DAYS = 7
OUTCOMES = ((DoorStatus.DONE, 0.6), (DoorStatus.NOBODY_HOME, 0.25), (DoorStatus.COME_BACK, 0.1),
            (DoorStatus.REFUSED, 0.05))  # fmt: skip
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Thạch", "Danh")
GIVEN = ("Văn Ba", "Thị Tư", "Văn Năm", "Thị Sáu", "Minh Bảy", "Thị Tám", "Văn Chín", "Ngọc Mười")


def load_demo_campaign(session: Session, rng: random.Random, now: datetime) -> Campaign:
    today = now.astimezone(LOCAL_TZ).date()
    households = _households(session, rng, now)
    campaign = Campaign(
        commune_code=COMMUNE, name="Tháng 12: mỗi hộ một người dùng được điện thoại thông minh",
        hamlets=list(HAMLETS), checklist=list(DEFAULT_CHECKLIST),
        first_day=today - timedelta(days=1), last_day=today + timedelta(days=CAMPAIGN_DAYS - 2),
        status=CampaignStatus.RUNNING, created_by="demo", created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(campaign)
    session.flush()
    _yesterday(session, rng, campaign, households, now)
    return campaign


def _households(session: Session, rng: random.Random, now: datetime) -> list[Household]:
    out = []
    for hamlet in session.scalars(select(Hamlet).where(Hamlet.code.in_(HAMLETS))):
        for n in range(1, HOUSEHOLDS_PER_HAMLET + 1):
            khmer = rng.random() < 0.12
            family = rng.choice(FAMILY[-2:] if khmer else FAMILY[:-2])
            head = f"{family} {rng.choice(GIVEN)}"
            known = rng.random() < 0.8
            household = Household(
                commune_code=COMMUNE, hamlet_code=hamlet.code, code=f"{hamlet.code}-{n:04d}",
                address=f"Tổ {1 + n // 25}, {hamlet.name}", head_name=head,
                lat=round(hamlet.lat + rng.uniform(-0.007, 0.007), 6) if known else hamlet.lat,
                lon=round(hamlet.lon + rng.uniform(-0.007, 0.007), 6) if known else hamlet.lon,
                location_is_hamlet_centre=not known, no_smartphone=rng.random() < 0.3,
                elderly=rng.random() < 0.25, disabled=rng.random() < 0.04, khmer_speaking=khmer,
                at_home=rng.choice((AtHome.ANY, AtHome.FARMER, AtHome.FARMER, AtHome.EVENING)),
                created_at=now, updated_at=now,
            )  # fmt: skip
            born = rng.randint(1940, 1975)
            household.members = [
                HouseholdMember(name=head, birth_year=born),
                HouseholdMember(name=f"{family} {rng.choice(GIVEN)}", birth_year=born + 25,
                                digital_core=rng.random() < 0.3),
            ]  # fmt: skip
            session.add(household)
            out.append(household)
    session.flush()
    return out


def _yesterday(
    session: Session, rng: random.Random, campaign: Campaign, households: list[Household],
    now: datetime,
) -> None:  # fmt: skip
    """Yesterday's walk lists, simply laid out in a row per volunteer, with their outcomes."""
    day = campaign.first_day
    volunteers = session.scalars(
        select(Volunteer)
        .join(Team, Team.id == Volunteer.team_id)
        .where(Team.hamlet_code.in_(HAMLETS))
        .options(selectinload(Volunteer.team))
        .order_by(Volunteer.id)
    ).all()
    walkers = [v for v in volunteers if "vneid" in v.skills]
    for index, household in enumerate(h for h in households if not h.khmer_speaking):
        if index >= 6 * len(walkers) or not walkers:
            break
        walker = walkers[index % len(walkers)]
        order = index // len(walkers) + 1
        start = local_to_utc(day, time(16, 30)) + timedelta(minutes=30 * (order - 1))
        minutes = door_minutes(campaign.checklist, household.elderly or household.disabled)
        status = rng.choices([s for s, _w in OUTCOMES], [w for _s, w in OUTCOMES])[0]
        visit = CampaignVisit(
            campaign_id=campaign.id, household_id=household.id, volunteer_id=walker.id, day=day,
            route_order=order, start_at=start, end_at=start + timedelta(minutes=minutes),
            status=status, part_of_day="afternoon" if order < 2 else "evening",
        )  # fmt: skip
        session.add(visit)
        session.flush()
        done = list(campaign.checklist) if status == DoorStatus.DONE else []
        if done and rng.random() < 0.3:
            done = done[:2]
        session.add(
            DoorOutcome(
                visit_id=visit.id, household_id=household.id, status=status, done_items=done,
                come_back_at=start + timedelta(days=1) if status == DoorStatus.COME_BACK else None,
                digital_core_member_id=household.members[-1].id if done else None,
                difficulties=rng.sample(list(DIFFICULTIES)[:-1], rng.randint(0, 2)),
                recorded_at=visit.end_at, recorded_via=rng.choice(("web", "sms")),
            )
        )  # fmt: skip
        if status == DoorStatus.NOBODY_HOME:
            household.misses += 1
        if done:
            household.members[-1].digital_core = True
    session.flush()
