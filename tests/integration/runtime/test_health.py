"""GET /healthz: 503 naming the part that is not ready, 200 once a worker is registered."""

from __future__ import annotations

import os
from pathlib import Path

import redis
from rq import Worker

from dispatch.queues import SERIALIZER, make_queues
from dispatch.settings import load_settings
from web import create_app


def _redis_url(client: redis.Redis[bytes]) -> str:
    configured = os.environ.get("REDIS_URL", "").strip()
    if configured:
        return configured
    return f"unix://{client.connection_pool.connection_kwargs['path']}"


def test_health_needs_a_worker(
    tmp_path: Path, fresh_database_url: str, redis_conn: redis.Redis[bytes]
) -> None:
    settings = load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": fresh_database_url,
            "REDIS_URL": _redis_url(redis_conn),
        }
    )
    client = create_app(settings).test_client()

    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {
        "status": "unavailable",
        "checks": {
            "web": "ok",
            "database": "ok",
            "redis": "ok",
            "workers": "no RQ worker registered",
        },
    }

    worker = Worker(make_queues(redis_conn).all(), connection=redis_conn, serializer=SERIALIZER)
    worker.register_birth()
    try:
        answer = client.get("/healthz")
        assert answer.status_code == 200 and answer.json["status"] == "ok"
    finally:
        worker.register_death()


def test_health_names_an_unreachable_redis(tmp_path: Path, fresh_database_url: str) -> None:
    settings = load_settings(
        {"DOORSTEP_INSTANCE_PATH": str(tmp_path), "DATABASE_URL": fresh_database_url}
    )
    answer = create_app(settings).test_client().get("/healthz")  # no embedded server running
    assert answer.status_code == 503
    assert answer.json["checks"]["redis"] == "unreachable: ConnectionError"
    assert answer.json["checks"]["workers"] == "unknown: Redis unreachable"
    assert answer.json["checks"]["database"] == "ok"
