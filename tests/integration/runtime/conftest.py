"""Runtime fixtures: a migrated database, a Redis, and the worker runtime wired to both."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
import redis
from sqlalchemy.orm import Session, sessionmaker

from dispatch.models import Commune, Hamlet, Province, Team, Volunteer, VolunteerShift
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.services.requests import SubmitRequest, submit
from dispatch.services.unit_of_work import unit_of_work
from dispatch.settings import Settings, load_settings

COMMUNE = "AG-UMT"
HAMLETS = {"AG-UMT-01": (9.6010, 105.1200), "AG-UMT-02": (9.6100, 105.1350)}
SKILLS = ["vneid", "public_services", "e_payment", "smartphone_basics"]


def make_settings(instance: Path, **env: str) -> Settings:
    base = {
        "DOORSTEP_INSTANCE_PATH": str(instance),
        "DOORSTEP_SECRET_KEY": "test-secret-key-0123456789",
        "DOORSTEP_REPLAN_DEBOUNCE_SECONDS": "0",
    }
    return load_settings({**base, **env})


def seed_commune(sessions: sessionmaker[Session], volunteers: int = 3, max_visits: int = 4) -> None:
    """One commune, two hamlets, volunteers on shift 07:00-21:00 local every day."""
    with sessions.begin() as session:
        session.add(Province(code="AG", name="An Giang"))
        session.add(Commune(code=COMMUNE, province_code="AG", name="U Minh Thượng",
                            lat=9.605, lon=105.125))  # fmt: skip
        for code, (lat, lon) in HAMLETS.items():
            session.add(Hamlet(code=code, commune_code=COMMUNE, name=code, lat=lat, lon=lon))
        session.flush()
        team = Team(commune_code=COMMUNE, hamlet_code="AG-UMT-01", name="Tổ 1")
        session.add(team)
        session.flush()
        for n in range(volunteers):
            v = Volunteer(
                phone=f"+8491000{n:04d}",
                name=f"Tình nguyện viên {n}",
                team_id=team.id,
                commune_code=COMMUNE,
                home_lat=9.60 + n * 0.004,
                home_lon=105.12 + n * 0.004,
                skills=SKILLS,
                languages=["vi"],
                max_visits_per_shift=max_visits,
            )
            v.shifts = [VolunteerShift(weekday=d, start_local=time(7), end_local=time(21))
                        for d in range(7)]  # fmt: skip
            session.add(v)


def submit_request(sessions: sessionmaker[Session], n: int, kind: str = "vneid") -> int:
    with sessions() as session:
        with unit_of_work(session):
            result = submit(
                session,
                SubmitRequest(
                    phone=f"+8498765{n:04d}",
                    kind=kind,
                    commune_code=COMMUNE,
                    hamlet_code="AG-UMT-02" if n % 2 else "AG-UMT-01",
                    text="giúp cài VNeID",
                    channel="sms",
                ),
                datetime.now(UTC),
            )
        return result.request.id


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "instance")


@pytest.fixture
def runtime(
    settings: Settings, fresh_database_url: str, redis_conn: redis.Redis[bytes]
) -> Iterator[Runtime]:
    rt = bootstrap(settings, worker=True, redis_client=redis_conn, database_url=fresh_database_url)
    install(rt)
    seed_commune(rt.sessions)
    yield rt
    install(None)
    rt.engine.dispose()
