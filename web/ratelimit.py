"""Fixed-window rate limits (login attempts, resident submissions per IP and per phone).

Counts live in Redis when the app has a client (shared by every web process), otherwise in
process memory (one process, development and unit tests). Views call :func:`enforce`; going over
the limit answers 429 with a page that says when to try again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import TooManyRequests

log = logging.getLogger(__name__)


class CounterStore(Protocol):
    def incr(self, key: str, window_s: int) -> int: ...


class MemoryCounters:
    def __init__(self) -> None:
        self._counts: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def incr(self, key: str, window_s: int) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._counts) > 10_000:  # drop expired windows so memory stays bounded
                self._counts = {k: v for k, v in self._counts.items() if v[0] > now}
            expires, count = self._counts.get(key, (0.0, 0))
            if expires <= now:
                expires, count = now + window_s, 0
            self._counts[key] = (expires, count + 1)
            return count + 1


class RedisCounters:
    def __init__(self, client: Any) -> None:
        self._client = client

    def incr(self, key: str, window_s: int) -> int:
        window = int(time.time() // window_s)
        redis_key = f"doorstep:ratelimit:{key}:{window}"
        pipe = self._client.pipeline()
        pipe.incr(redis_key)
        pipe.expire(redis_key, window_s)
        count, _ok = pipe.execute()
        return int(count)


class LazyRedisCounters:
    """Connects on first use; while Redis is unreachable, counts in memory rather than refuse
    residents (a Redis outage delays work, it must not stop people asking for help)."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._redis: RedisCounters | None = None
        self._fallback = MemoryCounters()

    def incr(self, key: str, window_s: int) -> int:
        import redis

        try:
            if self._redis is None:
                self._redis = RedisCounters(self._connect())
            return self._redis.incr(key, window_s)
        except (redis.RedisError, OSError) as error:
            log.warning("rate limit counters in memory, Redis unavailable: %s", error)
            self._redis = None
            return self._fallback.incr(key, window_s)


class RateLimited(TooManyRequests):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__()
        self.retry_after_s = retry_after_s


def enforce(bucket: str, identity: str, limit: int, window_s: int) -> None:
    """Count one attempt for ``identity`` in ``bucket``; raise 429 once over ``limit``."""
    if not current_app.config.get("RATE_LIMITS_ENABLED", True):
        return
    store: CounterStore = current_app.extensions["doorstep.ratelimit"]
    # Hash the identity: phone numbers and addresses are not stored in clear in Redis keys.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
    if store.incr(f"{bucket}:{digest}", window_s) > limit:
        raise RateLimited(window_s)


def _too_many(error: RateLimited) -> tuple[Any, int, dict[str, str]]:
    headers = {"Retry-After": str(error.retry_after_s)}
    if request.path.startswith("/api/"):
        return jsonify(error="too many calls"), 429, headers
    minutes = max(1, error.retry_after_s // 60)
    message = _(
        "Too many attempts. Please wait %(minutes)d minutes and try again.", minutes=minutes
    )
    page = render_template("error.html", title=_("Please wait"), message=message)
    return page, 429, headers


def init_app(app: Flask) -> None:
    store: CounterStore
    if app.config.get("RATE_LIMIT_STORAGE", "redis") == "memory":
        store = MemoryCounters()
    else:
        from web.extensions import queues

        # The app's Redis connection (never starts an embedded server from the web process).
        store = LazyRedisCounters(lambda: queues(app).connection)
    app.extensions["doorstep.ratelimit"] = store
    app.register_error_handler(RateLimited, _too_many)
