"""`doorstep up` as a user runs it: a subprocess on a free port, polled until healthy, stopped."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from dispatch.redis_conn import EmbeddedRedis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health(port: int) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(DOORSTEP_INSTANCE_PATH=str(instance), PYTHONUNBUFFERED="1")
    for name in [k for k in env if k.startswith(("TWILIO_", "ZALO_"))]:
        del env[name]
    # Without credentials these only move the local sandboxes (off the shared default ports).
    env["TWILIO_API_BASE_URL"] = f"http://127.0.0.1:{_free_port()}"
    env["ZALO_API_BASE_URL"] = f"http://127.0.0.1:{_free_port()}"
    return env


def test_up_serves_health_and_stops_everything_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    instance = tmp_path / "instance"
    log_path = tmp_path / "up.log"
    env = _env(instance)
    with open(log_path, "w") as log:
        up = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "up", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        seen: list[int] = []
        body: dict[str, object] = {}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert up.poll() is None, log_path.read_text()
            try:
                status, body = _health(port)
            except OSError:
                time.sleep(0.2)
                continue
            seen.append(status)
            if status == 200:
                break
            assert status == 503 and body["status"] == "unavailable"
            time.sleep(0.2)
        assert seen and seen[-1] == 200, (seen, body, log_path.read_text())
        assert body["checks"] == {"web": "ok", "database": "ok", "redis": "ok", "workers": "ok"}

        descendants = psutil.Process(up.pid).children(recursive=True)
        assert len(descendants) >= 3  # web, two workers (plus gunicorn's and RQ's own)
        redis_pid = int((instance / "redis.pid").read_text())

        up.send_signal(signal.SIGTERM)
        assert up.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(descendants, timeout=10)
        assert alive == [], alive
        assert not psutil.pid_exists(redis_pid) or psutil.Process(redis_pid).status() == "zombie"
        text = log_path.read_text()
        assert "web" in text and "worker1" in text and "worker2" in text
        assert "Twilio sandbox on" in text and "Zalo sandbox on" in text
    finally:
        if up.poll() is None:
            up.kill()
        EmbeddedRedis(instance).stop()


def test_up_with_a_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    env = _env(tmp_path / "instance")
    env["DATABASE_URL"] = "mysql://nope"
    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "up", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr
    assert "Traceback" not in result.stdout + result.stderr
