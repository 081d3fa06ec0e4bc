"""Domain errors raised by services (web maps them to HTTP codes, SMS to polite replies)."""

from __future__ import annotations

from dispatch.catalogue import UnknownKind
from dispatch.errors import DomainError
from dispatch.states import IllegalTransition


class NotFound(DomainError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} not found")
        self.what = what
        self.key = key


class Conflict(DomainError):
    """The entity changed since the caller read it (stale version): reload and retry."""


class Duplicate(DomainError):
    """The same thing was already done (e.g. a provider id seen twice)."""


class InvalidCommand(DomainError, ValueError):
    """The command itself is malformed (bad window, empty reason, unknown kind...)."""


__all__ = [
    "Conflict",
    "DomainError",
    "Duplicate",
    "IllegalTransition",
    "InvalidCommand",
    "NotFound",
    "UnknownKind",
]
