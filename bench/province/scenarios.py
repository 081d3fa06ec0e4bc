"""The measured scenarios: signed webhooks per second, submit-to-offer latency, a province peak.

Each takes a running :class:`Stack` (PostgreSQL, Redis, sandbox, province loaded) and returns a
dict of figures; ``bench.province.__main__`` prints them as tables.
"""

from __future__ import annotations

import itertools
import json
import statistics
import time
from datetime import datetime
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.province.load import Exchange, Request, run, signed_sms, web_form
from bench.province.stack import API_TOKENS, Stack
from demo.province import Arrival, ProvinceSpec, arrivals
from dispatch.models import Assignment, Hamlet, HelpRequest, Message, PlanRun

_sids = itertools.count(1)


def _engine(stack: Stack) -> Any:
    return create_engine(stack.database_url, pool_pre_ping=True)


def hamlets(stack: Stack) -> list[tuple[str, str, str]]:
    engine = _engine(stack)
    with Session(engine) as session:
        rows = session.execute(select(Hamlet.commune_code, Hamlet.code, Hamlet.name)).all()
    engine.dispose()
    return [(c, h, n) for c, h, n in rows]


def request_for(stack: Stack, arrival: Arrival, n: int) -> Exchange:
    """One arrival as its channel sends it: a signed SMS webhook, the resident form (GET, then
    POST with its CSRF token) or a partner API call; each resident from its own address."""
    address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
    if arrival.channel == "sms":
        body = f"giup em cai {arrival.kind.replace('_', ' ')} {arrival.hamlet_name}"
        return signed_sms(stack.url, f"SMb{n:09d}", arrival.phone, body)
    if arrival.channel == "web":
        fields = {"name": "Cư dân", "phone": arrival.phone, "commune": arrival.commune_code,
                  "hamlet": arrival.hamlet_code, "kind": arrival.kind}  # fmt: skip
        return web_form(fields, address)
    token = API_TOKENS[n % len(API_TOKENS)]
    payload = {"phone": arrival.phone, "kind": arrival.kind, "commune": arrival.commune_code,
               "hamlet": arrival.hamlet_code, "name": "Cư dân"}  # fmt: skip
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}",
               "X-Forwarded-For": address}  # fmt: skip
    return "POST", "/api/v1/requests", json.dumps(payload).encode(), headers


def webhooks(stack: Stack, seconds: float, threads: int, rate: float | None) -> dict[str, Any]:
    """Signed inbound SMS webhooks against gunicorn; no worker runs meanwhile (the jobs wait)."""
    places = hamlets(stack)
    base = next(_sids) * 1_000_000

    def make(n: int) -> Request:
        commune, _code, name = places[n % len(places)]
        sid = f"SMw{base + n:012d}"
        return signed_sms(
            stack.url, sid, f"+8490{(base + n) % 10**7:07d}", f"giup cai vneid {name}"
        )

    total = int((rate or 5000) * seconds)
    cpu0 = stack.cpu_seconds()
    tally = run(stack.web_port, make, total=total, threads=threads, seconds=seconds, rate=rate)
    cpu = cpu_per_request(stack, cpu0, len(tally.latencies_ms))
    return {"rate_asked": rate or "closed", "threads": threads, "sent": len(tally.latencies_ms),
            "req_s": tally.rate, "p50_ms": tally.quantile(0.5), "p99_ms": tally.quantile(0.99),
            "statuses": tally.statuses, "errors": tally.errors,
            "cpu_ms_per_request": {k: round(v * 1000, 2) for k, v in cpu.items()}}  # fmt: skip


def offers(stack: Stack, rate: float, seconds: float, spec: ProvinceSpec) -> dict[str, Any]:
    """Submits through the partner API at ``rate``/s; latency of each request to the moment
    its offer SMS was accepted by the (fake) provider."""
    day = list(itertools.islice(arrivals(spec, hamlets(stack)), int(rate * seconds)))
    day = [Arrival(a.at_s, "api", a.commune_code, a.hamlet_code, a.hamlet_name, a.kind,
                   a.phone) for a in day]  # fmt: skip
    t0 = datetime.now().astimezone()
    cpu0 = stack.cpu_seconds()
    tally = run(stack.web_port, lambda n: request_for(stack, day[n], n), total=len(day),
                threads=16, seconds=seconds + 30, rate=rate)  # fmt: skip
    latencies = wait_for_offers(stack, t0, len(day), deadline_s=120)
    return {"rate": rate, "achieved": tally.rate, "submitted": len(day),
            "answers": tally.statuses, "submit_p50_ms": tally.quantile(0.5),
            "offered": len(latencies), **_quantiles(latencies),
            "cpu_s_per_request": cpu_per_request(stack, cpu0, len(day))}  # fmt: skip


def cpu_per_request(stack: Stack, before: dict[str, float], requests: int) -> dict[str, float]:
    after = stack.cpu_seconds()
    return {role: round((after[role] - before.get(role, 0.0)) / max(1, requests), 4)
            for role in after}  # fmt: skip


def wait_for_offers(stack: Stack, since: datetime, expected: int, deadline_s: float) -> list[float]:
    engine = _engine(stack)
    latencies: list[float] = []
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        latencies = offer_latencies(engine, since)
        if len(latencies) >= expected:
            break
        time.sleep(3)
    engine.dispose()
    return latencies


def offer_latencies(engine: Any, since: datetime) -> list[float]:
    """Seconds from each request's creation to its first offer SMS marked sent."""
    with Session(engine) as session:
        created = dict(session.execute(
            select(HelpRequest.id, HelpRequest.created_at).where(HelpRequest.created_at >= since)
        ).all())  # fmt: skip
        by_assignment = dict(session.execute(
            select(Assignment.id, Assignment.request_id).where(Assignment.request_id.in_(created))
        ).all()) if created else {}  # fmt: skip
        sent: dict[int, datetime] = {}
        for message in session.scalars(
            select(Message).where(Message.template.in_(("offer", "offer_digest")),
                                  Message.created_at >= since)
        ):  # fmt: skip
            at = next((datetime.fromisoformat(h["at"]) for h in message.status_history
                       if h.get("status") == "sent"), None)  # fmt: skip
            if at is None:
                continue
            for assignment_id in [message.assignment_id, *(message.listed or [])]:
                request_id = by_assignment.get(assignment_id)  # type: ignore[arg-type]
                if request_id is not None and (request_id not in sent or at < sent[request_id]):
                    sent[request_id] = at
    return [(at - created[r]).total_seconds() for r, at in sent.items()]


def plan_delays(stack: Stack, since: datetime) -> dict[str, Any]:
    """For each request: seconds until a finished plan of its commune had started after it
    arrived (its wait in the commune's queue); unplanned ones are counted apart."""
    engine = _engine(stack)
    with Session(engine) as session:
        runs: dict[str, list[tuple[datetime, datetime]]] = {}
        for code, started, finished in session.execute(
            select(PlanRun.commune_code, PlanRun.started_at, PlanRun.finished_at)
            .where(PlanRun.started_at >= since, PlanRun.status == "done").order_by(PlanRun.id)
        ):  # fmt: skip
            runs.setdefault(code, []).append((started, finished))
        waits, unplanned = [], 0
        for code, created in session.execute(
            select(HelpRequest.commune_code, HelpRequest.created_at)
            .where(HelpRequest.created_at >= since)
        ):  # fmt: skip
            done = [f for s, f in runs.get(code, []) if s >= created]
            if done:
                waits.append((min(done) - created).total_seconds())
            else:
                unplanned += 1
    engine.dispose()
    return {"requests": len(waits) + unplanned, "unplanned": unplanned, **_quantiles(waits)}


def _quantiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50": values[0] if values else float("nan"), "p95": float("nan"),
                "max": values[0] if values else float("nan")}  # fmt: skip
    cuts = statistics.quantiles(values, n=100)
    return {"p50": statistics.median(values), "p95": cuts[94], "max": max(values)}


def peak(stack: Stack, spec: ProvinceSpec, minutes: float, speedup: float) -> dict[str, Any]:
    """The morning peak of the province day, replayed from its start at 07:45 local for
    ``minutes`` of wall time, ``speedup`` times faster than real time."""
    start_s = 45 * 60
    day = [a for a in arrivals(spec, hamlets(stack)) if a.at_s >= start_s]
    window = [a for a in day if a.at_s < start_s + minutes * 60 * speedup]
    t0 = datetime.now().astimezone()

    def make(n: int) -> Request:
        return request_for(stack, window[n], n)

    started = time.perf_counter()
    cpu0 = stack.cpu_seconds()
    rate = len(window) / (minutes * 60)
    tally = run(stack.web_port, make, total=len(window), threads=16,
                seconds=minutes * 60 + 30, rate=rate)  # fmt: skip
    time.sleep(20)  # the last plans finish
    delays = plan_delays(stack, t0)
    return {"minutes": minutes, "speedup": speedup, "arrivals": len(window),
            "rate_s": rate, "wall_s": time.perf_counter() - started,
            "answers": tally.statuses, **{f"plan_{k}": v for k, v in delays.items()},
            "cpu_s_per_request": cpu_per_request(stack, cpu0, len(window))}  # fmt: skip
