"""The rig of ``bench.zalo_faults``: its database, the fakes, the Flask app and the RQ worker
processes, started and stopped together."""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select
from werkzeug.serving import make_server

TOKEN_TTL_S = 20
CONFIRM_S = 3.0
URGENT = ("sign_in_code", {"code": "482913", "minutes": 10})
ROUTINE = ("thanks", {"kind": "vneid", "ref": "AB1234"})


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Run:
    folder: Path
    env: dict[str, str]
    sms: Any
    zalo: Any
    runtime: Any
    settings: Any
    web_url: str
    stops: list[Any] = field(default_factory=list)


def database(folder: Path, base_url: str | None) -> tuple[str, Any]:
    """A migrated database for the run: a SQLite file, or a schema of its own in the given
    PostgreSQL database (dropped at the end). Returns its URL and how to drop it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from dispatch.db import upgrade

    if not base_url:
        url = f"sqlite:///{folder / 'doorstep.sqlite3'}"
        upgrade(url)
        return url, lambda: None
    schema = "zalo_bench_" + folder.name.rsplit("-", 1)[-1].lower()
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    parsed = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url = parsed.render_as_string(hide_password=False)
    upgrade(url)

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


def start(workers: int, base_url: str | None) -> tuple[Run, list[subprocess.Popen[bytes]]]:
    from dispatch.redis_conn import EmbeddedRedis
    from dispatch.runtime import bootstrap
    from dispatch.settings import load_settings
    from notifications.sandbox import start_sandbox, twilio_sandbox_env
    from notifications.sandbox.zalo_app import start_zalo_sandbox
    from notifications.sandbox.zalo_constants import SANDBOX_ZALO_TEMPLATES, sandbox_env
    from notifications.sandbox.zalo_store import ZaloSandboxState
    from web import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="zalo-faults-"))
    redis_server = EmbeddedRedis(folder / "redis")
    redis_server.ensure_running()
    database_url, drop_database = database(folder, base_url)
    web = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    port = web.server_port
    sms = start_sandbox(callback_delay_s=0.3, timeout_delay_s=1.5)
    state = ZaloSandboxState(
        webhook_url=f"http://127.0.0.1:{port}/webhooks/zalo",
        token_ttl_s=TOKEN_TTL_S,
        refresh_margin_s=TOKEN_TTL_S / 10 + 1.0,  # our margin, plus a second of slack
        receipt_delay_s=0.1,
        receipt_jitter_s=1.5,  # some receipts beat our 0.5 s timeout, most do not
        timeout_delay_s=1.0,
        night=None,  # -133 is injected: the run must not depend on the hour
    )
    assert set(SANDBOX_ZALO_TEMPLATES) >= {URGENT[0], ROUTINE[0]}
    zalo = start_zalo_sandbox(state)
    env = {
        "DOORSTEP_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": database_url,
        "REDIS_URL": f"unix://{redis_server.socket_path}",
        "DOORSTEP_SECRET_KEY": "bench-secret-key-long-enough-0001",
        "DOORSTEP_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DOORSTEP_QUIET_HOURS": "",
        **twilio_sandbox_env(sms.url),
        "ZALO_TIMEOUT_SECONDS": "0.5",
        "ZALO_CONFIRM_SECONDS": str(CONFIRM_S),
        **sandbox_env(zalo.url),
    }
    settings = load_settings(env)
    app = create_app(settings, {"RATE_LIMIT_STORAGE": "memory"})
    web.app = app
    threading.Thread(target=web.serve_forever, daemon=True).start()
    runtime = bootstrap(settings, redis_client=redis_server.client())
    run = Run(folder, env, sms, zalo, runtime, settings, f"http://127.0.0.1:{port}")
    run.stops = [web.shutdown, sms.stop, zalo.stop, runtime.close, redis_server.stop, drop_database]
    procs = []
    for i in range(workers):  # their logs stay in the run's folder, named in the output
        with open(folder / f"worker{i}.log", "wb") as worker_log:
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bench.zalo_faults", "--worker"],
                    env={**os.environ, **env},
                    stdout=subprocess.DEVNULL,
                    stderr=worker_log,
                )
            )
    log(f"run folder (database, worker logs): {folder}")
    return run, procs


def worker_main() -> int:
    """One worker process: the real worker loop, retries in seconds instead of minutes."""
    from dispatch.runtime import Runtime
    from dispatch.settings import load_settings
    from dispatch.worker import run_worker
    from notifications import wiring

    logging.basicConfig(level=logging.WARNING)

    def shrink_retries(runtime: Runtime) -> None:
        wiring.channels(runtime).backoff_scale = 0.01

    settings = load_settings(os.environ)
    run_worker(settings, ["messages"], with_scheduler=True, on_start=shrink_retries)
    return 0


def history_of(run: Run) -> dict[str, Any]:
    from dispatch.models import Message

    with run.runtime.sessions() as session:
        return {m.our_id: (m.status, m.status_history) for m in session.scalars(select(Message))}


def replay_and_forge(run: Run, rng: random.Random) -> dict[str, int]:
    """100 genuine receipts again (must change nothing), 50 forged (must be refused)."""
    from notifications.channels.zalo_zns import webhook_signature
    from notifications.sandbox.zalo_constants import SANDBOX_ZALO_APP_ID

    received = [m for m in run.zalo.state.snapshot() if m.received_at is not None]
    before = history_of(run)
    for message in rng.sample(received, min(100, len(received))):
        run.zalo.state.post_receipt(message)
    refused = accepted_forgeries = 0
    for message in rng.sample(received, min(50, len(received))):
        stamp = str(int(time.time() * 1000))
        body = json.dumps(
            {
                "app_id": SANDBOX_ZALO_APP_ID,
                "event_name": "user_received_message",
                "message": {"msg_id": message.msg_id + "f", "tracking_id": message.tracking_id},
                "timestamp": stamp,
            }
        ).encode()
        signature = webhook_signature(SANDBOX_ZALO_APP_ID, body, stamp, "guessed-secret")
        answer = requests.post(
            run.web_url + "/webhooks/zalo", data=body, headers={"X-ZEvent-Signature": signature}
        )
        refused += answer.status_code == 403
        accepted_forgeries += answer.status_code != 403
    changed = sum(1 for key, value in history_of(run).items() if before.get(key) != value)
    return {
        "replayed": min(100, len(received)),
        "changed": changed,
        "forged": refused + accepted_forgeries,
        "refused": refused,
    }
