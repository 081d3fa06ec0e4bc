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
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy import select

from bench.common import header, table
from bench.zalo_faults_rig import (
    ROUTINE,
    TOKEN_TTL_S,
    URGENT,
    Run,
    log,
    replay_and_forge,
    start,
    worker_main,
)

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


@dataclass
class Plan:
    fault: str  # "no-zalo" or a MIX key
    template: str
    message_id: str = ""


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
