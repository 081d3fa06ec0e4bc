"""The composition root: every event type has a decided row, every handler path resolves."""

from __future__ import annotations

import importlib
import inspect

import pytest

from dispatch import event_handlers as domain
from dispatch.events import EVENT_TYPES
from dispatch.handlers import PACKAGES, event_graph, handlers_for, package_maps

ALL_PATHS = sorted({path for paths in event_graph().values() for path in paths})


def test_every_event_type_has_a_row_of_the_domain() -> None:
    # Even "nothing" is a decision: a new event must be given a row on purpose.
    assert set(domain.HANDLERS) == set(EVENT_TYPES.values())


def test_package_maps_speak_only_of_registered_events() -> None:
    registered = set(EVENT_TYPES.values())
    for package, handlers in package_maps().items():
        unknown = set(handlers) - registered
        assert not unknown, f"{package} handles unregistered events {unknown}"


@pytest.mark.parametrize("path", ALL_PATHS)
def test_every_handler_path_is_a_job_of_one_event_id(path: str) -> None:
    module_name, _, name = path.rpartition(".")
    handler = getattr(importlib.import_module(module_name), name)
    assert callable(handler)
    parameters = list(inspect.signature(handler).parameters)
    assert parameters == ["event_id"], path


def test_merged_graph_puts_the_domain_before_messaging() -> None:
    assert PACKAGES == ("dispatch", "notifications")
    assert handlers_for("request.submitted") == (
        "dispatch.jobs.replan_for_event",
        "notifications.handlers.request_received",
    )
    assert handlers_for("assignment.overridden") == (
        "dispatch.jobs.replan_for_event",
        "dispatch.jobs.schedule_offer_expiry",
        "notifications.handlers.offer_made",
    )
    assert handlers_for("visit.started") == ()
    assert handlers_for("no.such.event") == ()
