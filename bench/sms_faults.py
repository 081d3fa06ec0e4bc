"""SMS delivery under injected faults: how many SMS are lost, how many duplicated (both must be 0).

``python -m bench.sms_faults [--sends 120] [--seed 1]`` runs the real path: Message rows
queued by ``notifications.outbound``, delivery jobs on real RQ workers (embedded Redis), the
real twilio SDK against the project's fake Twilio (``notifications.sandbox``) on a local port,
whose signed status callbacks reach the real Flask app on another port. Each send goes to its
own number with a fault drawn from: none, 429 (1-3 times), 500 (1-3 times), timeout after
create, 21211, 21408, 21610, 21614. Afterwards every number is checked at the provider:

- lost: a send with no permanent fault that the provider never created;
- duplicated: any number the provider created more than one SMS for;
- permanent faults must end "failed" with their code, and 21610 must opt the number out.

Prints a Markdown table; exits 1 when anything is lost, duplicated or mislabelled.
"""

from __future__ import annotations

import argparse
import logging
import random
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rq import SimpleWorker
from sqlalchemy import select
from werkzeug.serving import make_server

FAULT_MIX = (
    ("none", 30),
    ("429", 15),
    ("500", 15),
    ("timeout", 12),
    ("21211", 7),
    ("21408", 7),
    ("21610", 7),
    ("21614", 7),
)
PERMANENT = {"21211", "21408", "21610", "21614"}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _drain(runtime, deadline_s: float = 300.0) -> int:  # type: ignore[no-untyped-def]
    """Run the messages queue until nothing is queued or scheduled."""
    from dispatch.queues import SERIALIZER

    queue = runtime.queues.messages
    ran, start = 0, time.monotonic()
    while time.monotonic() - start < deadline_s:
        worker = SimpleWorker([queue], connection=runtime.redis, serializer=SERIALIZER)
        worker.work(burst=True, with_scheduler=True, logging_level="ERROR")
        ran += worker.successful_job_count + worker.failed_job_count
        if queue.count == 0 and queue.scheduled_job_registry.count == 0:
            return ran
        time.sleep(0.05)
    raise RuntimeError("delivery jobs did not settle")


@dataclass
class System:
    settings: Any
    runtime: Any
    sandbox: Any
    stop: Callable[[], None]


def start_system() -> System:
    """Embedded Redis, a migrated SQLite file, the sandbox, the app on a port, a runtime."""
    from dispatch.db import upgrade
    from dispatch.redis_conn import EmbeddedRedis
    from dispatch.runtime import bootstrap, install
    from dispatch.settings import load_settings
    from notifications import wiring
    from notifications.channels.twilio_channel import TwilioChannel
    from notifications.sandbox import (
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        SANDBOX_FROM_NUMBER,
        start_sandbox,
        twilio_sandbox_env,
    )
    from web import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    folder = Path(tempfile.mkdtemp(prefix="sms-faults-"))
    redis_server = EmbeddedRedis(folder / "redis")
    redis_server.ensure_running()
    client = redis_server.client()
    # Callbacks slower than the client timeout: a timed-out send is settled by reconcile.
    sandbox = start_sandbox(callback_delay_s=10.0, timeout_delay_s=1.5)
    database_url = f"sqlite:///{folder / 'doorstep.sqlite3'}"
    upgrade(database_url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(folder / "instance"),
            "DATABASE_URL": database_url,
            "REDIS_URL": f"unix://{redis_server.socket_path}",
            "DOORSTEP_SECRET_KEY": "bench-secret-key-long-enough-0001",
            "DOORSTEP_PUBLIC_URL": f"http://127.0.0.1:{port}",
            "DOORSTEP_QUIET_HOURS": "",
            **twilio_sandbox_env(sandbox.url),
        }
    )
    app = create_app(settings, {"REDIS_CLIENT": client, "RATE_LIMIT_STORAGE": "memory"})
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    runtime = bootstrap(settings, redis_client=client)
    install(runtime)
    # A short client timeout so "timeout after create" costs seconds, not minutes.
    channel = TwilioChannel(
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        public_url=settings.public_url,
        from_number=SANDBOX_FROM_NUMBER,
        api_base_url=sandbox.url,
        timeout_s=0.3,
    )
    wiring.channels(runtime).install({"twilio": channel})
    wiring.channels(runtime).backoff_scale = 0.01  # 5 s .. 15 min becomes 50 ms .. 9 s

    def stop() -> None:
        server.shutdown()
        sandbox.stop()
        install(None)
        runtime.close()
        app.extensions["doorstep.runtime"].close()
        redis_server.stop()

    return System(settings, runtime, sandbox, stop)


def queue_sends(system: System, sends: int, rng: random.Random) -> dict[str, str]:
    """One SMS per number, each with its fault injected at the provider; returns the plan."""
    from notifications.outbound import Outgoing, enqueue_delivery, queue_sms

    kinds = [k for k, weight in FAULT_MIX for _ in range(weight)]
    plan: dict[str, str] = {}
    messages = []
    with system.runtime.sessions() as session:
        for i in range(sends):
            phone = f"+8491{i:07d}"
            fault = rng.choice(kinds)
            plan[phone] = fault
            if fault in ("429", "500"):
                system.sandbox.state.add_fault(phone, fault, times=rng.randint(1, 3))
            elif fault != "none":
                system.sandbox.state.add_fault(phone, fault, times=1)
            out = Outgoing(phone, "thanks", {"kind": "vneid", "ref": f"B{i:05d}"}, f"bench:{i}")
            messages.append(queue_sms(session, system.settings, out))
        session.commit()
    enqueue_delivery(system.runtime.queues, messages)
    return plan


def check(system: System, plan: dict[str, str]) -> tuple[dict[str, Counter[str]], list[str]]:
    """Count, per fault, what the provider created and how each message ended."""
    from dispatch.models import Message, PhoneOptOut

    created = Counter(
        m.to for m in system.sandbox.state.snapshot() if m.direction == "outbound-api"
    )
    with system.runtime.sessions() as session:
        by_phone = {m.peer_phone: m for m in session.scalars(select(Message))}
        opted = {p.phone for p in session.scalars(select(PhoneOptOut)) if p.opted_out}
    rows: dict[str, Counter[str]] = {}
    problems: list[str] = []
    for phone, fault in plan.items():
        message, copies = by_phone[phone], created[phone]
        tally = rows.setdefault(fault, Counter())
        tally.update(sends=1, created=copies, attempts=message.attempts)
        tally[message.status] += 1
        tally["reconciled"] += any(h.get("reconciled") for h in message.status_history)
        if copies > 1:
            tally["duplicated"] += 1
            problems.append(f"{phone} ({fault}): {copies} SMS")
        if fault in PERMANENT:
            if message.status != "failed" or message.error_code != fault:
                problems.append(f"{phone} ({fault}): {message.status} {message.error_code}")
            if fault == "21610" and phone not in opted:
                problems.append(f"{phone}: 21610 did not opt the number out")
        elif copies == 0:
            tally["lost"] += 1
            problems.append(f"{phone} ({fault}): lost ({message.status} {message.error_code})")
    return rows, problems


def report(rows: dict[str, Counter[str]], title: str) -> Counter[str]:
    columns = ("sends", "created", "delivered", "failed", "lost", "duplicated", "attempts")
    print(title + "\n")
    print(
        "| fault | sends | provider created | delivered | failed | lost | duplicated "
        "| attempts | reconciled |"
    )
    print("|---" * 9 + "|")
    total: Counter[str] = Counter()
    for fault, _ in FAULT_MIX:
        tally = rows.get(fault, Counter())
        total.update(tally)
        cells = " | ".join(str(tally[c]) for c in (*columns, "reconciled"))
        print(f"| {fault} | {cells} |")
    cells = " | ".join(str(total[c]) for c in (*columns, "reconciled"))
    print(f"| **all** | {cells} |")
    print(f"\nSMS lost: {total['lost']}, SMS duplicated: {total['duplicated']}")
    return total


def run(sends: int, seed: int) -> int:
    system = start_system()
    try:
        started = time.monotonic()
        plan = queue_sends(system, sends, random.Random(seed))
        _drain(system.runtime)
        system.sandbox.state.wait_idle(60)
        elapsed = time.monotonic() - started
        rows, problems = check(system, plan)
    finally:
        system.stop()
    report(rows, f"SMS fault run: {sends} sends, seed {seed}, {elapsed:.1f} s")
    for problem in problems:
        log(f"problem: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sms_faults", description=__doc__)
    parser.add_argument("--sends", type=int, default=120)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="100 sends")
    args = parser.parse_args(argv)
    return run(100 if args.quick else max(1, args.sends), args.seed)


if __name__ == "__main__":
    sys.exit(main())
