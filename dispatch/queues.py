"""Queues and job options in one place: names, the JSON serializer, retry policies, job ids.

Jobs carry only ids and short strings, serialised as JSON (never pickle), so a job enqueued by
one release can be read by another and nothing executable travels through Redis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

EVENTS = "events"
PLANNING = "planning"
MESSAGES = "messages"
QUEUE_NAMES: tuple[str, ...] = (EVENTS, PLANNING, MESSAGES)

SERIALIZER = JSONSerializer

# Event handlers: quick, idempotent; retried with a growing pause (Redis or DB hiccups).
EVENT_RETRY = Retry(max=5, interval=[2, 10, 30, 120, 600])
# A plan that crashed is retried a few times; a later event re-plans anyway.
PLAN_RETRY = Retry(max=3, interval=[5, 30, 120])
# Outgoing messages: the provider may be briefly unreachable.
MESSAGE_RETRY = Retry(max=6, interval=[10, 30, 60, 300, 900, 3600])

# Finished event jobs are kept for a day: while the job hash exists, publishing the same
# (event, handler) again is refused by RQ's unique enqueue; after that the handler's own
# idempotence (it checks state) keeps a late duplicate harmless.
EVENT_RESULT_TTL_S = 24 * 3600
FAILURE_TTL_S = 7 * 24 * 3600
PLAN_TIMEOUT_S = 300
JOB_TIMEOUT_S = 120

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def safe_id_part(text: str) -> str:
    """RQ accepts job ids made of letters, digits, '_' and '-' only."""
    return _UNSAFE.sub("_", text).strip("_")


def event_job_id(event_id: int | str, handler: str) -> str:
    """The job of one (event, handler) pair: the same pair always gets the same id."""
    return f"ev-{event_id}-{safe_id_part(handler)}"


def plan_job_id(commune_code: str) -> str:
    """The one plan job of a commune (coalescing key)."""
    return f"plan-{safe_id_part(commune_code)}"


def offer_expiry_job_id(assignment_id: int | str) -> str:
    return f"expire-offer-{assignment_id}"


@dataclass(frozen=True)
class Queues:
    """The three queues on one Redis connection, all with the JSON serializer."""

    connection: redis.Redis[bytes]
    events: Queue
    planning: Queue
    messages: Queue

    def all(self) -> list[Queue]:
        return [self.events, self.planning, self.messages]

    def by_name(self, name: str) -> Queue:
        for queue in self.all():
            if queue.name == name:
                return queue
        raise KeyError(name)


def make_queues(connection: redis.Redis[bytes]) -> Queues:
    def queue(name: str) -> Queue:
        return Queue(
            name, connection=connection, serializer=SERIALIZER, default_timeout=JOB_TIMEOUT_S
        )

    return Queues(connection, queue(EVENTS), queue(PLANNING), queue(MESSAGES))
