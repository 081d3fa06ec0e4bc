"""The web app with a real Redis: shared rate-limit counters, events and SMS handed to RQ."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy.orm import Session

from dispatch.queues import Queues
from tests.fixtures.web import make_test_app, seed_world
from tests.integration.web.helpers import resident_form, token


@pytest.fixture
def redis_apps(web_database_url: str, tmp_path: Path, queues: Queues) -> Iterator[list[Flask]]:
    """Two app processes' worth of apps on one database and one Redis."""
    apps = []
    for name in ("web1", "web2"):
        app = make_test_app(
            web_database_url,
            tmp_path / name,
            RATE_LIMIT_STORAGE="redis",
            PUBLISH_AFTER_COMMIT=True,
            REDIS_CLIENT=queues.connection,  # each app's own instance folder, one Redis
        )
        app.extensions["doorstep.queues"] = queues  # as web/extensions.py would connect
        apps.append(app)
    with apps[0].extensions["doorstep.runtime"].sessions() as session:
        assert isinstance(session, Session)
        seed_world(session)
    yield apps
    for app in apps:
        app.extensions["doorstep.runtime"].close()


def _submit(app: Flask, kind: str) -> int:
    client = app.test_client()
    data = resident_form(kind=kind)
    data["csrf_token"] = token(client, "/request")
    return client.post("/request", data=data).status_code


def test_rate_limits_are_shared_by_every_web_process(redis_apps: list[Flask]) -> None:
    first, second = redis_apps
    kinds = ["vneid", "e_payment", "cyber_safety", "health_insurance", "online_selling"]
    for kind in kinds[:3]:
        assert _submit(first, kind) == 302
    for kind in kinds[3:]:
        assert _submit(second, kind) == 302
    assert _submit(first, "smartphone_basics") == 429  # the sixth of this phone today


def test_a_submit_and_a_sign_in_code_reach_their_queues(
    redis_apps: list[Flask], queues: Queues
) -> None:
    app = redis_apps[0]
    assert _submit(app, "vneid") == 302
    event_jobs = [queues.events.fetch_job(job_id) for job_id in queues.events.job_ids]
    # The relay published the RequestSubmitted outbox row right after the commit.
    assert ("dispatch.jobs.replan_for_event", [1]) in [
        (job.func_name, job.args) for job in event_jobs if job
    ]
    client = app.test_client()
    data = {"phone": "0912000001", "csrf_token": token(client, "/v/sign-in")}
    assert client.post("/v/sign-in", data=data).status_code == 302
    message_jobs = [queues.messages.fetch_job(job_id) for job_id in queues.messages.job_ids]
    assert [job.func_name for job in message_jobs if job] == ["notifications.delivery.deliver"]


def test_while_redis_is_down_the_limits_count_in_memory(
    web_database_url: str, tmp_path: Path
) -> None:
    # A client on a socket nobody listens on, without retries (as the web's own client).
    gone = redis.Redis(unix_socket_path=str(tmp_path / "gone.sock"), retry=Retry(NoBackoff(), 0))
    app = make_test_app(
        web_database_url, tmp_path / "web", RATE_LIMIT_STORAGE="redis", REDIS_CLIENT=gone
    )
    with app.extensions["doorstep.runtime"].sessions() as session:
        seed_world(session)
    kinds = ["vneid", "e_payment", "cyber_safety", "health_insurance", "online_selling"]
    assert [_submit(app, kind) for kind in kinds] == [302] * 5  # residents are not refused
    assert _submit(app, "smartphone_basics") == 429  # and the limit still holds
    app.extensions["doorstep.runtime"].close()
