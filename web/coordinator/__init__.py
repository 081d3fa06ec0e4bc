"""Coordinator panel: password login, queue, request page, overrides, board, lists, dashboard."""

from __future__ import annotations

from web.coordinator import (  # noqa: F401  (routes register on import)
    auth,
    campaigns,
    communes,
    coverage,
    households,
    imports,
    overview,
    people,
    queue,
    requests,
)
from web.coordinator.blueprint import bp

__all__ = ["bp"]
