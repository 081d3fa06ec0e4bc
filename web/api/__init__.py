"""Partner API /api/v1: token auth, submit a request, read its status, a commune's assignments."""

from __future__ import annotations

from web.api import views  # noqa: F401  (routes register on import)
from web.api.blueprint import bp

__all__ = ["bp"]
