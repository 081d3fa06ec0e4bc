"""The web process's share of the runtime: Redis queues (connected on first use) and the relay.

Events committed through the app's session factory are handed to RQ right after the commit
(best effort; the workers' sweep publishes anything this misses, e.g. while Redis is down).
"""

from __future__ import annotations

from flask import Flask, current_app

from dispatch.queues import Queues, make_queues
from dispatch.relay import publish_after_commit


def init_app(app: Flask) -> None:
    publish_after_commit(app.extensions["doorstep.sessions"], lambda: queues(app))


def queues(app: Flask | None = None) -> Queues:
    """The app's queues; the Redis connection is made (and an embedded server started) lazily."""
    from dispatch.redis_conn import connect_redis

    app = app or current_app
    found: Queues | None = app.extensions.get("doorstep.queues")
    if found is None:
        found = make_queues(connect_redis(app.config["DOORSTEP_SETTINGS"]))
        app.extensions["doorstep.queues"] = found
    return found
