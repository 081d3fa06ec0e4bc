"""Behind a reverse proxy: DOORSTEP_TRUSTED_PROXIES decides whose address the rate limits see."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from dispatch.settings import SettingsError, load_settings
from tests.integration.web.helpers import token
from web import create_app

SIGN_INS_PER_IP = 20  # web/volunteer/auth.py: sign-in codes per address per hour


def _app(database_url: str, instance: Path, proxies: str) -> Flask:
    settings = load_settings(
        {
            "DOORSTEP_INSTANCE_PATH": str(instance),
            "DATABASE_URL": database_url,
            "DOORSTEP_SECRET_KEY": "a-test-secret-key-that-is-long-enough",
            "DOORSTEP_TRUSTED_PROXIES": proxies,
        }
    )
    return create_app(
        settings, {"TESTING": True, "RATE_LIMIT_STORAGE": "memory", "PUBLISH_AFTER_COMMIT": False}
    )


def _sign_in_statuses(app: Flask, forwarded_for: str, phones: range) -> list[int]:
    """Ask for a sign-in code once per phone (distinct phones: only the address limit bites)."""
    client = app.test_client()
    csrf = token(client, "/v/sign-in")
    statuses = []
    for n in phones:
        answer = client.post(
            "/v/sign-in",
            data={"csrf_token": csrf, "phone": f"0912 {n:06d}"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},  # the proxy
        )
        statuses.append(answer.status_code)
    return statuses


def test_behind_one_proxy_each_forwarded_address_has_its_own_budget(
    web_database_url: str, tmp_path: Path
) -> None:
    app = _app(web_database_url, tmp_path / "instance", "1")
    first = _sign_in_statuses(app, "203.0.113.7", range(SIGN_INS_PER_IP + 1))
    assert 429 not in first[:SIGN_INS_PER_IP] and first[-1] == 429
    # A client-supplied entry to the left of the proxy's is not believed.
    assert _sign_in_statuses(app, "198.51.100.9, 203.0.113.7", range(900, 901)) == [429]
    assert 429 not in _sign_in_statuses(app, "203.0.113.8", range(500, 505))
    app.extensions["doorstep.runtime"].close()


def test_without_proxies_the_forwarded_header_is_ignored(
    web_database_url: str, tmp_path: Path
) -> None:
    app = _app(web_database_url, tmp_path / "instance", "")
    assert app.config["DOORSTEP_SETTINGS"].trusted_proxies == 0
    first = _sign_in_statuses(app, "203.0.113.7", range(SIGN_INS_PER_IP))
    assert 429 not in first
    assert _sign_in_statuses(app, "203.0.113.8", range(500, 501)) == [429]
    app.extensions["doorstep.runtime"].close()


@pytest.mark.parametrize("raw", ["-1", "one", "11", "1.5", "²"])
def test_a_bad_proxy_count_stops_start_up_with_one_clear_line(raw: str, tmp_path: Path) -> None:
    env = {"DOORSTEP_INSTANCE_PATH": str(tmp_path), "DOORSTEP_TRUSTED_PROXIES": raw}
    env["DOORSTEP_SECRET_KEY"] = "a-test-secret-key-that-is-long-enough"
    with pytest.raises(SettingsError, match="^DOORSTEP_TRUSTED_PROXIES must be a whole number"):
        load_settings(env)
