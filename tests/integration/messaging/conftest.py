"""Messaging fixtures: a runtime on a fresh database and the test Redis, a seeded world, and
the in-memory channel (a fake of our own SmsChannel port) installed for the delivery jobs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from rq import SimpleWorker
from sqlalchemy.orm import Session

from dispatch import relay
from dispatch.models import Assignment, HelpRequest, Resident
from dispatch.queues import SERIALIZER
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.settings import load_settings
from notifications import wiring
from notifications.channels import InMemoryChannel
from tests.fixtures.web import WebWorld, seed_world

RESIDENT_PHONE = "+84987000111"


def messaging_settings(database_url: str, instance: Path, **env: str):  # type: ignore[no-untyped-def]
    base = {
        "DOORSTEP_INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "DOORSTEP_SECRET_KEY": "a-test-secret-key-that-is-long-enough",
        "DOORSTEP_QUIET_HOURS": "",
        "DOORSTEP_PUBLIC_URL": "http://doorstep.test",
    }
    base.update(env)
    return load_settings(base)


@pytest.fixture
def runtime(fresh_database_url: str, redis_conn: redis.Redis, tmp_path: Path) -> Iterator[Runtime]:
    settings = messaging_settings(fresh_database_url, tmp_path / "instance")
    rt = bootstrap(settings, redis_client=redis_conn)
    install(rt)
    wiring.channels(rt).backoff_scale = 0.01
    yield rt
    install(None)
    rt.engine.dispose()


def drain_messaging(runtime: Runtime, wait_scheduled_s: float = 0.0) -> int:
    """Run the events and messages queues (not planning: these tests place offers themselves)
    with real SimpleWorkers until empty, waiting for scheduled jobs due within the wait."""
    queues = [runtime.queues.events, runtime.queues.messages]
    ran = 0
    for _ in range(100):
        worker = SimpleWorker(queues, connection=runtime.redis, serializer=SERIALIZER)
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        ran += worker.successful_job_count + worker.failed_job_count
        if any(q.count for q in queues):
            continue
        due = [
            runtime.redis.zrange(q.scheduled_job_registry.key, 0, 0, withscores=True)
            for q in queues
        ]
        waits = [float(d[0][1]) - time.time() for d in due if d]
        if not waits or min(waits) > wait_scheduled_s:
            return ran
        time.sleep(max(0.0, min(waits)) + 0.05)
    raise AssertionError("messaging jobs still pending")


@pytest.fixture
def pump(runtime: Runtime) -> Callable[..., int]:
    """Publish the outbox (the relay's sweep) and run jobs until both are empty."""

    def run(*, wait_scheduled_s: float = 0.0) -> int:
        ran = 0
        for _ in range(50):
            published = relay.sweep(runtime.sessions, runtime.queues)
            ran += drain_messaging(runtime, wait_scheduled_s)
            if not published and not relay.sweep(runtime.sessions, runtime.queues):
                return ran
        raise AssertionError("the outbox never settled")

    return run


@pytest.fixture
def channel(runtime: Runtime) -> Iterator[InMemoryChannel]:
    memory = InMemoryChannel()
    wiring.channels(runtime).install({"twilio": memory, "android_gateway": memory})
    yield memory
    wiring.channels(runtime).install(None)


@pytest.fixture
def world(runtime: Runtime) -> WebWorld:
    with runtime.sessions() as session:
        return seed_world(session)


def make_visit(
    session: Session,
    world: WebWorld,
    *,
    start: datetime | None = None,
    status: str = "offered",
    phone: str = RESIDENT_PHONE,
) -> Assignment:
    """A resident, an open request of commune A and an assignment to volunteer A."""
    start = start or datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    resident = Resident(phone=phone, name="Bà Tư", commune_code="UMT", hamlet_code="UMT-01")
    session.add(resident)
    session.flush()
    request = HelpRequest(
        resident_id=resident.id,
        commune_code="UMT",
        hamlet_code="UMT-01",
        kind="vneid",
        channel="sms",
        status="offered" if status == "offered" else "scheduled",
        lat=9.61,
        lon=105.11,
    )
    session.add(request)
    session.flush()
    assignment = Assignment(
        request_id=request.id,
        volunteer_id=world.volunteer_a,
        start_at=start,
        end_at=start + timedelta(minutes=45),
        status=status,
        offered_at=datetime.now(UTC),
    )
    session.add(assignment)
    session.commit()
    return assignment
