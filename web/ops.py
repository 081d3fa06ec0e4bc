"""Operations: request ids and JSON access lines for every request, and ``GET /metrics``.

``/metrics`` (Prometheus text format) is served to callers on this machine only, unless
``DOORSTEP_METRICS_TOKEN`` is set: then to whoever sends that token as a bearer token, from
anywhere. Anyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import hmac
import logging
import time

import redis
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from sqlalchemy.exc import OperationalError

from dispatch.logs import configure_logging, request_id_from, request_id_var
from dispatch.settings import Settings

bp = Blueprint("ops", __name__)
access_log = logging.getLogger("doorstep.access")
_LOOPBACK = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


def init_app(app: Flask) -> None:
    settings: Settings = app.config["DOORSTEP_SETTINGS"]
    configure_logging(settings.ops.log_format)
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)
    app.register_error_handler(OperationalError, _unavailable)
    app.register_blueprint(bp)


def _unavailable(error: Exception) -> Response:
    """The database went away mid-request (a restart, a failover): 503 with Retry-After, so a
    provider or client retries, instead of a 500 that reads as a bug. Nothing was committed."""
    logging.getLogger(__name__).warning("database unavailable: %s", str(error).splitlines()[0])
    answer = Response("service unavailable, try again shortly\n", status=503, mimetype="text/plain")
    answer.headers["Retry-After"] = "5"
    return answer


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    g.request_id_token = request_id_var.set(g.request_id)


def _finish(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    started = g.get("request_started")
    if started is not None:
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
    return response


def _forget(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        request_id_var.reset(token)


def _allowed(settings: Settings) -> bool:
    token = settings.ops.metrics_token
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(sent.encode(), token.encode())
    return request.remote_addr in _LOOPBACK


@bp.get("/metrics")
def metrics() -> Response:
    from dispatch import metrics as collect
    from dispatch.clock import utcnow
    from web.extensions import db, queues

    settings: Settings = current_app.config["DOORSTEP_SETTINGS"]
    if not _allowed(settings):
        abort(404)
    now = utcnow()
    samples = collect.database_samples(db(), now)
    try:
        found = queues()
        samples += collect.queue_samples(found, now)
        samples += collect.worker_samples(found.connection, settings.ops.heartbeat_ttl_s)
        up = 1.0
    except redis.RedisError:
        up = 0.0
    samples.append(("doorstep_redis_up", {}, up))
    return Response(collect.render(samples), mimetype="text/plain; version=0.0.4")
