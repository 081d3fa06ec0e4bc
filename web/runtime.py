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
    """The app's queues, connected on first use.

    The web never starts the embedded Redis (``doorstep up`` and workers do): a web process
    alone, or a test app, just leaves its events to the sweep instead of spawning a server.
    """
    from dispatch.redis_conn import connect_redis

    app = app or current_app
    found: Queues | None = app.extensions.get("doorstep.queues")
    if found is None:
        settings = app.config["DOORSTEP_SETTINGS"]
        client = connect_redis(settings, start_embedded=False, fail_fast=True)
        found = make_queues(client)
        app.extensions["doorstep.queues"] = found
    return found
