"""Partner API /api/v1: token auth, submit a request, read its status, a commune's assignments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)

from web.api import views  # noqa: E402,F401  (routes register on import)
