"""The process runtime (engine, sessions) and one DB session per request.

Sessions come from ``dispatch.runtime.bootstrap``; web/runtime.py hooks the relay onto the same
session factory, so committed events go to RQ right after commit (the sweep catches what that
misses). A request's session is closed at teardown and never shared between requests.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from dispatch.runtime import Runtime, bootstrap


def init_app(app: Flask) -> None:
    settings = app.config["DOORSTEP_SETTINGS"]
    # Publishing after commit is hooked by web/runtime.py (it never starts the embedded Redis
    # from a web process), so the runtime here must not hook it a second time.
    runtime = bootstrap(
        settings,
        redis_client=app.config.get("REDIS_CLIENT"),
        database_url=app.config.get("DATABASE_URL"),
        publish_after_commit=False,
    )
    app.extensions["doorstep.runtime"] = runtime
    # Names other parts of web/ look up (health check, web/runtime.py).
    app.extensions["doorstep.engine"] = runtime.engine
    app.extensions["doorstep.sessions"] = runtime.sessions
    app.teardown_appcontext(_close_session)


def runtime() -> Runtime:
    value: Runtime = current_app.extensions["doorstep.runtime"]
    return value


def db() -> Session:
    """The session of the current request, opened on first use."""
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    session: Session = g.db_session
    return session


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
