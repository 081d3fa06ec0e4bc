"""What ``/metrics`` reports, in Prometheus' text format (version 0.0.4).

Read from where the truth lives: queue lengths and the age of each queue's oldest waiting job
from Redis; plan times, messages per channel and status, and the outbox lag from the database;
workers from their heartbeats. Each scrape costs a handful of indexed queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import redis
from rq.job import Job
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispatch import heartbeat, replan
from dispatch.models import Event, Message, PlanRun, PlanRunStatus
from dispatch.queues import SERIALIZER, Queues

Sample = tuple[str, dict[str, str], float]
_HELP = {
    "doorstep_queue_length": ("gauge", "jobs waiting in an RQ queue"),
    "doorstep_queue_oldest_job_age_seconds": ("gauge", "age of the oldest job waiting"),
    "doorstep_queue_started_jobs": ("gauge", "jobs being run now"),
    "doorstep_queue_scheduled_jobs": ("gauge", "jobs scheduled for later (debounce, expiry)"),
    "doorstep_queue_failed_jobs": ("gauge", "jobs in the failed registry"),
    "doorstep_replan_pending_communes": ("gauge", "communes marked for a re-plan"),
    "doorstep_workers_alive": ("gauge", "workers with a live heartbeat"),
    "doorstep_workers_dead": ("gauge", "registered workers without a heartbeat"),
    "doorstep_workers_reaped_total": ("counter", "dead workers whose jobs were handed back"),
    "doorstep_plan_runs_recent": ("gauge", "plan runs started in the last hour, by status"),
    "doorstep_plan_seconds": ("gauge", "solver wall time of the last hour's plans"),
    "doorstep_messages_total": ("counter", "messages by direction, channel and status"),
    "doorstep_outbox_unpublished": ("gauge", "outbox events not yet handed to RQ"),
    "doorstep_outbox_lag_seconds": ("gauge", "age of the oldest unpublished outbox event"),
}


def queue_samples(queues: Queues, now: datetime) -> list[Sample]:
    samples: list[Sample] = []
    for queue in queues.all():
        labels = {"queue": queue.name}
        samples.append(("doorstep_queue_length", labels, float(queue.count)))
        age = 0.0
        for job_id in queue.get_job_ids(0, 0):
            job = Job.fetch(job_id, connection=queues.connection, serializer=SERIALIZER)
            if job.enqueued_at is not None:
                enqueued = job.enqueued_at.replace(tzinfo=job.enqueued_at.tzinfo or UTC)
                age = max(0.0, (now - enqueued).total_seconds())
        samples.append(("doorstep_queue_oldest_job_age_seconds", labels, round(age, 3)))
        samples.append(
            ("doorstep_queue_started_jobs", labels, float(queue.started_job_registry.count))
        )
        scheduled = float(queue.scheduled_job_registry.count)
        samples.append(("doorstep_queue_scheduled_jobs", labels, scheduled))
        samples.append(
            ("doorstep_queue_failed_jobs", labels, float(queue.failed_job_registry.count))
        )
    client = queues.connection
    samples.append(("doorstep_replan_pending_communes", {}, float(client.scard(replan.DIRTY_SET))))
    return samples


def worker_samples(client: redis.Redis[bytes], ttl_s: float) -> list[Sample]:
    reaped = client.get(heartbeat.REAPED_COUNTER)
    return [
        ("doorstep_workers_alive", {}, float(len(heartbeat.alive(client)))),
        ("doorstep_workers_dead", {}, float(len(heartbeat.dead_workers(client, ttl_s)))),
        ("doorstep_workers_reaped_total", {}, float(int(reaped or 0))),
    ]


def database_samples(session: Session, now: datetime) -> list[Sample]:
    samples: list[Sample] = []
    since = now - timedelta(hours=1)
    for status, count in session.execute(
        select(PlanRun.status, func.count())
        .where(PlanRun.started_at >= since)
        .group_by(PlanRun.status)
    ):
        samples.append(("doorstep_plan_runs_recent", {"status": status}, float(count)))
    walls = sorted(
        w
        for w in session.scalars(
            select(PlanRun.wall_s).where(
                PlanRun.started_at >= since, PlanRun.status == PlanRunStatus.DONE
            )
        )
        if w is not None
    )
    for name, q in (("0.5", 0.5), ("0.95", 0.95), ("1", 1.0)):
        value = walls[min(len(walls) - 1, int(q * len(walls)))] if walls else 0.0
        samples.append(("doorstep_plan_seconds", {"quantile": name}, float(value)))
    for direction, channel, status, count in session.execute(
        select(Message.direction, Message.channel, Message.status, func.count()).group_by(
            Message.direction, Message.channel, Message.status
        )
    ):
        labels = {"direction": direction, "channel": channel, "status": status}
        samples.append(("doorstep_messages_total", labels, float(count)))
    unpublished = select(Event).where(Event.published_at.is_(None))
    count = session.scalar(select(func.count()).select_from(unpublished.subquery())) or 0
    oldest = session.scalar(select(func.min(Event.created_at)).where(Event.published_at.is_(None)))
    lag = 0.0
    if oldest is not None:
        lag = max(0.0, (now - oldest).total_seconds())
    samples.append(("doorstep_outbox_unpublished", {}, float(count)))
    samples.append(("doorstep_outbox_lag_seconds", {}, round(lag, 3)))
    return samples


def render(samples: Iterable[Sample]) -> str:
    """Prometheus text exposition: HELP/TYPE once per metric, then its samples."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        by_name.setdefault(sample[0], []).append(sample)
    lines: list[str] = []
    for name, group in by_name.items():
        kind, text = _HELP.get(name, ("gauge", name))
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
        for _name, labels, value in group:
            label_text = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            lines.append(f"{name}{{{label_text}}} {value:g}" if labels else f"{name} {value:g}")
    return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
