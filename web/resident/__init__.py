"""Resident pages (no login): the request form and the private status page."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("resident", __name__)

from web.resident import views  # noqa: E402,F401  (routes register on import)
