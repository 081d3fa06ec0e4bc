"""Fixtures for scheduler tests; the builders live in ``scenarios.py`` and ``build.py``."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from scheduler import parallel
from scheduler.io import parse_plan, parse_scenario
from scheduler.types import Plan, Scenario
from tests.unit.scheduler.scenarios import load_fixture, small_document


@pytest.fixture
def small_doc() -> dict[str, Any]:
    """A fresh, valid small matrix scenario document to break one field at a time."""
    return small_document()


@pytest.fixture
def example_doc() -> dict[str, Any]:
    """The haversine example scenario of ``shared/formats`` (copied into tests/fixtures)."""
    data: dict[str, Any] = load_fixture("example-scenario.json")
    return data


@pytest.fixture
def example_scenario(example_doc: dict[str, Any]) -> Scenario:
    return parse_scenario(example_doc)


@pytest.fixture
def example_plan() -> Plan:
    return parse_plan(load_fixture("example-plan.json"))


@pytest.fixture(scope="session")
def plan_validator() -> jsonschema.protocols.Validator:
    """Validates plan documents against ``shared/formats/plan.schema.json``."""
    schema = load_fixture("plan.schema.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


@pytest.fixture(scope="session")
def scenario_validator() -> jsonschema.protocols.Validator:
    schema = load_fixture("scenario.schema.json")
    cls = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


@pytest.fixture(params=[1, 2], ids=["one-core", "two-workers"])
def planner_workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """The planner on one core (in this process) and on two worker processes."""
    count: int = request.param
    monkeypatch.setenv("DOORSTEP_PLANNER_WORKERS", str(count))
    return count


@pytest.fixture(autouse=True)
def patient_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give a late worker 5 s past the deadline before the parent gives up on it.

    How late a worker may answer is a question of load, measured by the benchmarks; these
    tests ask whether workers answer at all, and what is kept when one dies or hangs. With the
    production grace (0.5 s, or half the plan's time) a worker on a busy CI machine answered
    about a second late twice and was counted as failed. A hung worker still fails: after 5 s.
    """
    monkeypatch.setattr(parallel, "GRACE_S", 5.0)
