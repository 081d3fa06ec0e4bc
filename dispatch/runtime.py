"""The one wiring point: settings -> engine, sessions, Redis, queues (and the adapters upper
packages keep on it, such as the messaging channels).

``bootstrap(settings)`` builds a :class:`Runtime`; Redis is connected on first use, so a web
process that never enqueues never needs it. RQ jobs take ids only and reach the runtime of
their worker through :func:`current`, installed once by the worker at start (or by a test).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from dispatch.queues import Queues, make_queues
from dispatch.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    _redis: redis.Redis[bytes] | None = None
    _queues: Queues | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: What upper packages build for this process and keep here rather than in module globals
    #: (e.g. ``notifications.wiring.channels``: the SMS and Zalo channels, retry scale).
    adapters: dict[str, Any] = field(default_factory=dict)

    @property
    def redis(self) -> redis.Redis[bytes]:
        return self.queues.connection

    @property
    def queues(self) -> Queues:
        with self._lock:
            if self._queues is None:
                from dispatch.redis_conn import connect_redis

                self._redis = self._redis or connect_redis(self.settings)
                self._queues = make_queues(self._redis)
            return self._queues

    def close(self) -> None:
        for adapter in self.adapters.values():
            if hasattr(adapter, "close"):
                adapter.close()
        if self._redis is not None:
            self._redis.close()
        self.engine.dispose()


def bootstrap(
    settings: Settings,
    *,
    worker: bool = False,
    redis_client: redis.Redis[bytes] | None = None,
    database_url: str | None = None,
    publish_after_commit: bool = True,
) -> Runtime:
    """Wire everything for one process.

    ``worker=True`` gives the engine a NullPool so no pooled connection crosses RQ's fork.
    ``publish_after_commit`` hooks the relay onto the session factory: events committed by any
    service are handed to RQ right away (best effort; the sweep catches what this misses).
    """
    from dispatch.db import make_engine, make_session_factory

    engine = make_engine(database_url or settings.database_url, worker=worker)
    sessions = make_session_factory(engine)
    runtime = Runtime(settings, engine, sessions, _redis=redis_client)
    if publish_after_commit:
        from dispatch.relay import publish_after_commit as hook

        hook(sessions, lambda: runtime.queues)
    return runtime


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Make ``runtime`` the one jobs of this process use (worker start, tests)."""
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("no runtime installed: jobs run inside `doorstep worker`")
    return _current
