"""Volunteer pages: sign-in by SMS code or signed link, My visits, answers, availability."""

from __future__ import annotations

from web.volunteer import auth, availability, visits, walk  # noqa: F401  (routes register on import)
from web.volunteer.blueprint import bp

__all__ = ["bp"]
