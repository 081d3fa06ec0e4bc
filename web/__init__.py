"""The Flask app factory: settings parsed once, extensions bound per app, blueprints registered."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from dispatch.settings import Settings, load_settings


def create_app(settings: Settings | None = None, overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``settings`` defaults to the environment, read here and only here."""
    settings = settings or load_settings(os.environ)
    app = Flask(__name__, instance_path=str(settings.instance_path))
    app.config.update(SECRET_KEY=settings.secret_key, DOORSTEP_SETTINGS=settings)
    if overrides:
        app.config.update(overrides)
    return app
