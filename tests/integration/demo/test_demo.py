"""The demo data: complete, consistent, idempotent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, time
from typing import Any

import phonenumbers
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from demo.communes import COMMUNES, load_demo
from dispatch.catalogue import KEYS
from dispatch.db import make_engine, make_session_factory
from dispatch.models import (
    Assignment,
    AuditLog,
    Commune,
    Event,
    Hamlet,
    HelpRequest,
    Resident,
    Team,
    User,
    Volunteer,
)
from dispatch.services.unit_of_work import unit_of_work
from dispatch.states import RequestStatus

NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam


@pytest.fixture(scope="module")
def demo(_databases: Any) -> Iterator[Session]:
    """One demo database for the module (loading takes seconds); tests only read it."""
    engine = make_engine(_databases.create())
    with make_session_factory(engine)() as session:
        with unit_of_work(session):
            assert load_demo(session, NOW) is True
        yield session
    engine.dispose()


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_loads_once(demo: Session) -> None:
    volunteers = _count(demo, Volunteer)
    with unit_of_work(demo):
        assert load_demo(demo, NOW) is False
    assert _count(demo, Volunteer) == volunteers


def test_places(demo: Session) -> None:
    communes = demo.scalars(select(Commune).order_by(Commune.code)).all()
    assert [c.name for c in communes] == ["U Minh Thượng", "An Minh", "Vân Khánh"]
    assert {c.province.name for c in communes} == {"An Giang"}
    hamlets = {c.name: [h.name for h in c.hamlets] for c in communes}
    assert hamlets["U Minh Thượng"] == ["Minh Thuận A", "Minh Thuận B", "Công Sự", "Minh Hòa"]
    assert hamlets["An Minh"] == ["Ấp 1", "Ấp 2", "Ấp 3", "Xẻo Đước"]
    assert hamlets["Vân Khánh"] == ["Kim Quy A", "Kim Quy B", "Vân Tập", "Xẻo Nhàu"]
    for hamlet in demo.scalars(select(Hamlet)):
        assert 9.6 <= hamlet.lat <= 9.8 and 104.9 <= hamlet.lon <= 105.1
    teams = demo.scalars(select(Team)).all()
    assert sorted(t.hamlet_code or "" for t in teams) == sorted(
        demo.scalars(select(Hamlet.code)).all()
    )


def test_volunteers(demo: Session) -> None:
    volunteers = demo.scalars(select(Volunteer)).all()
    assert 55 <= len(volunteers) <= 65
    assert len({v.phone for v in volunteers}) == len(volunteers)
    for v in volunteers:
        number = phonenumbers.parse(v.phone)
        assert phonenumbers.is_valid_number(number) and number.country_code == 84, v.phone
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
        assert set(v.skills) <= set(KEYS) and v.shifts
        assert len(v.name.split()) == 3
    assert any("km" in v.languages for v in volunteers)
    by_commune: dict[str, set[str]] = defaultdict(set)
    for v in volunteers:
        by_commune[v.commune_code] |= set(v.skills)
    assert all(skills == set(KEYS) for skills in by_commune.values())


def test_shifts_cover_every_day_7_to_21_in_every_commune(demo: Session) -> None:
    for commune in demo.scalars(select(Commune)):
        volunteers = demo.scalars(select(Volunteer).where(Volunteer.commune_code == commune.code))
        shifts = [s for v in volunteers for s in v.shifts]
        for weekday in range(7):
            day = sorted((s.start_local, s.end_local) for s in shifts if s.weekday == weekday)
            covered = time(7, 0)
            for start, end in day:
                if start <= covered:
                    covered = max(covered, end)
            assert covered >= time(21, 0), (commune.name, weekday, covered)


def test_requests_in_every_state_in_every_commune(demo: Session) -> None:
    rows = demo.execute(select(HelpRequest.commune_code, HelpRequest.status).distinct()).all()
    seen: dict[str, set[RequestStatus]] = defaultdict(set)
    for commune_code, status in rows:
        seen[commune_code].add(status)
    assert set(seen) == {spec.code for spec in COMMUNES}
    assert all(statuses == set(RequestStatus) for statuses in seen.values())
    assert _count(demo, Assignment) > 0 and _count(demo, AuditLog) > 0


def test_a_household_shares_one_phone(demo: Session) -> None:
    shared = demo.execute(
        select(Resident.phone).group_by(Resident.phone).having(func.count() > 1)
    ).all()
    assert len(shared) >= 3


def test_history_is_published_and_each_commune_gets_a_replan(demo: Session) -> None:
    pending = demo.scalars(
        select(Event).where(Event.published_at.is_(None), Event.type != "campaign.started")
    ).all()
    assert sorted(e.payload["commune_code"] for e in pending) == sorted(c.code for c in COMMUNES)
    assert {e.type for e in pending} == {"replan.requested"}


def test_logins(demo: Session) -> None:
    admin = demo.scalars(select(User).where(User.username == "admin")).one()
    assert admin.is_admin and admin.check_password("demo-admin")
    assert not admin.check_password("demo-anminh")
    for spec in COMMUNES:
        user = demo.scalars(select(User).where(User.username == spec.login)).one()
        assert user.check_password(f"demo-{spec.login}") and not user.is_admin
        assert [c.code for c in user.communes] == [spec.code]
        assert user.can_see(spec.code) and not user.can_see("00000")


def test_demo_has_two_hamlets_of_households_and_a_running_campaign(demo: Session) -> None:
    from dispatch.models import Campaign, CampaignStatus, DoorOutcome, Household

    households = demo.scalar(select(func.count()).select_from(Household))
    assert households is not None and households >= 200
    hamlets = demo.scalars(select(Household.hamlet_code).distinct()).all()
    assert len(hamlets) == 2
    (campaign,) = demo.scalars(select(Campaign)).all()
    assert campaign.status == CampaignStatus.RUNNING and set(campaign.hamlets) == set(hamlets)
    assert campaign.first_day < NOW.date() <= campaign.last_day
    outcomes = demo.scalars(select(DoorOutcome)).all()
    assert outcomes and {str(o.status) for o in outcomes} >= {"done", "nobody_home"}
    started = demo.scalars(select(Event).where(Event.type == "campaign.started")).all()
    assert len(started) == 1 and started[0].published_at is None  # the worker plans today
