"""The Flask app factory: settings parsed once, extensions bound per app, blueprints registered."""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dispatch.settings import Settings, load_settings


def create_app(
    settings: Settings | None = None, overrides: Mapping[str, Any] | None = None
) -> Flask:
    """Build the app; ``settings`` defaults to the environment, read here and only here."""
    settings = settings or load_settings(os.environ)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        DOORSTEP_SETTINGS=settings,
        # Cookies: never readable by scripts, not sent on cross-site sub-requests, and only over
        # HTTPS whenever the public address is HTTPS (plain HTTP is for local development).
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        SESSION_COOKIE_NAME="doorstep_session",
        PERMANENT_SESSION_LIFETIME=12 * 3600,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE=settings.timezone,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        VOLUNTEER_SESSION_MINUTES=8 * 60,
        RATE_LIMITS_ENABLED=True,
        API_TOKENS=dict(settings.api_tokens),
        ESCALATION_WAITING_HOURS=2,
    )
    if overrides:
        app.config.update(overrides)
    if settings.trusted_proxies:
        # Behind N proxies the client's address is the Nth from the right in X-Forwarded-For;
        # without this every visitor would share the proxy's address and its rate-limit budget.
        # Headers are believed only when proxies are declared, so a client cannot forge them.
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from web import campaign_labels, extensions, helpers, i18n, ops, ratelimit, security

    # Tests that need no Redis turn the relay off and leave the events in the outbox.
    extensions.init_app(app, relay=app.config.get("PUBLISH_AFTER_COMMIT", True))
    ops.init_app(app)  # JSON logs with request ids, /metrics
    i18n.init_app(app)
    helpers.init_app(app)
    campaign_labels.init_app(app)
    security.init_app(app)
    ratelimit.init_app(app)
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from web import pages
    from web.api import bp as api_bp
    from web.coordinator import bp as coordinator_bp
    from web.resident import bp as resident_bp
    from web.security import csrf
    from web.volunteer import bp as volunteer_bp

    app.register_blueprint(pages.bp)
    app.register_blueprint(resident_bp)
    app.register_blueprint(volunteer_bp, url_prefix="/v")
    app.register_blueprint(coordinator_bp, url_prefix="/c")
    # The partner API authenticates every call with a bearer token and never reads the session
    # cookie, so a forged cross-site request carries no authority: CSRF does not apply.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    _register_optional(app)


def _register_optional(app: Flask) -> None:
    """Blueprints of other areas (health, provider webhooks, SMS simulator), once they exist.

    ``find_spec`` rather than ``try: import``: a module that exists but fails to import must
    fail loudly, not vanish.
    """
    from web.security import csrf

    for module_name in ("web.health", "web.webhooks", "web.simulator"):
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        blueprint = module.bp
        if module_name == "web.webhooks":
            # Provider webhooks are authenticated by the provider's signature, not a session.
            csrf.exempt(blueprint)
        app.register_blueprint(blueprint)
