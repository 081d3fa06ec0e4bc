"""What every web request shares: the process runtime, the request's DB session, the queues.

The runtime (engine, sessions, settings) comes from ``dispatch.runtime.bootstrap``. A request's
session is opened on first use and closed at teardown, never shared between requests. Events
committed through the app's session factory are handed to RQ right after the commit (best
effort; the workers' sweep publishes anything this misses, e.g. while Redis is down).
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from dispatch.queues import Queues, make_queues
from dispatch.relay import publish_after_commit
from dispatch.runtime import Runtime, bootstrap

RUNTIME = "doorstep.runtime"
QUEUES = "doorstep.queues"


def init_app(app: Flask, *, relay: bool = True) -> None:
    """Open the runtime; with ``relay``, committed events go to RQ right after the commit."""
    settings = app.config["DOORSTEP_SETTINGS"]
    # The relay is hooked below, on the web's own queues (which never start the embedded
    # Redis), so the runtime must not hook one of its own.
    found = bootstrap(
        settings,
        redis_client=app.config.get("REDIS_CLIENT"),
        database_url=app.config.get("DATABASE_URL"),
        publish_after_commit=False,
    )
    app.extensions[RUNTIME] = found
    app.teardown_appcontext(_close_session)
    if relay:
        publish_after_commit(found.sessions, lambda: queues(app))


def runtime(app: Flask | None = None) -> Runtime:
    value: Runtime = (app or current_app).extensions[RUNTIME]
    return value


def db() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    session: Session = g.db_session
    return session


def queues(app: Flask | None = None) -> Queues:
    """The app's queues, connected on first use.

    The web never starts the embedded Redis (``doorstep up`` and workers do): a web process
    alone, or a test app, just leaves its events to the sweep instead of spawning a server.
    """
    from dispatch.redis_conn import connect_redis

    app = app or current_app
    found: Queues | None = app.extensions.get(QUEUES)
    if found is None:
        settings = app.config["DOORSTEP_SETTINGS"]
        client = connect_redis(settings, start_embedded=False, fail_fast=True)
        found = make_queues(client)
        app.extensions[QUEUES] = found
    return found


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
