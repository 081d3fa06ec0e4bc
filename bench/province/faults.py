"""The fault table: real traffic (signed SMS webhooks and partner API submits) while workers are
SIGKILLed mid-job, Redis is restarted twice and PostgreSQL once; then duplicate, forged and
tampered webhooks and fuzzed bodies on every public endpoint. Counted afterwards from the
database and the fake provider: requests lost, duplicated effects, wrongly accepted, server
errors. A client gets 503 while PostgreSQL is down and retries, as a provider does.
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
import urllib.request
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.province import fuzz
from bench.province.load import Client, Exchange, Request, Tally, run, signed_sms
from bench.province.scenarios import hamlets, plan_delays, request_for
from bench.province.stack import Stack
from demo.province import Arrival, ProvinceSpec, arrivals
from dispatch.models import Assignment, Event, HelpRequest, Message, Resident

OUTAGE_STATUSES = {502, 503}


def _send_until_answered(client: Client, request: Exchange, tries: int = 30) -> int:
    """A provider's retries: an outage answer (or a dropped connection) is tried again."""
    status = 0
    for _ in range(tries):
        try:
            status, _body = client.send(request)
        except OSError:
            status = 0
        if status and status not in OUTAGE_STATUSES:
            return status
        time.sleep(1)
    return status


class Chaos(threading.Thread):
    """SIGKILLs a busy worker every ``every_s`` (a new one takes its place); restarts Redis and
    PostgreSQL at the given seconds into the run."""

    def __init__(self, stack: Stack, every_s: float, redis_at: list[float], pg_at: float) -> None:
        super().__init__(daemon=True)
        self.stack, self.every_s, self.redis_at, self.pg_at = stack, every_s, redis_at, pg_at
        self.kills = self.kills_mid_job = self.redis_restarts = self.pg_restarts = 0
        self.stop = threading.Event()
        self.generation = 0
        self.exited = 0

    def run(self) -> None:
        started = time.monotonic()
        next_kill = started + self.every_s
        pending = sorted([(t, "redis") for t in self.redis_at] + [(self.pg_at, "pg")])
        while not self.stop.wait(0.2):
            now = time.monotonic()
            if pending and now - started >= pending[0][0]:
                _at, what = pending.pop(0)
                if what == "redis":
                    self.stack.restart_redis()
                    self.redis_restarts += 1
                else:
                    self.stack.stop_postgres("fast")
                    time.sleep(2)
                    self.stack.start_postgres()
                    self.pg_restarts += 1
            if now >= next_kill:
                next_kill = now + self.every_s
                self._kill_one()
            self._replace_exited()

    def _replace_exited(self) -> None:
        """A worker that exits on its own (e.g. Redis gone too long) is replaced, as a process
        manager would; counted apart from the kills."""
        for name, process in list(self.stack.processes.items()):
            if name.startswith(("worker", "planner")) and process.poll() is not None:
                self.stack.processes.pop(name)
                self.exited += 1
                self.generation += 1
                queues = ["planning"] if name.startswith("planner") else ["messages", "events"]
                self.stack.start_worker(f"{name.rstrip('0123456789_')}_{self.generation}", queues)

    def _kill_one(self) -> None:
        names = [n for n in self.stack.processes if n.startswith(("worker", "planner"))]
        running = _busy_pids(self.stack)
        busy = [n for n in names if self.stack.processes[n].pid in running]
        name = random.choice(busy or names)
        self.kills_mid_job += bool(busy)
        queues = ["planning"] if name.startswith("planner") else ["messages", "events"]
        self.stack.kill(name)
        self.kills += 1
        self.generation += 1
        self.stack.start_worker(f"{name.rstrip('0123456789_')}_{self.generation}", queues)


def _busy_pids(stack: Stack) -> set[int]:
    """Pids of the workers running a job right now (RQ's own record of each worker)."""
    from rq import Worker

    try:
        return {w.pid for w in Worker.all(connection=stack.redis()) if w.get_state() == "busy"}
    except Exception:  # noqa: BLE001 - Redis restarting: pick any worker
        return set()


def main(stack: Stack, spec: ProvinceSpec, args: argparse.Namespace) -> None:
    rng = random.Random(spec.seed)
    places = hamlets(stack)
    day = list(arrivals(spec, places))[: int(args.rate * args.seconds)]
    accepted: dict[int, int] = {}
    chaos = Chaos(stack, every_s=max(2.0, args.seconds / 24), redis_at=[args.seconds * 0.25,
                  args.seconds * 0.7], pg_at=args.seconds * 0.45)  # fmt: skip
    t0 = datetime.now().astimezone()
    chaos.start()
    tally = Tally()
    lock = threading.Lock()

    def send(n: int, client: Client) -> None:
        status = _send_until_answered(client, request_for(stack, day[n], n))
        with lock:
            accepted[n] = status
            tally.statuses[status] = tally.statuses.get(status, 0) + 1

    _paced(stack, len(day), args.rate, send)
    chaos.stop.set()
    chaos.join()
    # The abuse: duplicates of accepted webhooks, forged and tampered ones, fuzz.
    sms = [n for n, a in enumerate(day) if a.channel == "sms" and accepted.get(n) == 200]
    dupes = [request_for(stack, day[n], n) for n in (rng.choice(sms) for _ in range(1000))]
    dup = run(stack.web_port, lambda n: dupes[n], total=1000, threads=8, seconds=120)
    forged = [fuzz.forged(stack.url, n, rng) for n in range(1000)]
    bad = run(stack.web_port, lambda n: forged[n], total=1000, threads=8, seconds=120)
    fuzzed = {path: run(stack.web_port, make, total=1000, threads=8, seconds=120)
              for path, make in fuzz.endpoints(stack.url, rng).items()}  # fmt: skip
    settled = _settle(stack, deadline_s=300)
    counts = _count(stack, day, accepted, forged)
    planned = plan_delays(stack, t0)
    if planned["unplanned"]:
        counts["lost"] += planned["unplanned"]
        counts["lost_detail"] += f" {planned['unplanned']} request(s) never planned"
    fivexx = sum(c for t in [tally, dup, bad, *fuzzed.values()] for s, c in t.statuses.items()
                 if s >= 500 and s not in OUTAGE_STATUSES)  # fmt: skip
    rows = [
        ("traffic: SMS webhooks, web form, API submits", len(day), json.dumps(tally.statuses)),
        (f"worker SIGKILLs ({chaos.kills_mid_job} with a job running)", chaos.kills,
         f"{chaos.exited} exited by themselves, replaced"),
        ("Redis / PostgreSQL restarts", f"{chaos.redis_restarts} / {chaos.pg_restarts}", ""),
        ("duplicate webhooks", 1000, json.dumps(dup.statuses)),
        ("forged or tampered webhooks", 1000, json.dumps(bad.statuses)),
        *[(f"fuzzed bodies {p}", 1000, json.dumps(t.statuses)) for p, t in fuzzed.items()],
        ("settled (queues empty, outbox published) after s", round(settled, 1), ""),
        ("**requests lost**", counts["lost"], counts["lost_detail"]),
        ("**duplicated effects**", counts["duplicated"], counts["dup_detail"]),
        ("**wrongly accepted**", counts["wrongly_accepted"], ""),
        ("**server errors (5xx other than 503 during outages)**", fivexx, ""),
    ]  # fmt: skip
    print("\n### fault table\n\n| what | count | answers / detail |\n|---|---|---|")
    for what, count, detail in rows:
        print(f"| {what} | {count} | {detail} |")


def _paced(stack: Stack, total: int, rate: float, send: Any) -> None:
    started = time.perf_counter()
    counter = iter(range(total))
    lock = threading.Lock()

    def worker() -> None:
        client = Client(stack.web_port)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            pause = started + n / rate - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            send(n, client)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=total / rate + 300)


def _settle(stack: Stack, deadline_s: float) -> float:
    """Wait until no job is queued or running, every event is published and every inbound
    message handled (the sweeps included); returns the seconds it took."""
    engine = create_engine(stack.database_url, pool_pre_ping=True)
    started = time.monotonic()
    quiet_since = None
    left: dict[str, int] = {}
    while time.monotonic() - started < deadline_s:
        try:
            left = _still_busy(stack, engine)
        except Exception:  # noqa: BLE001 - a service still coming back
            left = {"a service coming back": 1}
        if not any(left.values()):
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 10:
                break
        else:
            quiet_since = None
        time.sleep(2)
    if any(left.values()):
        print(f"not settled: {json.dumps({k: v for k, v in left.items() if v})}")
    engine.dispose()
    return time.monotonic() - started


def _still_busy(stack: Stack, engine: Any) -> dict[str, int]:
    """What is still in flight: jobs queued, running or due within 200 s (debounced plans,
    retries after a kill; not offer expiries and reminders, hours ahead), unpublished events,
    inbound SMS not handled, outbound SMS due and not sent."""
    client = stack.redis()
    names = ("events", "planning", "messages")
    soon = time.time() + 200
    left = {f"queued {q}": int(client.llen(f"rq:queue:{q}")) for q in names}
    left |= {f"running {q}": int(client.zcard(f"rq:wip:{q}")) for q in names}
    left |= {f"scheduled {q}": int(client.zcount(f"rq:scheduled:{q}", 0, soon)) for q in names}
    with Session(engine) as session:
        left["events unpublished"] = session.scalar(select(func.count()).select_from(Event)
                                       .where(Event.published_at.is_(None))) or 0  # fmt: skip
        left["inbound SMS not handled"] = session.scalar(select(func.count()).select_from(
            Message).where(Message.direction == "in", Message.status.in_(("handling", "received"))
        )) or 0  # fmt: skip
        left["outbound SMS not sent"] = session.scalar(select(func.count()).select_from(
            Message).where(Message.direction == "out", Message.status.in_(("queued", "sending")),
                           Message.send_after.is_(None))) or 0  # fmt: skip
    return left


def _count(
    stack: Stack, day: list[Arrival], accepted: dict[int, int], forged: list[Request]
) -> dict[str, Any]:
    engine = create_engine(stack.database_url)
    with Session(engine) as session:
        inbound = {m.provider_id: m.status for m in session.scalars(
            select(Message).where(Message.direction == "in"))}  # fmt: skip
        replied = Counter(session.scalars(select(Message.peer_phone).where(
            Message.direction == "out", Message.status.in_(("sent", "delivered")))))  # fmt: skip
        requests = Counter(session.execute(select(Resident.phone, HelpRequest.kind).join(
            Resident, Resident.id == HelpRequest.resident_id)).all())  # fmt: skip
        live = Counter(session.scalars(select(Assignment.request_id).where(
            Assignment.status.in_(("offered", "accepted", "in_progress")))))  # fmt: skip
    engine.dispose()
    lost: Counter[str] = Counter()
    for n, arrival in enumerate(day):
        if accepted.get(n) not in (200, 201, 302):
            lost["never accepted after retries"] += 1
        elif arrival.channel == "sms" and inbound.get(f"SMb{n:09d}") != "handled":
            lost["SMS stored but not handled"] += 1
        elif arrival.channel == "sms" and replied[arrival.phone] == 0:
            lost["SMS without a reply sent"] += 1
        elif arrival.channel != "sms" and requests[(arrival.phone, arrival.kind)] == 0:
            lost[f"{arrival.channel} submit without its request"] += 1
    with urllib.request.urlopen(
        f"http://127.0.0.1:{stack.sandbox_port}/_sandbox/messages", timeout=30
    ) as answer:
        provider = json.load(answer)["messages"]
    per_our_id = Counter(str(m.get("status_callback") or "").rpartition("our_id=")[2]
                         for m in provider)  # fmt: skip
    dup = {
        "SMS sent twice by the provider": sum(c - 1 for c in per_our_id.values() if c > 1),
        "requests with two live visits": sum(1 for c in live.values() if c > 1),
        "requests twice for one phone+kind": sum(c - 1 for c in requests.values() if c > 1),
    }
    wrong = sum(1 for sid in {_sid_of(r) for r in forged} if sid in inbound)
    return {"lost": sum(lost.values()), "lost_detail": json.dumps(dict(lost)),
            "duplicated": sum(dup.values()), "dup_detail": json.dumps(dup),
            "wrongly_accepted": wrong}  # fmt: skip


def _sid_of(request: Request) -> str:
    import urllib.parse

    return urllib.parse.parse_qs(request[2].decode()).get("MessageSid", [""])[0]


__all__ = ["main", "signed_sms"]
