"""The production shape on loopback, private to the bench: a PostgreSQL cluster of its own
(initdb/pg_ctl under /tmp, its own port), a redis-server of its own (its own port and folder),
the fake Twilio, gunicorn on the app factory, and ``doorstep worker`` processes in the Procfile's
roles. The shared PostgreSQL (5432) and Redis (6379) are never touched, let alone restarted.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from notifications.sandbox.server import twilio_sandbox_env

API_TOKENS = [f"bench-partner-token-{n:04d}-{'x' * 8}" for n in range(40)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(check: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up in {seconds:.0f} s")


@dataclass
class Stack:
    root: Path
    web_workers: int = 2
    web_threads: int = 4
    pg_port: int = field(default_factory=free_port)
    redis_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)
    sandbox_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.pg_port}/doorstep"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self, **extra: str) -> dict[str, str]:
        tokens = ",".join(f"p{n}:{t}" for n, t in enumerate(API_TOKENS))
        return {
            **os.environ, "PYTHONUNBUFFERED": "1", "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url, "DOORSTEP_INSTANCE_PATH": str(self.root / "instance"),
            "DOORSTEP_SECRET_KEY": "bench-secret-key-0123456789abcdef",
            "DOORSTEP_PUBLIC_URL": self.url, "DOORSTEP_QUIET_HOURS": "",
            "DOORSTEP_TRUSTED_PROXIES": "1", "DOORSTEP_API_TOKENS": tokens,
            "DOORSTEP_LOG_FORMAT": "json", "DOORSTEP_HEARTBEAT_SECONDS": "3",
            **twilio_sandbox_env(f"http://127.0.0.1:{self.sandbox_port}"), **extra,
        }  # fmt: skip

    # -- services ---------------------------------------------------------------------------

    def start_postgres(self) -> None:
        data = self.root / "pg"
        if not data.exists():
            subprocess.run(["initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E",
                            "UTF8"], check=True, capture_output=True, **_as_postgres())  # fmt: skip
            with (data / "postgresql.conf").open("a") as conf:
                conf.write(f"port = {self.pg_port}\nlisten_addresses = '127.0.0.1'\n"
                           "unix_socket_directories = ''\nfsync = on\nmax_connections = 200\n"
                           "shared_buffers = 256MB\n")  # fmt: skip
        subprocess.run(["pg_ctl", "-D", str(data), "-l", str(self.root / "pg.log"), "-w", "start"],
                       check=True, capture_output=True, **_as_postgres())  # fmt: skip
        _wait(lambda: self._psql("SELECT 1"), 30, "PostgreSQL")
        self._psql("CREATE DATABASE doorstep", ignore_errors=True)

    def stop_postgres(self, mode: str = "fast") -> None:
        subprocess.run(["pg_ctl", "-D", str(self.root / "pg"), "-m", mode, "-w", "stop"],
                       capture_output=True, **_as_postgres())  # fmt: skip

    def _psql(self, sql: str, ignore_errors: bool = False) -> bool:
        done = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U",
                               "postgres", "-c", sql], capture_output=True)  # fmt: skip
        if done.returncode and not ignore_errors:
            raise RuntimeError(done.stderr.decode())
        return done.returncode == 0

    def start_redis(self) -> None:
        folder = self.root / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--dir",
             str(folder), "--save", "1 1", "--appendonly", "yes", "--appendfsync", "everysec"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait(lambda: self.redis().ping(), 20, "Redis")

    def restart_redis(self) -> float:
        """SIGTERM (Redis saves and exits), then start again on the same files; returns the
        seconds Redis was away."""
        started = time.monotonic()
        process = self.processes.pop("redis")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        self.start_redis()
        return time.monotonic() - started

    def redis(self) -> redis.Redis[bytes]:
        return redis.Redis.from_url(self.redis_url, socket_timeout=5)

    def start_sandbox(self) -> None:
        self._spawn("sandbox", [sys.executable, "-m", "notifications.sandbox", "--port",
                                str(self.sandbox_port), "--callback-delay", "0.2"])  # fmt: skip

    def migrate_and_load(self, scale: float) -> None:
        subprocess.run([sys.executable, "-m", "web.cli", "demo", "--province", "--scale",
                        str(scale)], env=self.env(), check=True, cwd=ROOT)  # fmt: skip

    def start_web(self) -> None:
        self._spawn("web", [sys.executable, "-m", "gunicorn", "--bind",
                            f"127.0.0.1:{self.web_port}", "--workers", str(self.web_workers),
                            "--threads", str(self.web_threads), "--backlog", "2048",
                            "web:create_app()"])  # fmt: skip
        _wait(lambda: socket.create_connection(("127.0.0.1", self.web_port), 1), 60, "gunicorn")

    def start_worker(self, name: str, queues: list[str]) -> None:
        """As the Procfile: events and SMS in the worker process, plans in forked horses."""
        fork = [] if "planning" in queues else ["--no-fork"]
        self._spawn(name, [sys.executable, "-m", "web.cli", "worker", "--with-scheduler",
                           *fork, *queues])  # fmt: skip

    def kill(self, name: str) -> None:
        """SIGKILL a process and its work horse (its own process group)."""
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = (self.root / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(argv, env=self.env(), cwd=ROOT, stdout=log,
                                                stderr=subprocess.STDOUT,
                                                start_new_session=True)  # fmt: skip

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds (user + system) used so far by each role's processes and their
        children: web, worker, planner, postgres, redis, sandbox."""
        import psutil

        roots = {name: process.pid for name, process in self.processes.items()}
        pid_file = self.root / "pg" / "postmaster.pid"
        if pid_file.exists():
            roots["postgres"] = int(pid_file.read_text().split()[0])
        own = os.times()
        used: dict[str, float] = {"client": own.user + own.system}  # the load client itself
        for name, pid in roots.items():
            role = name.rstrip("0123456789_")
            try:
                parent = psutil.Process(pid)
                family = [parent, *parent.children(recursive=True)]
            except psutil.Error:
                continue
            for member in family:
                try:
                    times = member.cpu_times()
                except psutil.Error:
                    continue
                used[role] = used.get(role, 0.0) + times.user + times.system
                if member is parent:  # work horses that ended (reaped by the worker)
                    used[role] += times.children_user + times.children_system
        return used

    def stop_all(self) -> None:
        for name in [n for n in self.processes if n != "redis"]:
            process = self.processes.pop(name)
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                process.wait()
        if "redis" in self.processes:
            process = self.processes.pop("redis")
            process.terminate()
            process.wait(timeout=30)
        self.stop_postgres("immediate")


def _as_postgres() -> dict[str, object]:
    """initdb refuses to run as root: run PostgreSQL's tools as the ``postgres`` user."""
    if os.geteuid() != 0:
        return {}
    import pwd

    user = pwd.getpwnam("postgres")
    return {"user": user.pw_uid, "group": user.pw_gid}


def new_stack(scale: float, **options: int) -> Stack:
    root = Path("/tmp") / f"doorstep-bench-{secrets.token_hex(3)}"
    root.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        root.chmod(0o777)
    stack = Stack(root, **options)
    stack.start_postgres()
    stack.start_redis()
    stack.start_sandbox()
    stack.migrate_and_load(scale)
    return stack
