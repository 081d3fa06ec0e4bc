"""Submit throughput and submit-to-offer latency (not part of the test suite).

    python -m bench.submits [--quick] [--postgres URL] [--redis URL]

1. Submits per second into the database + outbox (``services.requests.submit``, one
   transaction each), without and with the after-commit publish to Redis, on SQLite and, when
   ``--postgres`` is given, PostgreSQL.
2. Submit-to-offer latency with 2 real workers (``doorstep worker --with-scheduler``
   subprocesses): submits at 10/s and 50/s spread over several communes; the latency of a
   request is ``offered_at - created_at`` of its first offer. Debounce and solver limits are
   the defaults (2 s each), so a plan is ~2 s of debounce + ~2 s of solving.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dispatch.db import make_engine, make_session_factory, upgrade
from dispatch.models import (
    Assignment,
    Commune,
    Hamlet,
    HelpRequest,
    PlanRun,
    Province,
    Team,
    Volunteer,
    VolunteerShift,
)
from dispatch.redis_conn import EmbeddedRedis
from dispatch.relay import publish_after_commit
from dispatch.runtime import bootstrap
from dispatch.services.requests import SubmitRequest, submit
from dispatch.settings import load_settings

KINDS = ["vneid", "public_services", "e_payment", "smartphone_basics", "health_insurance"]


def seed(sessions: sessionmaker[Session], communes: int, volunteers: int) -> list[str]:
    codes = [f"B{c:02d}" for c in range(communes)]
    with sessions.begin() as session:
        session.add(Province(code="AG", name="An Giang"))
        for c, code in enumerate(codes):
            lat, lon = 9.5 + c * 0.05, 105.1 + c * 0.05
            session.add(Commune(code=code, province_code="AG", name=code, lat=lat, lon=lon))
            session.add(Hamlet(code=f"{code}-1", commune_code=code, name="Ấp 1", lat=lat, lon=lon))
            session.flush()
            team = Team(commune_code=code, hamlet_code=f"{code}-1", name=f"Tổ {code}")
            session.add(team)
            session.flush()
            for n in range(volunteers):
                v = Volunteer(
                    phone=f"+849{c:02d}{n:05d}",
                    name=f"TNV {c}-{n}",
                    team_id=team.id,
                    commune_code=code,
                    home_lat=lat + (n % 5) * 0.005,
                    home_lon=lon + (n // 5) * 0.005,
                    skills=KINDS,
                    languages=["vi"],
                    max_visits_per_shift=6,
                )
                v.shifts = [
                    VolunteerShift(weekday=d, start_local=clock_time(7), end_local=clock_time(21))
                    for d in range(7)
                ]
                session.add(v)
    return codes


def _submit(sessions: sessionmaker[Session], n: int, commune: str) -> None:
    with sessions() as session:
        submit(
            session,
            SubmitRequest(
                phone=f"+8498{n:07d}",
                kind=KINDS[n % len(KINDS)],
                commune_code=commune,
                hamlet_code=f"{commune}-1",
                channel="sms",
            ),
            datetime.now(UTC),
        )


def throughput(url: str, redis_client_url: str | None, count: int, publish: bool) -> float:
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    codes = seed(sessions, 2, 2)
    if publish:
        import redis

        from dispatch.queues import make_queues

        client = redis.Redis.from_url(redis_client_url) if redis_client_url else None
        assert client is not None
        queues = make_queues(client)
        publish_after_commit(sessions, lambda: queues)
    started = time.perf_counter()
    for n in range(count):
        _submit(sessions, n, codes[n % 2])
    rate = count / (time.perf_counter() - started)
    engine.dispose()
    return rate


def latency(rate: float, seconds: float, workdir: Path, redis_url: str | None) -> dict[str, float]:
    instance = workdir / f"latency-{int(rate)}"
    env = dict(os.environ, DOORSTEP_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    else:
        env.pop("REDIS_URL", None)
    settings = load_settings(env)
    upgrade(settings.database_url)
    runtime = bootstrap(settings)
    if redis_url:
        runtime.queues.connection.flushdb()
    codes = seed(runtime.sessions, 6, 30)
    logs = [open(instance / f"worker{n}.log", "w") for n in range(2)]  # noqa: SIM115
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "web.cli", "worker", "--with-scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    try:
        time.sleep(2)  # workers up
        total = int(rate * seconds)
        start = time.perf_counter()

        def paced(n: int) -> None:
            pause = start + n / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            _submit(runtime.sessions, n, codes[n % len(codes)])

        # Several submitters, as several web threads would: one alone caps the offered rate.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(paced, range(total)))
        achieved = total / (time.perf_counter() - start)
        deadline = time.monotonic() + 90
        latencies: list[float] = []
        while time.monotonic() < deadline:
            with runtime.sessions() as session:
                rows = session.execute(
                    select(HelpRequest.id, HelpRequest.created_at, Assignment.offered_at)
                    .join(Assignment, Assignment.request_id == HelpRequest.id)
                    .order_by(Assignment.id)
                ).all()
            first: dict[int, float] = {}
            for request_id, created, offered in rows:
                first.setdefault(request_id, (offered - created).total_seconds())
            latencies = list(first.values())
            if len(latencies) >= total:
                break
            time.sleep(1)
        with runtime.sessions() as session:
            runs = session.scalars(select(PlanRun.status)).all()
        quantiles = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0.0] * 19
        return {
            "rate": rate,
            "achieved": achieved,
            "submitted": total,
            "offered": len(latencies),
            "p50": statistics.median(latencies) if latencies else float("nan"),
            "p95": quantiles[18],
            "plans_done": runs.count("done"),
            "plans_other": len(runs) - runs.count("done"),
        }
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
        for log in logs:
            log.close()
        errors = Counter(
            line.split(":")[0]
            for n in range(2)
            for line in (instance / f"worker{n}.log").read_text().splitlines()
            if re.match(r"^[\w.]+(Error|Exception|Conflict|Stale)\b", line)
        )
        print(f"  (rate {rate:.0f}/s: job errors in the worker logs: {dict(errors) or 'none'})")
        runtime.close()
        if not redis_url:
            EmbeddedRedis(instance).stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.submits")
    parser.add_argument("--quick", action="store_true", help="fewer submits, shorter runs")
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    parser.add_argument("--redis", help="e.g. redis://127.0.0.1:6379/15 (default: embedded)")
    parser.add_argument("--latency-only", action="store_true", help="skip the throughput part")
    args = parser.parse_args(argv)
    count = 200 if args.quick else 1000
    seconds = 6.0 if args.quick else 15.0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = EmbeddedRedis(workdir / "redis")
        server.ensure_running()
        redis_url = args.redis or f"unix://{server.socket_path}"
        print(f"submits into database + outbox ({count} each, one transaction per submit)")
        print(f"{'database':<12} {'publish':<8} {'submits/s':>10}")
        targets = [("sqlite", lambda n: f"sqlite:///{workdir / f'tp{n}.sqlite3'}")]
        if args.postgres:
            targets.append(("postgresql", lambda n: _pg_schema(args.postgres, n)))
        for name, make_url in [] if args.latency_only else targets:
            for n, publish in enumerate((False, True)):
                rate = throughput(make_url(n), redis_url, count, publish)
                print(f"{name:<12} {'yes' if publish else 'no':<8} {rate:>10.0f}")
        server.stop()
        print()
        print(f"submit-to-offer latency, 2 workers, SQLite, {seconds:.0f} s of submits")
        header = ("rate/s", "achieved", "submitted", "offered", "p50 s", "p95 s", "plans ok/other")
        print("{:>7} {:>9} {:>9} {:>8} {:>7} {:>7} {:>15}".format(*header))
        for rate in (10.0, 50.0):
            row = latency(rate, seconds, workdir, args.redis)
            print(
                f"{row['rate']:>7.0f} {row['achieved']:>9.1f} {row['submitted']:>9.0f} "
                f"{row['offered']:>8.0f} {row['p50']:>7.2f} {row['p95']:>7.2f} "
                f"{row['plans_done']:>11.0f}/{row['plans_other']:.0f}"
            )
    return 0


def _pg_schema(base: str, n: int) -> str:
    """A fresh schema per run so repeated runs start empty."""
    import secrets

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"bench_{secrets.token_hex(4)}_{n}"
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


if __name__ == "__main__":
    raise SystemExit(main())
