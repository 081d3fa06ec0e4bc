"""/metrics in Prometheus format, only for this machine or a token; request ids in JSON logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import redis
from flask.testing import FlaskClient

from bench.province.load import signed_sms
from dispatch.logs import JsonFormatter, configure_logging, request_id_from
from dispatch.queues import make_queues
from dispatch.settings import SettingsError, load_settings
from tests.integration.ops.test_heartbeat import _redis_url
from web import create_app

TOKEN = "metrics-token-0123456789abcdef"


def _client(
    tmp_path: Path, database_url: str, redis_conn: redis.Redis[bytes], **env: str
) -> FlaskClient:
    base = {
        "DOORSTEP_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": database_url,
        "REDIS_URL": _redis_url(redis_conn),
        "DOORSTEP_SECRET_KEY": "test-secret-key-0123456789",
    }
    return create_app(load_settings({**base, **env})).test_client()


def test_metrics_for_loopback_only_without_a_token(
    tmp_path: Path, fresh_database_url: str, redis_conn: redis.Redis[bytes]
) -> None:
    client = _client(tmp_path, fresh_database_url, redis_conn)
    make_queues(redis_conn).messages.enqueue("time.sleep", args=(0,))
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    text = answer.get_data(as_text=True)
    assert "# TYPE doorstep_queue_length gauge" in text
    assert 'doorstep_queue_length{queue="messages"} 1' in text
    assert 'doorstep_queue_oldest_job_age_seconds{queue="messages"}' in text
    assert "doorstep_outbox_lag_seconds 0" in text
    assert 'doorstep_plan_seconds{quantile="0.95"}' in text
    assert "doorstep_redis_up 1" in text
    remote = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 404


def test_metrics_with_a_token_from_anywhere(
    tmp_path: Path, fresh_database_url: str, redis_conn: redis.Redis[bytes]
) -> None:
    client = _client(tmp_path, fresh_database_url, redis_conn, DOORSTEP_METRICS_TOKEN=TOKEN)
    far = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=far).status_code == 404
    assert client.get("/metrics").status_code == 404  # the token is needed even locally
    wrong = {"Authorization": "Bearer " + TOKEN[:-1] + "x"}
    assert client.get("/metrics", headers=wrong, environ_base=far).status_code == 404
    right = {"Authorization": f"Bearer {TOKEN}"}
    assert client.get("/metrics", headers=right, environ_base=far).status_code == 200


def test_request_id_kept_or_made_and_logged_as_json(
    tmp_path: Path,
    fresh_database_url: str,
    redis_conn: redis.Redis[bytes],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = _client(tmp_path, fresh_database_url, redis_conn)
    with caplog.at_level(logging.INFO, logger="doorstep.access"):
        answer = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
        made = client.get("/healthz", headers={"X-Request-ID": "bad id {json}"})
    assert answer.headers["X-Request-ID"] == "abc-123"
    assert len(made.headers["X-Request-ID"]) == 32  # junk replaced by a fresh id
    lines = [
        json.loads(JsonFormatter().format(r)) for r in caplog.records if r.name == "doorstep.access"
    ]
    assert lines[0]["request_id"] == "abc-123"
    assert lines[0]["path"] == "/healthz" and lines[0]["status"] == 503
    assert lines[1]["request_id"] == made.headers["X-Request-ID"]


def test_json_lines_carry_job_and_event_ids() -> None:
    from rq.job import Job

    record = logging.makeLogRecord({"msg": "handled %s", "args": ("x",), "levelname": "INFO"})
    record.job_id, record.event_id = "ev-42-h", 42
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "handled x" and entry["job_id"] == "ev-42-h" and entry["event_id"] == 42
    assert request_id_from("ok-1") == "ok-1" and request_id_from(None) != request_id_from(None)
    assert Job  # the filter reads rq's current job inside workers (see test_heartbeat's worker)
    configure_logging("text")
    configure_logging("json")  # idempotent: one handler of ours
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_doorstep_handler", False)]
    assert len(ours) == 1


def test_bad_ops_settings_are_refused() -> None:
    with pytest.raises(SettingsError, match="DOORSTEP_LOG_FORMAT"):
        load_settings({"DOORSTEP_LOG_FORMAT": "xml", "DOORSTEP_SECRET_KEY": "x" * 20})
    with pytest.raises(SettingsError, match="DOORSTEP_HEARTBEAT_SECONDS"):
        load_settings({"DOORSTEP_HEARTBEAT_SECONDS": "0", "DOORSTEP_SECRET_KEY": "x" * 20})
    with pytest.raises(SettingsError, match="DOORSTEP_METRICS_TOKEN"):
        load_settings({"DOORSTEP_METRICS_TOKEN": "short", "DOORSTEP_SECRET_KEY": "x" * 20})


def test_database_gone_mid_request_is_a_503_with_retry_after(tmp_path: Path) -> None:
    from notifications.sandbox.server import (
        SANDBOX_ACCOUNT_SID,
        SANDBOX_AUTH_TOKEN,
        SANDBOX_FROM_NUMBER,
    )
    from tests.fixtures.web import free_local_port_url

    env = {
        "DOORSTEP_INSTANCE_PATH": str(tmp_path), "DOORSTEP_SECRET_KEY": "x" * 20,
        "DATABASE_URL": free_local_port_url(), "DOORSTEP_PUBLIC_URL": "http://doorstep.test",
        "TWILIO_ACCOUNT_SID": SANDBOX_ACCOUNT_SID, "TWILIO_AUTH_TOKEN": SANDBOX_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SANDBOX_FROM_NUMBER,
    }  # fmt: skip
    client = create_app(load_settings(env)).test_client()
    _method, path, body, headers = signed_sms("http://doorstep.test", "SMdown1", "+84901", "help")
    answer = client.post(path, data=body, headers=headers, base_url="http://doorstep.test")
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
