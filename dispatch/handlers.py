"""THE event graph: event type -> the jobs it starts, merged from each package's map.

The relay enqueues one RQ job per (event, handler) with the event id as the only argument:
``handler(event_id: int) -> None``. A handler reloads what it needs through
``dispatch.runtime.current()``, checks the state is still the one it expects, commits, then does
its side effect, and raises on failure so RQ retries it. Handlers must be idempotent.

This is the composition root: each package in ``PACKAGES`` keeps its own map in
``<package>/event_handlers.py``, keyed by event class. They are found by name, not imported at
the top, so that ``dispatch`` stays below ``notifications`` in the layers; the handlers
themselves are dotted paths, imported only by the worker that runs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from functools import cache

from dispatch.events import EVENT_TYPES, DomainEvent

#: Packages whose ``event_handlers.HANDLERS`` take part, in the order their jobs are enqueued.
PACKAGES: tuple[str, ...] = ("dispatch", "notifications")

# Modules of jobs that handlers enqueue themselves (SMS delivery, reminders). The worker imports
# them, with the handlers' modules, once before forking, so no work horse imports them again.
JOB_MODULES: tuple[str, ...] = (
    "dispatch.jobs",
    "dispatch.campaign_jobs",
    "scheduler",
    "notifications.delivery",
    "notifications.reminders",
    "notifications.inbound_accept",
)


def package_maps() -> dict[str, Mapping[type[DomainEvent], tuple[str, ...]]]:
    """Each package's own map, by package name."""
    return {
        package: importlib.import_module(f"{package}.event_handlers").HANDLERS
        for package in PACKAGES
    }


@cache
def event_graph() -> Mapping[str, tuple[str, ...]]:
    """Event type -> handler paths, every package's in ``PACKAGES`` order."""
    merged: dict[str, tuple[str, ...]] = {type_name: () for type_name in EVENT_TYPES}
    for handlers in package_maps().values():
        for event_class, paths in handlers.items():
            merged[event_class.type] += paths
    return merged


def handlers_for(event_type: str) -> tuple[str, ...]:
    """The handlers of an event type; an unknown type has none (and is marked published)."""
    return event_graph().get(event_type, ())
