"""Pure planning engine: scenario in, plan out (``shared/formats``). Imports nothing of ours."""

from scheduler.checker import check
from scheduler.evaluate import objective
from scheduler.greedy import greedy
from scheduler.io import (
    FormatError,
    PlanError,
    ScenarioError,
    format_time,
    load_plan,
    load_scenario,
    parse_plan,
    parse_scenario,
    plan_to_dict,
    scenario_to_dict,
)
from scheduler.solver import solve
from scheduler.types import Plan, Scenario

__all__ = [
    "FormatError",
    "Plan",
    "PlanError",
    "Scenario",
    "ScenarioError",
    "check",
    "format_time",
    "greedy",
    "load_plan",
    "load_scenario",
    "objective",
    "parse_plan",
    "parse_scenario",
    "plan_to_dict",
    "scenario_to_dict",
    "solve",
]
