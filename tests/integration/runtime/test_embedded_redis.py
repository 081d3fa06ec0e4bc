"""The embedded Redis lives in the instance folder and is shared by every process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dispatch.redis_conn import EmbeddedRedis, connect_redis
from tests.integration.runtime.conftest import make_settings


def test_processes_share_one_embedded_server_that_keeps_its_data(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "instance")
    server = EmbeddedRedis(settings.instance_path)
    try:
        client = connect_redis(settings)  # starts it
        pid = int(server.pid_path.read_text())
        client.set("greeting", "xin chào")

        code = (
            "import os; from dispatch.settings import load_settings;"
            "from dispatch.redis_conn import connect_redis, EmbeddedRedis;"
            "s = load_settings(os.environ); c = connect_redis(s);"
            "print(c.get('greeting').decode(), EmbeddedRedis(s.instance_path).pid_path.read_text())"
        )
        env = dict(os.environ, DOORSTEP_INSTANCE_PATH=str(settings.instance_path))
        env.pop("REDIS_URL", None)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        assert out == ["xin", "chào", str(pid)]  # same data, same server: none was started
        assert server.socket_path.parent == settings.instance_path

        server.stop()
        assert not server.is_running()
        assert connect_redis(settings).get("greeting") == "xin chào".encode()  # saved, reloaded
        assert int(server.pid_path.read_text()) != pid
    finally:
        server.stop()
