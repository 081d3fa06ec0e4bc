"""``doorstep parse-sms`` as a process, against a configured database's hamlets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dispatch.db import make_engine, make_session_factory
from tests.fixtures.web import seed_world


def _run(database_url: str, tmp_path: Path, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DOORSTEP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DOORSTEP_SECRET_KEY": "a-test-secret-key-that-is-long-enough",
    }
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "parse-sms", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_parse_sms_text_and_jsonl(fresh_database_url: str, tmp_path: Path) -> None:
    engine = make_engine(fresh_database_url)
    with make_session_factory(engine)() as session:
        seed_world(session)
    engine.dispose()

    one = _run(
        fresh_database_url,
        tmp_path,
        "giup e cai vneid ap cong su sang mai",
        "--today",
        "2026-12-01",
    )
    assert one.returncode == 0, one.stderr
    assert json.loads(one.stdout) == {
        "intent": "help_request",
        "kind": "vneid",
        "commune": "U Minh Thượng",
        "hamlet": "Công Sự",
        "when": {"day": "2026-12-02", "part": "morning"},
        "codes": [],
    }

    lines = ["1", "STOP", "Hủy hẹn", "xin chào"]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in lines), "utf-8")
    many = _run(fresh_database_url, tmp_path, "--jsonl", str(source), "--today", "2026-12-01")
    assert many.returncode == 0, many.stderr
    intents = [json.loads(line)["intent"] for line in many.stdout.splitlines()]
    assert intents == ["accept", "stop", "cancel", "unknown"]

    from_stdin = _run(fresh_database_url, tmp_path, "--jsonl", "-", stdin='"help"\n')
    assert json.loads(from_stdin.stdout)["intent"] == "help"
    bad = _run(fresh_database_url, tmp_path, "--jsonl", "-", stdin="not json\n")
    assert bad.returncode == 2 and "line 1" in bad.stderr
