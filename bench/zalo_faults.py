"""Zalo with SMS fallback under faults: every message reaches its person once, by Zalo or SMS.

``python -m bench.zalo_faults [--sends 1000] [--workers 4] [--seed 1]`` runs the real path:
Message rows queued by ``notifications.outbound`` for a commune whose order is Zalo then Twilio,
delivery jobs on N real ``doorstep``-style RQ worker *processes* (forking work horses, RQ's
scheduler) on a private embedded Redis, a migrated SQLite file (or, with ``--database-url``, a
schema of its own in that PostgreSQL database), the httpx ZNS client against
the fake Zalo and the twilio SDK against the fake Twilio, both on local ports; the fake Zalo
posts signed receipts to the real Flask app on a third port. Injected:

- 30% of the numbers have no Zalo account (-118): SMS at once;
- on Zalo numbers: timeout after the message was created (5-9%), a request lost with no
  message (2%), Zalo's unknown error -100 and HTTP 500 (retried), -133 "night" (urgent
  messages by SMS now, the others held until 06:00);
- the OA's access token expires naturally (short token lifetime) and is revoked twice while
  messages flow: every expiry must cost exactly one refresh, however many workers notice it;
- afterwards, 100 receipts are posted again (must change nothing) and 50 forged ones (must be
  refused with 403).

Per number the bench counts what the person got from each fake: lost (nothing, and not held
for the morning), sent twice (more than one message over both channels). Prints Markdown tables;
exits 1 when anything is lost, sent twice, refreshed twice or wrongly accepted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from bench.common import header, table

MIX = (  # faults on numbers that have Zalo, by weight
    ("none", 74),
    ("timeout", 9),
    ("lost", 2),
    ("-100", 4),
    ("500", 4),
    ("-133", 4),
    ("-108", 3),
)
NO_ZALO_SHARE = 0.30
TOKEN_TTL_S = 20
CONFIRM_S = 3.0
URGENT = ("sign_in_code", {"code": "482913", "minutes": 10})
ROUTINE = ("thanks", {"kind": "vneid", "ref": "AB1234"})


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Plan:
    fault: str  # "no-zalo" or a MIX key
    template: str
    message_id: str = ""


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
    from notifications.sandbox import (
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        SANDBOX_FROM_NUMBER,
        start_sandbox,
    )
    from notifications.sandbox.zalo_app import start_zalo_sandbox
    from notifications.sandbox.zalo_store import (
        SANDBOX_ZALO_TEMPLATES,
        ZaloSandboxState,
        sandbox_env,
    )
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
        "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SANDBOX_FROM_NUMBER,
        "TWILIO_API_BASE_URL": sms.url,
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
    from dispatch.settings import load_settings
    from dispatch.worker import run_worker
    from notifications import wiring

    logging.basicConfig(level=logging.WARNING)
    wiring.set_backoff_scale(0.01)
    run_worker(load_settings(os.environ), ["messages"], with_scheduler=True)
    return 0


def seed(run: Run, sends: int, rng: random.Random) -> dict[str, Plan]:
    from dispatch.models import Commune, Province
    from notifications.outbound import Outgoing, enqueue_delivery, queue_sms

    kinds = [k for k, weight in MIX for _ in range(weight)]
    plans: dict[str, Plan] = {}
    with run.runtime.sessions() as session:
        session.add(Province(code="AG", name="An Giang"))
        session.add(
            Commune(
                code="UMT", province_code="AG", name="U Minh Thượng", lat=9.6, lon=105.1,
                channel_order="zalo,twilio",
            )
        )  # fmt: skip
        session.flush()
        messages = []
        for i in range(sends):
            phone = f"+8491{i:07d}"
            no_zalo = rng.random() < NO_ZALO_SHARE
            fault = "no-zalo" if no_zalo else rng.choice(kinds)
            run.zalo.state.accounts[phone[1:]] = not no_zalo
            if fault not in ("none", "no-zalo"):
                run.zalo.state.add_fault(phone[1:], fault, 1)
            template, values = URGENT if rng.random() < 0.2 else ROUTINE
            out = Outgoing(phone, template, dict(values), f"bench:{i}", commune_code="UMT")
            message = queue_sms(session, run.settings, out)
            plans[phone] = Plan(fault, template, message.our_id)
            messages.append(message)
        session.commit()
    enqueue_delivery(run.runtime.queues, messages)
    return plans


def unsettled(run: Run) -> int:
    from dispatch.clock import utcnow
    from dispatch.models import Message

    with run.runtime.sessions() as session:
        rows = session.scalars(
            select(Message).where(Message.status.in_(["queued", "sending"]))
        ).all()
    later = utcnow().timestamp() + 3600
    return sum(1 for m in rows if not (m.send_after and m.send_after.timestamp() > later))


def drive(run: Run, sends: int, deadline_s: float) -> list[float]:
    """Wait for the run to settle, revoking the token at 35% and 70% of the Zalo sends."""
    revoked: list[float] = []
    started = time.monotonic()
    expected_zns = sends * (1 - NO_ZALO_SHARE)
    while time.monotonic() - started < deadline_s:
        created = len(run.zalo.state.snapshot())
        for mark in (0.35, 0.70):
            if len(revoked) < [0.35, 0.70].index(mark) + 1 and created >= mark * expected_zns:
                run.zalo.state.revoke_tokens()
                revoked.append(time.monotonic() - started)
                log(f"token revoked at {revoked[-1]:.1f} s ({created} ZNS created)")
        if len(revoked) == 2 and unsettled(run) == 0:
            run.sms.state.wait_idle(30)
            run.zalo.state.wait_idle(30)
            time.sleep(1.0)
            if unsettled(run) == 0:
                return revoked
        time.sleep(0.5)
    raise RuntimeError(f"not settled after {deadline_s:.0f} s: {unsettled(run)} messages left")


def replay_and_forge(run: Run, rng: random.Random) -> dict[str, int]:
    """100 genuine receipts again (must change nothing), 50 forged (must be refused)."""
    from notifications.channels.zalo_zns import webhook_signature
    from notifications.sandbox.zalo_store import SANDBOX_ZALO_APP_ID

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


def history_of(run: Run) -> dict[str, Any]:
    from dispatch.models import Message

    with run.runtime.sessions() as session:
        return {m.our_id: (m.status, m.status_history) for m in session.scalars(select(Message))}


def check(run: Run, plans: dict[str, Plan]) -> tuple[dict[str, Counter[str]], list[str]]:
    from dispatch.clock import to_local, utcnow
    from dispatch.models import Message

    zns = Counter("+" + m.phone for m in run.zalo.state.snapshot())
    zns_received = Counter("+" + m.phone for m in run.zalo.state.snapshot() if m.received_at)
    sms = Counter(m.to for m in run.sms.state.snapshot() if m.direction == "outbound-api")
    with run.runtime.sessions() as session:
        rows = {m.our_id: m for m in session.scalars(select(Message))}
    rows_by_phone: dict[str, list[Any]] = {}
    for m in rows.values():
        rows_by_phone.setdefault(m.peer_phone, []).append(m)
    tallies: dict[str, Counter[str]] = {}
    problems: list[str] = []
    for phone, plan in plans.items():
        tally = tallies.setdefault(plan.fault, Counter())
        got = zns[phone] + sms[phone]
        first = rows[plan.message_id]
        held = first.status == "queued" and first.send_after is not None
        tally.update(sends=1, zalo=zns_received[phone], sms=sms[phone], held=held)
        if held:
            at = to_local(first.send_after)
            in_day = 0 < (first.send_after - utcnow()).total_seconds() <= 86400
            if got or plan.template == URGENT[0] or (at.hour, at.minute) != (6, 0) or not in_day:
                problems.append(f"{phone} ({plan.fault}): held wrongly to {at} ({got} sent)")
        elif got == 0 or (zns[phone] and not zns_received[phone] and not sms[phone]):
            tally["lost"] += 1
            problems.append(f"{phone} ({plan.fault}): lost ({first.status} {first.error_code})")
        if got > 1:
            tally["twice"] += 1
            problems.append(f"{phone} ({plan.fault}): {zns[phone]} ZNS + {sms[phone]} SMS")
        tally["unconfirmed"] += any(h.get("status") == "unconfirmed" for h in first.status_history)
    return tallies, problems


def token_figures(run: Run, revoked: list[float], elapsed: float) -> tuple[Counter[str], list[str]]:
    stats = requests.get(run.zalo.url + "/_zalo/stats").json()
    replaced = Counter(r["replaced"] for r in stats["refreshes"])
    problems = []
    if replaced["fresh"]:
        problems.append(f"{replaced['fresh']} refreshes of a token that was still fine")
    if replaced["revoked"] != len(revoked):
        problems.append(f"{replaced['revoked']} refreshes after {len(revoked)} revocations")
    if stats["reused_refresh_tokens"]:
        problems.append(f"{stats['reused_refresh_tokens']} refresh tokens used twice")
    figures = Counter({f"refresh replaced a {state} token": n for state, n in replaced.items()})
    figures["revocations injected"] = len(revoked)
    figures["sends refused for the token (-124)"] = stats["rejected_tokens"]
    figures["refresh tokens used twice"] = stats["reused_refresh_tokens"]
    figures[f"token lifetimes of {TOKEN_TTL_S} s in the run"] = int(elapsed // TOKEN_TTL_S)
    return figures, problems


COLUMNS = {
    "sends": "sends",
    "zalo": "got Zalo",
    "sms": "got SMS",
    "held": "held to 06:00",
    "lost": "lost",
    "twice": "sent twice",
    "unconfirmed": "unconfirmed",
}


def report(
    tallies: dict[str, Counter[str]], tokens: Counter[str], webhook: dict[str, int]
) -> Counter[str]:
    total: Counter[str] = Counter()
    rows = []
    for fault in ["no-zalo", *(k for k, _ in MIX)]:
        tally = tallies.get(fault, Counter())
        total.update(tally)
        rows.append([fault, *(str(tally[c]) for c in COLUMNS)])
    rows.append(["**all**", *(str(total[c]) for c in COLUMNS)])
    print(table(["fault", *COLUMNS.values()], rows) + "\n")
    token_rows = [[k, str(v)] for k, v in sorted(tokens.items())]
    print(table(["tokens", "count"], token_rows) + "\n")
    print(table(["webhooks", "count"], [[k, str(v)] for k, v in webhook.items()]) + "\n")
    return total


def run_bench(
    sends: int, workers: int, seed_value: int, deadline_s: float, base_url: str | None = None
) -> int:
    rng = random.Random(seed_value)
    run, procs = start(workers, base_url)
    try:
        started = time.monotonic()
        plans = seed(run, sends, rng)
        revoked = drive(run, sends, deadline_s)
        elapsed = time.monotonic() - started
        webhook = replay_and_forge(run, rng)
        tallies, problems = check(run, plans)
        tokens, token_problems = token_figures(run, revoked, elapsed)
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for stop in run.stops:
            stop()
    argv = ["--sends", str(sends), "--workers", str(workers), "--seed", str(seed_value)]
    if base_url:
        argv += ["--database-url", base_url]
    print(header("bench.zalo_faults", argv) + "\n")
    print(f"{sends} sends, {workers} worker processes, settled in {elapsed:.1f} s\n")
    total = report(tallies, tokens, webhook)
    problems += token_problems
    if webhook["changed"]:
        problems.append(f"{webhook['changed']} messages changed by repeated receipts")
    if webhook["refused"] != webhook["forged"]:
        problems.append(f"{webhook['forged'] - webhook['refused']} forged receipts accepted")
    print(f"lost: {total['lost']}, sent twice: {total['twice']}, problems: {len(problems)}")
    for problem in problems[:50]:
        log(f"problem: {problem}")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.zalo_faults", description=__doc__)
    parser.add_argument("--sends", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds to settle")
    parser.add_argument("--quick", action="store_true", help="200 sends")
    parser.add_argument(
        "--database-url", help="PostgreSQL database to run in (a schema of its own); default SQLite"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker_main()
    sends = 200 if args.quick else max(10, args.sends)
    return run_bench(sends, max(1, args.workers), args.seed, args.deadline, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
