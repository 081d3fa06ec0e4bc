"""Volunteer pages: sign-in by SMS code or signed link, My visits, answers, availability."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("volunteer", __name__)

from web.volunteer import auth, availability, visits, walk  # noqa: E402,F401  (routes register on import)
