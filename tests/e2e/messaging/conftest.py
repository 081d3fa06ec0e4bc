"""A live system for SMS end-to-end tests: the fake Twilio (F's sandbox) on a real port, the
real Flask app served by werkzeug on another port (its public URL is that address, so the
sandbox's signed status callbacks reach it), and a worker-side runtime whose delivery jobs
use the real twilio SDK against the sandbox. Jobs run in real RQ SimpleWorkers (burst)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import requests
from flask import Flask
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator
from werkzeug.serving import BaseWSGIServer, make_server

from demo.communes import load_demo
from dispatch import relay
from dispatch.clock import utcnow
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.services.unit_of_work import unit_of_work
from dispatch.settings import Settings, load_settings
from notifications import wiring
from notifications.sandbox import (
    SANDBOX_ACCOUNT_SID,
    SANDBOX_AUTH_TOKEN,
    SANDBOX_FROM_NUMBER,
    RunningSandbox,
    start_sandbox,
    twilio_sandbox_env,
)
from tests.fixtures.redis import RunJobs
from tests.fixtures.web import WebWorld, seed_world
from web import create_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveSystem:
    app: Flask
    settings: Settings
    runtime: Runtime  # the worker side
    sandbox: RunningSandbox
    url: str
    world: WebWorld  # None on the demo data (live_demo)
    pump: Callable[..., int]

    def sign(self, path: str, params: dict[str, str], token: str = SANDBOX_AUTH_TOKEN) -> str:
        return RequestValidator(token).compute_signature(self.settings.public_url + path, params)

    def post_sms(self, sender: str, body: str, sid: str, *, signature: str | None = None):  # type: ignore[no-untyped-def]
        params = {
            "MessageSid": sid,
            "SmsSid": sid,
            "AccountSid": SANDBOX_ACCOUNT_SID,
            "From": sender,
            "To": SANDBOX_FROM_NUMBER,
            "Body": body,
            "NumMedia": "0",
        }
        sig = self.sign("/webhooks/twilio/sms", params) if signature is None else signature
        headers = {"X-Twilio-Signature": sig} if sig else {}
        return requests.post(self.url + "/webhooks/twilio/sms", data=params, headers=headers)

    def sent_to(self, phone: str) -> list[str]:
        """Bodies the sandbox accepted for ``phone``, oldest first."""
        found = [m for m in self.sandbox.state.snapshot() if m.to == phone]
        return [m.body for m in sorted(found, key=lambda m: m.date_created)]


def _url_of(client: redis.Redis) -> str:
    """The URL of the Redis the tests use: the embedded server's socket or a TCP server."""
    kwargs = client.connection_pool.connection_kwargs
    if "path" in kwargs:
        return f"unix://{kwargs['path']}?db={kwargs.get('db', 0)}"
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


@pytest.fixture
def live(
    fresh_database_url: str, redis_conn: redis.Redis, tmp_path: Path, run_jobs: RunJobs
) -> Iterator[LiveSystem]:
    yield from _live_system(fresh_database_url, redis_conn, tmp_path, run_jobs, seed_world)


@pytest.fixture
def live_demo(
    fresh_database_url: str, redis_conn: redis.Redis, tmp_path: Path, run_jobs: RunJobs
) -> Iterator[LiveSystem]:
    """The live system on the demo data (``doorstep demo``); ``world`` is then None."""

    def demo(session: Session) -> None:
        with unit_of_work(session):
            assert load_demo(session, utcnow())

    yield from _live_system(fresh_database_url, redis_conn, tmp_path, run_jobs, demo)


def _live_system(
    fresh_database_url: str,
    redis_conn: redis.Redis,
    tmp_path: Path,
    run_jobs: RunJobs,
    seed: Callable[[Session], WebWorld | None],
) -> Iterator[LiveSystem]:
    sandbox = start_sandbox(callback_delay_s=0.02, timeout_delay_s=1.5)
    port = free_port()
    redis_url = _url_of(redis_conn)
    settings = load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": fresh_database_url,
            "REDIS_URL": redis_url,
            "DOORSTEP_SECRET_KEY": "a-test-secret-key-that-is-long-enough",
            "DOORSTEP_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "DOORSTEP_QUIET_HOURS": "",
            "DOORSTEP_REPLAN_DEBOUNCE_SECONDS": "0",
            **twilio_sandbox_env(sandbox.url),
        }
    )
    app = create_app(
        settings,
        {"TESTING": True, "REDIS_CLIENT": redis_conn, "RATE_LIMIT_STORAGE": "memory"},
    )
    server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    runtime = bootstrap(settings, redis_client=redis_conn)
    install(runtime)
    wiring.channels(runtime).backoff_scale = 0.01
    with runtime.sessions() as session:
        world = seed(session)

    def pump(*, wait_scheduled_s: float = 0.0) -> int:
        ran = 0
        for _ in range(50):
            published = relay.sweep(runtime.sessions, runtime.queues)
            ran += run_jobs(wait_scheduled_s=wait_scheduled_s)
            sandbox.state.wait_idle(5)
            if not published and not relay.sweep(runtime.sessions, runtime.queues):
                return ran
        raise AssertionError("the outbox never settled")

    yield LiveSystem(app, settings, runtime, sandbox, f"http://127.0.0.1:{port}", world, pump)
    sandbox.stop()
    server.shutdown()
    server.server_close()
    install(None)
    runtime.engine.dispose()
    app.extensions["doorstep.runtime"].engine.dispose()
