"""Operations settings: log format, who may read ``/metrics``, the worker heartbeat TTL.

Parsed by ``dispatch.settings.load_settings`` with the rest (once, at start-up).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dispatch.settings_channels import SettingsError

LOG_FORMATS = ("json", "text")


@dataclass(frozen=True)
class OpsSettings:
    # One JSON object per log line (with request/job/event ids), or plain text for a terminal.
    log_format: str = "json"
    # With a token, /metrics answers whoever sends "Authorization: Bearer <token>"; without
    # one, only callers on this machine (loopback), so a public address never exposes it.
    metrics_token: str | None = None
    # A worker that has not refreshed its heartbeat for this long is reported dead.
    heartbeat_ttl_s: float = 5.0


def load_ops(env: Mapping[str, str]) -> OpsSettings:
    log_format = env.get("DOORSTEP_LOG_FORMAT", "").strip().lower() or "json"
    if log_format not in LOG_FORMATS:
        raise SettingsError(f"DOORSTEP_LOG_FORMAT must be json or text, got {log_format!r}")
    token = env.get("DOORSTEP_METRICS_TOKEN", "").strip() or None
    if token is not None and len(token) < 24:
        raise SettingsError("DOORSTEP_METRICS_TOKEN must be at least 24 characters")
    raw_ttl = env.get("DOORSTEP_HEARTBEAT_SECONDS", "").strip() or "5"
    try:
        ttl = float(raw_ttl)
    except ValueError:
        raise SettingsError(
            f"DOORSTEP_HEARTBEAT_SECONDS must be a number, got {raw_ttl!r}"
        ) from None
    if not 1 <= ttl <= 60:
        raise SettingsError(f"DOORSTEP_HEARTBEAT_SECONDS must be from 1 to 60, got {raw_ttl!r}")
    return OpsSettings(log_format=log_format, metrics_token=token, heartbeat_ttl_s=ttl)
