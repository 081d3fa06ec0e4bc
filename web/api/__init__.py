"""Partner API /api/v1: token auth, submit a request, read its status, a commune's assignments."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__)
