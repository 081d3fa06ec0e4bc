"""Runtime commands: ``doorstep up``, ``worker``, ``demo``, ``db upgrade``.

Each reads the settings once, from the environment; a bad setting or an unreachable service
stops it with one clear line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from functools import wraps

from dispatch.settings import Settings, SettingsError, load_settings
from web.sandboxes import sms_sandbox_argv, zalo_sandbox_argv

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3


class StartupError(Exception):
    """A clear one-line reason why a command cannot start."""


def _fail(message: str, code: int) -> int:
    print(f"doorstep: {message}", file=sys.stderr)
    return code


def one_line_errors(command: Callable[[Sequence[str]], int]) -> Callable[[Sequence[str]], int]:
    """Turn start-up failures into one line on stderr and an exit code."""

    @wraps(command)
    def wrapper(argv: Sequence[str]) -> int:
        from redis import RedisError
        from sqlalchemy.exc import SQLAlchemyError

        try:
            return command(argv)
        except SettingsError as error:
            return _fail(f"bad setting: {error}", EXIT_CONFIG)
        except StartupError as error:
            return _fail(str(error), EXIT_UNAVAILABLE)
        except SQLAlchemyError as error:
            first = str(error.orig if hasattr(error, "orig") else error).strip().splitlines()
            return _fail(f"database unavailable: {first[0] if first else error}", EXIT_UNAVAILABLE)
        except RedisError as error:
            return _fail(f"Redis unavailable: {error}", EXIT_UNAVAILABLE)

    return wrapper


def _settings() -> Settings:
    return load_settings(os.environ)


# -- doorstep db upgrade ------------------------------------------------------------------------


@one_line_errors
def db_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="doorstep db")
    parser.add_argument("action", choices=["upgrade"])
    parser.parse_args(argv)
    settings = _settings()
    from dispatch.db import upgrade

    upgrade(settings.database_url)
    print("database at head")
    return 0


# -- doorstep demo ------------------------------------------------------------------------------


def load_demo_if_empty(settings: Settings) -> bool:
    """Load the demo data unless the database already has some; True when loaded.

    Its events (re-plan requests) stay in the outbox: a worker's first sweep publishes them.
    """
    from demo.communes import load_demo
    from dispatch.clock import utcnow
    from dispatch.db import make_engine, make_session_factory
    from dispatch.services.unit_of_work import unit_of_work

    engine = make_engine(settings.database_url, worker=True)
    try:
        with make_session_factory(engine)() as session, unit_of_work(session):
            return load_demo(session, utcnow())
    finally:
        engine.dispose()


@one_line_errors
def demo_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="doorstep demo", description="load the demo data")
    parser.add_argument(
        "--province", action="store_true", help="a province: 102 communes, 8,000 volunteers"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="with --province: e.g. 0.1")
    args = parser.parse_args(argv)
    settings = _settings()
    from dispatch.db import upgrade

    upgrade(settings.database_url)
    if args.province:
        return _load_province(settings, args.scale)
    if load_demo_if_empty(settings):
        print("demo data loaded")
        return 0
    return _fail("the database already has data; demo not loaded", 1)


def _load_province(settings: Settings, scale: float) -> int:
    from demo.province import ProvinceSpec, load_province
    from dispatch.db import make_engine, make_session_factory
    from dispatch.services.unit_of_work import unit_of_work

    if not 0 < scale <= 1:
        return _fail("--scale must be above 0 and at most 1", EXIT_CONFIG)
    spec = ProvinceSpec().scaled(scale)
    engine = make_engine(settings.database_url, worker=True)
    try:
        with make_session_factory(engine)() as session, unit_of_work(session):
            if not load_province(session, spec):
                return _fail("the database already has data; province not loaded", 1)
    finally:
        engine.dispose()
    print(f"province loaded: {spec.communes} communes, {spec.hamlets} hamlets, "
          f"{spec.volunteers} volunteers")  # fmt: skip
    return 0


# -- doorstep worker ----------------------------------------------------------------------------


@one_line_errors
def worker_command(argv: Sequence[str]) -> int:
    from dispatch.queues import QUEUE_NAMES

    parser = argparse.ArgumentParser(prog="doorstep worker", description="run an RQ worker")
    parser.add_argument("--burst", action="store_true", help="quit when the queues are empty")
    parser.add_argument(
        "--with-scheduler", action="store_true", help="also move due scheduled jobs to queues"
    )
    parser.add_argument(
        "--no-fork", action="store_true", help="run jobs in the worker (short jobs: no fork each)"
    )
    parser.add_argument("queues", nargs="*", metavar="QUEUE", help=", ".join(QUEUE_NAMES))
    args = parser.parse_args(argv)
    unknown = [q for q in args.queues if q not in QUEUE_NAMES]
    if unknown:
        parser.error(f"unknown queue {unknown[0]!r} (queues: {', '.join(QUEUE_NAMES)})")
    settings = _settings()
    from dispatch.logs import configure_logging

    configure_logging(settings.ops.log_format)
    _check_redis(settings)
    from dispatch.worker import run_worker

    run_worker(
        settings,
        args.queues or QUEUE_NAMES,
        burst=args.burst,
        with_scheduler=args.with_scheduler,
        fork=not args.no_fork,
    )
    return 0


def _check_redis(settings: Settings) -> None:
    from redis import RedisError

    from dispatch.redis_conn import connect_redis, redis_description

    try:
        connect_redis(settings).ping()
    except (RedisError, OSError) as error:
        raise StartupError(f"{redis_description(settings)} unreachable: {error}") from None


# -- doorstep up --------------------------------------------------------------------------------


@one_line_errors
def up_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="doorstep up", description="web, workers and embedded Redis in one terminal"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--demo", action="store_true", help="load demo data into an empty DB")
    parser.add_argument("--workers", type=int, default=1, help="RQ worker processes (default 1)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    settings = _settings()

    from dispatch.db import upgrade
    from dispatch.redis_conn import embedded_redis, redis_description
    from web.supervisor import Supervisor

    print(f"up       | database {_safe_url(settings.database_url)}: applying migrations")
    upgrade(settings.database_url)
    if args.demo and load_demo_if_empty(settings):
        print("up       | demo data loaded")
    started_redis = False
    if settings.uses_embedded_redis:
        started_redis = embedded_redis(settings).ensure_running()
    _check_redis(settings)
    print(f"up       | {redis_description(settings)}")

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["DOORSTEP_INSTANCE_PATH"] = str(settings.instance_path)  # children agree on the folder
    supervisor = Supervisor(env)
    for name, child_argv in _children(settings, args.host, args.port, args.workers):
        supervisor.add(name, child_argv)
    print(f"up       | http://{args.host}:{args.port}/  (health: /healthz; Ctrl-C stops all)")
    try:
        return supervisor.run()
    finally:
        if started_redis:
            embedded_redis(settings).stop()
            print("up       | embedded Redis stopped")


def _children(
    settings: Settings, host: str, port: int, workers: int
) -> list[tuple[str, list[str]]]:
    python = sys.executable
    children = [
        (
            "web",
            [
                python,
                "-m",
                "gunicorn",
                "--bind",
                f"{host}:{port}",
                "--workers",
                "1",
                "--threads",
                "8",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
                "web:create_app()",
            ],
        )
    ]
    for number in range(1, workers + 1):
        name = "worker" if workers == 1 else f"worker{number}"
        children.append((name, [python, "-m", "web.cli", "worker", "--with-scheduler"]))
    sandbox = sms_sandbox_argv(settings)
    if sandbox is not None:
        children.append(("sms", sandbox))
    zalo = zalo_sandbox_argv(settings)
    if zalo is not None:
        children.append(("zalo", zalo))
    return children


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
