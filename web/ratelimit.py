"""Rate limits (sign-in attempts, resident submissions, partner API calls) on Flask-Limiter.

Flask-Limiter owns the storage and the strategy: moving windows kept in the app's Redis (shared
by every web process), or in process memory when the app is configured so (unit tests, a lone
development process). Views call :func:`enforce` at the point where they know the identity to
count (the phone number once it is parsed, the partner once its token is checked), so a form
that fails validation costs nothing. Going over a limit answers 429 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter
from limits import RateLimitItemPerSecond
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter, RateLimiter
from werkzeug.exceptions import TooManyRequests

from dispatch.redis_conn import connect_redis

log = logging.getLogger(__name__)

LIMITER = "doorstep.limiter"
FALLBACK = "doorstep.limiter_fallback"


class RateLimited(TooManyRequests):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__()
        self.retry_after_s = retry_after_s


def enforce(bucket: str, identity: str, limit: int, window_s: int) -> None:
    """Count one attempt for ``identity`` in ``bucket``; raise 429 once over ``limit``."""
    if not current_app.config.get("RATE_LIMITS_ENABLED", True):
        return
    item = RateLimitItemPerSecond(limit, window_s)
    # Hash the identity: phone numbers and addresses are not stored in clear in Redis keys.
    digest = hashlib.sha256(identity.encode()).hexdigest()[:24]
    strategy = _strategy()
    try:
        allowed = strategy.hit(item, bucket, digest)
    except StorageError as error:
        # A Redis outage delays work; it must not stop people asking for help.
        log.warning("rate limit counters in memory, Redis unavailable: %s", error.storage_error)
        strategy = _fallback()
        allowed = strategy.hit(item, bucket, digest)
    if not allowed:
        reset_at, _remaining = strategy.get_window_stats(item, bucket, digest)
        raise RateLimited(max(1, math.ceil(reset_at - time.time())))


def _strategy() -> RateLimiter:
    limiter: Limiter = current_app.extensions[LIMITER]
    return limiter.limiter


def _fallback() -> RateLimiter:
    """In-memory counts for while Redis is down, made on the first outage."""
    found: RateLimiter | None = current_app.extensions.get(FALLBACK)
    if found is None:
        found = current_app.extensions[FALLBACK] = MovingWindowRateLimiter(MemoryStorage())
    return found


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


def _storage(app: Flask) -> tuple[str, dict[str, Any]]:
    """The storage URI and options: the app's Redis, not connected before the first count."""
    if app.config.get("RATE_LIMIT_STORAGE", "redis") == "memory":
        return "memory://", {}
    # The same client settings as the web's queues: never start the embedded server from the
    # web, and no retries (redis-py's default back-off would hold a request for seconds).
    client = app.config.get("REDIS_CLIENT") or connect_redis(
        app.config["DOORSTEP_SETTINGS"], start_embedded=False, fail_fast=True
    )
    options = {
        "connection_pool": client.connection_pool,
        "key_prefix": "doorstep:ratelimit",
        "wrap_exceptions": True,
    }
    return "redis://", options


def init_app(app: Flask) -> None:
    uri, options = _storage(app)
    # No default limits: every limit is counted where its view knows whom to count.
    limiter = Limiter(
        key_func=lambda: request.remote_addr or "?",
        storage_uri=uri,
        storage_options=options,
        strategy="moving-window",
    )
    limiter.init_app(app)
    app.extensions[LIMITER] = limiter
    app.register_error_handler(RateLimited, _too_many)
