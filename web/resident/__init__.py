"""Resident pages (no login): the request form and the private status page."""

from __future__ import annotations

from web.resident import views  # noqa: F401  (routes register on import)
from web.resident.blueprint import bp

__all__ = ["bp"]
