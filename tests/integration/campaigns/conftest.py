"""Campaign fixtures: a commune with two hamlets, a team each, households imported through the
real importer, and the worker runtime on a fresh database and a real Redis."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from dispatch.clock import utcnow
from dispatch.models import Commune, Hamlet, Province, Team, Volunteer, VolunteerShift
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.services import household_import
from dispatch.services.unit_of_work import unit_of_work
from dispatch.settings import Settings, load_settings
from notifications import wiring
from notifications.channels import InMemoryChannel
from notifications.phone import to_e164

COMMUNE = "AG-AM"
HAMLETS = {"AG-AM-01": (9.7050, 104.9600), "AG-AM-02": (9.7200, 104.9750)}
HEADER = "code,commune,hamlet,address,head,phone,lat,lon,at_home,needs,members\n"


def household_csv(count: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    lines = [HEADER]
    for n in range(count):
        hamlet = list(HAMLETS)[n % 2]
        lat, lon = HAMLETS[hamlet]
        at_home = rng.choice(["any", "any", "farmer", "evening"])
        needs = "khmer" if n % 7 == 3 else ("elderly no_smartphone" if n % 5 == 0 else "")
        lines.append(
            f"HH{n:04d},{COMMUNE},{hamlet},Tổ {n % 9},Chủ hộ {n},,"
            f"{lat + rng.uniform(-0.006, 0.006):.5f},{lon + rng.uniform(-0.006, 0.006):.5f},"
            f"{at_home},{needs},Chủ hộ {n} 1955; Con {n} 1992\n"
        )
    return "".join(lines)


def seed_campaign_world(sessions: sessionmaker[Session], households: int = 40) -> None:
    with sessions.begin() as session:
        session.add(Province(code="AG", name="An Giang"))
        session.add(Commune(code=COMMUNE, province_code="AG", name="An Minh", lat=9.71, lon=104.97))
        for code, (lat, lon) in HAMLETS.items():
            session.add(
                Hamlet(code=code, commune_code=COMMUNE, name=f"Ấp {code[-1]}", lat=lat, lon=lon)
            )
        session.flush()
        for index, (code, (lat, lon)) in enumerate(HAMLETS.items()):
            team = Team(commune_code=COMMUNE, hamlet_code=code, name=f"Tổ {index + 1}")
            session.add(team)
            session.flush()
            for n in range(3):
                v = Volunteer(
                    phone=f"+849130{index}{n:04d}",
                    name=f"TNV {index}-{n}",
                    team_id=team.id,
                    commune_code=COMMUNE,
                    home_lat=lat + 0.001 * n,
                    home_lon=lon - 0.001 * n,
                    skills=["vneid", "e_payment", "cyber_safety", "public_services"],
                    languages=["vi", "km"] if n == 0 else ["vi"],
                )
                v.shifts = [
                    VolunteerShift(weekday=d, start_local=time(7), end_local=time(20))
                    for d in range(7)
                ]
                session.add(v)
    with sessions() as session:
        report = household_import.parse(
            session, household_csv(households).encode(), [COMMUNE], to_e164
        )
        assert not report.errors
        with unit_of_work(session):
            household_import.apply(session, report, "test", utcnow())


def make_settings(instance: Path) -> Settings:
    return load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(instance),
            "DOORSTEP_SECRET_KEY": "test-secret-key-0123456789",
            # Off, or walk lists queued in the evening wait for the morning and the tests
            # that read them back fail after 21:00 in Vietnam.
            "DOORSTEP_QUIET_HOURS": "",
        }
    )


@pytest.fixture
def channel() -> InMemoryChannel:
    """SMS go to memory (the channel port's fake, installed on the runtime below), quiet hours
    off: walk lists are read back."""
    return InMemoryChannel()


@pytest.fixture
def runtime(
    channel: InMemoryChannel,
    tmp_path: Path,
    fresh_database_url: str,
    redis_conn: redis.Redis[bytes],
) -> Iterator[Runtime]:
    rt = bootstrap(
        make_settings(tmp_path / "instance"),
        worker=True,
        redis_client=redis_conn,
        database_url=fresh_database_url,
    )
    wiring.channels(rt).install({"twilio": channel, "android_gateway": channel})
    install(rt)
    seed_campaign_world(rt.sessions)
    yield rt
    install(None)
    rt.engine.dispose()
