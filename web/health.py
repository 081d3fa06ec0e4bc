"""GET /healthz: 200 only when web, database, Redis and the RQ workers are ready.

Otherwise 503, with JSON naming the part that is not ready, e.g.
``{"status": "unavailable", "checks": {"web": "ok", "database": "ok", "redis": "ok",
"workers": "no RQ worker registered"}}``. Load balancers and ``doorstep up`` poll it.
"""

from __future__ import annotations

from typing import Any

import redis
from flask import Blueprint, current_app, jsonify
from rq import Worker
from sqlalchemy import Engine, text

from web.extensions import runtime

bp = Blueprint("health", __name__)


def _database() -> str:
    engine: Engine = runtime().engine
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        return f"unreachable: {type(error).__name__}"
    return "ok"


def _redis() -> tuple[str, redis.Redis[bytes] | None]:
    from dispatch.redis_conn import connect_redis

    # Never start the embedded server from a health probe: only look for the running one.
    settings = current_app.config["DOORSTEP_SETTINGS"]
    client = connect_redis(settings, start_embedded=False, fail_fast=True)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        return f"unreachable: {type(error).__name__}", None
    return "ok", client


def _workers(client: redis.Redis[bytes] | None) -> str:
    """ok while every registered worker beats; a SIGKILLed one shows within its heartbeat TTL
    (``DOORSTEP_HEARTBEAT_SECONDS``), until a live worker reaps it and retries its job."""
    from dispatch.heartbeat import dead_workers

    if client is None:
        return "unknown: Redis unreachable"
    ttl = current_app.config["DOORSTEP_SETTINGS"].ops.heartbeat_ttl_s
    try:
        count = len(Worker.all(connection=client))
        dead = sorted(worker.name for worker in dead_workers(client, ttl))
    except redis.RedisError as error:
        return f"unknown: {type(error).__name__}"
    if dead:
        return f"no heartbeat for {ttl:g} s from {len(dead)} worker(s): {', '.join(dead)}"
    return "ok" if count else "no RQ worker registered"


@bp.get("/healthz")
def healthz() -> tuple[Any, int]:
    redis_state, client = _redis()
    checks = {
        "web": "ok",
        "database": _database(),
        "redis": redis_state,
        "workers": _workers(client),
    }
    if client is not None:
        client.close()
    ready = all(state == "ok" for state in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if ready else 503
