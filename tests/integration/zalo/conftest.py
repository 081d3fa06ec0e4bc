"""A live system for Zalo tests: the fake Zalo and the fake Twilio on real ports, the real
Flask app on another port (the fake Zalo posts its signed receipts there), and a worker-side
runtime whose Zalo channel is the real httpx client against the fake (nothing mocked).
Jobs run in real RQ SimpleWorkers (burst)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from dispatch.models import Commune, Message
from dispatch.runtime import Runtime, bootstrap, install
from dispatch.settings import Settings, load_settings
from notifications import wiring
from notifications.outbound import Outgoing, enqueue_delivery, queue_sms
from notifications.sandbox import (
    RunningSandbox,
    start_sandbox,
    twilio_sandbox_env,
)
from notifications.sandbox.zalo_app import RunningZalo, start_zalo_sandbox
from notifications.sandbox.zalo_constants import sandbox_env
from notifications.sandbox.zalo_store import ZaloSandboxState
from tests.e2e.messaging.conftest import _url_of, free_port
from tests.fixtures.redis import RunJobs
from tests.fixtures.web import seed_world
from web import create_app

ZALO_PHONE = "+84987000115"  # ends in 5: has Zalo in the fake
NO_ZALO_PHONE = "+84987000110"  # ends in 0: no Zalo account


@dataclass
class ZaloSystem:
    app: Flask
    settings: Settings
    runtime: Runtime
    sms: RunningSandbox
    zalo: RunningZalo
    url: str
    run_jobs: RunJobs

    def queue(
        self, phone: str, template: str = "thanks", cause: str = "t:1", **values: object
    ) -> str:
        values = values or {"kind": "vneid", "ref": "ABC234"}
        with self.runtime.sessions() as session:
            message = queue_sms(
                session,
                self.settings,
                Outgoing(phone, template, dict(values), cause, commune_code="UMT"),
            )
            session.commit()
        enqueue_delivery(self.runtime.queues, [message])
        return message.our_id

    def pump(self, wait_scheduled_s: float = 0.0) -> None:
        for _ in range(5):
            self.run_jobs(wait_scheduled_s=wait_scheduled_s)
            self.zalo.state.wait_idle(5)
            self.sms.state.wait_idle(5)
        self.run_jobs(wait_scheduled_s=wait_scheduled_s)

    def messages(self, phone: str) -> list[Message]:
        with self.runtime.sessions() as session:
            return list(
                session.scalars(
                    select(Message).where(Message.peer_phone == phone).order_by(Message.id)
                )
            )

    def sms_to(self, phone: str) -> list[str]:
        return [m.body for m in self.sms.state.snapshot() if m.to == phone]

    def zns_to(self, phone: str) -> list[str]:
        return [m.text for m in self.zalo.state.snapshot() if "+" + m.phone == phone]

    def wait_for(self, check: Callable[[], bool], timeout_s: float = 5.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.05)


@pytest.fixture
def zsys(
    fresh_database_url: str, redis_conn: redis.Redis, tmp_path: Path, run_jobs: RunJobs
) -> Iterator[ZaloSystem]:
    port = free_port()
    sms = start_sandbox(callback_delay_s=0.02, timeout_delay_s=1.5)
    state = ZaloSandboxState(
        webhook_url=f"http://127.0.0.1:{port}/webhooks/zalo",
        receipt_delay_s=0.05,
        timeout_delay_s=4.0,  # the "timeout" fault answers well after our 2 s
        night=None,
    )
    zalo = start_zalo_sandbox(state)
    env = {
        "DOORSTEP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": fresh_database_url,
        "REDIS_URL": _url_of(redis_conn),
        "DOORSTEP_SECRET_KEY": "a-test-secret-key-that-is-long-enough",
        "DOORSTEP_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DOORSTEP_QUIET_HOURS": "",
        **twilio_sandbox_env(sms.url),
        "ZALO_TIMEOUT_SECONDS": "2",
        "ZALO_CONFIRM_SECONDS": "2",
        **sandbox_env(zalo.url),
    }
    settings = load_settings(env)
    app = create_app(
        settings, {"TESTING": True, "REDIS_CLIENT": redis_conn, "RATE_LIMIT_STORAGE": "memory"}
    )
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    runtime = bootstrap(settings, redis_client=redis_conn)
    install(runtime)
    wiring.channels(runtime).backoff_scale = 0.01
    with runtime.sessions() as session:
        seed_world(session)
        commune = session.get(Commune, "UMT")
        assert commune is not None
        commune.channel_order = "zalo,twilio"
        session.commit()
    yield ZaloSystem(app, settings, runtime, sms, zalo, f"http://127.0.0.1:{port}", run_jobs)
    wiring.channels(runtime).close()  # this runtime's Zalo client
    zalo.stop()
    sms.stop()
    server.shutdown()
    server.server_close()
    install(None)
    runtime.engine.dispose()
    app.extensions["doorstep.runtime"].engine.dispose()
