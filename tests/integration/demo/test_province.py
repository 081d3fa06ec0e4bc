"""The province data set (scaled down for the test) and one day's arrivals."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from demo.province import DAY_S, ProvinceSpec, arrivals, load_province, peak_rate_per_s
from dispatch.db import make_engine, make_session_factory
from dispatch.models import Commune, Event, Hamlet, Team, Volunteer, VolunteerShift
from dispatch.services.unit_of_work import unit_of_work


def test_full_size_spec_and_its_day() -> None:
    spec = ProvinceSpec()
    assert (spec.communes, spec.hamlets, spec.volunteers, spec.requests) == (102, 1035, 8000, 30000)
    hamlets = [(f"C{n % 102}", f"C{n % 102}-{n}", f"Ấp {n}") for n in range(1035)]
    day = list(arrivals(spec, hamlets))
    assert len(day) == 30_000
    assert [a.at_s for a in day] == sorted(a.at_s for a in day)
    assert 0 <= day[0].at_s and day[-1].at_s < DAY_S
    channels = Counter(a.channel for a in day)
    assert set(channels) == {"sms", "web", "api"} and channels["sms"] > channels["web"]
    per_hour = Counter(int(a.at_s // 3600) for a in day)
    assert max(per_hour, key=per_hour.__getitem__) in (1, 2)  # 08:00-10:00 local: the peak
    assert per_hour[1] > 2.5 * per_hour[10]
    assert 1.8 < peak_rate_per_s(spec) < 2.5
    assert len({a.phone for a in day}) == 30_000
    assert list(arrivals(spec, hamlets))[:50] == day[:50]  # the same seed, the same day


def test_loads_a_scaled_province_once(fresh_database_url: str) -> None:
    spec = ProvinceSpec().scaled(0.05)
    engine = make_engine(fresh_database_url)
    try:
        with make_session_factory(engine)() as session:
            with unit_of_work(session):
                assert load_province(session, spec) is True
            with unit_of_work(session):
                assert load_province(session, spec) is False  # not into a database with data

            def count(model: type) -> int:
                return session.scalar(select(func.count()).select_from(model)) or 0

            assert count(Commune) == spec.communes == 5
            assert count(Hamlet) == count(Team) == spec.hamlets == 52
            assert count(Volunteer) == spec.volunteers == 400
            shifts = count(VolunteerShift)
            assert 3 * 400 <= shifts <= 5 * 400
            assert count(Event) == spec.communes  # one re-plan asked per commune
            per_commune = session.execute(
                select(Volunteer.commune_code, func.count()).group_by(Volunteer.commune_code)
            ).all()
            assert len(per_commune) == 5 and min(n for _c, n in per_commune) >= 70
    finally:
        engine.dispose()


def test_doorstep_demo_province_command(tmp_path: Path, fresh_database_url: str) -> None:
    env = dict(os.environ, DATABASE_URL=fresh_database_url, DOORSTEP_INSTANCE_PATH=str(tmp_path))
    argv = [sys.executable, "-m", "web.cli", "demo", "--province", "--scale", "0.02"]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "province loaded: 2 communes, 21 hamlets, 160 volunteers" in done.stdout
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "already has data" in again.stderr
