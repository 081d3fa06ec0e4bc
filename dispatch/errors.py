"""The root of every domain error, so callers can catch them all with one ``except``."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a service raises on purpose (state machines included)."""
