"""Coordinator panel: password login, queue, request page, overrides, board, lists, dashboard."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("coordinator", __name__)

from web.coordinator import auth, overview, people, queue, requests  # noqa: E402,F401  (routes register on import)
