"""Pure planning engine: scenario in, plan out (``shared/formats``). Imports nothing of ours."""

from scheduler.types import Plan, Scenario

__all__ = ["Plan", "Scenario"]
