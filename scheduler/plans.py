"""Plan v1 (``shared/formats``): parse, load and write plans; times with their offset.

Times are written in ISO 8601 with the UTC offset, in whole seconds, in the scenario's zone
(``scenario_tzinfo``). Parsing checks the shape of a plan; feasibility is ``checker.check``'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.fields import PlanError, Reader, item_path, join, load_json, show
from scheduler.types import Objective, Plan, Route, Scenario, Unassigned, Visit

_PLAN = Reader(PlanError)


# -- times ----------------------------------------------------------------------------------


def scenario_tzinfo(scenario: Scenario) -> tzinfo:
    """The zone plans are written in: the scenario timezone, else the offset of its inputs."""
    if scenario.timezone:
        return ZoneInfo(scenario.timezone)
    for volunteer in scenario.volunteers:
        for shift in volunteer.shifts:
            if shift.start.tzinfo is not None:
                return shift.start.tzinfo
    for request in scenario.requests:
        for window in request.windows:
            if window.start.tzinfo is not None:
                return window.start.tzinfo
    for lock in scenario.locked:
        if lock.start.tzinfo is not None:
            return lock.start.tzinfo
    return ZoneInfo("UTC")


def format_time(moment: datetime, tz: tzinfo | None = None) -> str:
    """ISO 8601 with the UTC offset, rounded to whole seconds (optionally shown in ``tz``)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every time in the formats carries an offset")
    if tz is not None:
        moment = moment.astimezone(tz)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(
            seconds=1 if moment.microsecond >= 500_000 else 0
        )
    return moment.isoformat()


def plan_to_dict(plan: Plan, *, tz: tzinfo | None = None) -> dict[str, Any]:
    """Plan v1 as a JSON-ready dict; times in ``tz`` when given (see ``scenario_tzinfo``)."""
    return {
        "version": 1,
        "scenario": plan.scenario,
        "routes": [
            {
                "volunteer": route.volunteer,
                "shift": route.shift,
                "visits": [
                    {
                        "request": visit.request,
                        "start": format_time(visit.start, tz),
                        "end": format_time(visit.end, tz),
                    }
                    for visit in route.visits
                ],
            }
            for route in plan.routes
        ],
        "unassigned": [{"request": u.request, "reason": u.reason} for u in plan.unassigned],
        "objective": {
            "assigned": plan.objective.assigned,
            "assigned_priority": plan.objective.assigned_priority,
            "travel_seconds": round(plan.objective.travel_seconds, 3),
        },
        "solver": dict(plan.solver),
    }


# -- plan -----------------------------------------------------------------------------------


def load_plan(path: str | Path) -> Plan:
    """Read and validate a plan file; every problem is a ``PlanError`` naming the file."""
    data = load_json(path, PlanError, "plan")
    try:
        return parse_plan(data)
    except PlanError as exc:
        raise PlanError(f"{path}: {exc}") from None


def parse_plan(data: object) -> Plan:
    """Validate the shape of a plan v1 document (feasibility is ``checker.check``'s job)."""
    r = _PLAN
    top = r.obj(data, "")
    version = r.field(top, "version", "")
    if isinstance(version, bool) or version != 1:
        r.fail("version", f"unsupported version {show(version)} (expected 1)")
    scenario = r.string(top.get("scenario", ""), "scenario")
    routes = []
    for i, item in enumerate(r.array(r.field(top, "routes", ""), "routes")):
        where = f"routes[{i}]"
        obj = r.obj(item, where)
        volunteer = r.string(r.field(obj, "volunteer", where), join(where, "volunteer"))
        where = item_path("routes", i, "volunteer", volunteer)
        shift = r.integer(r.field(obj, "shift", where), join(where, "shift"))
        visits = []
        for j, raw in enumerate(r.array(r.field(obj, "visits", where), join(where, "visits"))):
            at = f"{where}.visits[{j}]"
            visit = r.obj(raw, at)
            request = r.string(r.field(visit, "request", at), join(at, "request"))
            at = item_path(f"{where}.visits", j, "request", request)
            start = r.time(r.field(visit, "start", at), join(at, "start"))
            end = r.time(r.field(visit, "end", at), join(at, "end"))
            visits.append(Visit(request=request, start=start, end=end))
        routes.append(Route(volunteer=volunteer, shift=shift, visits=tuple(visits)))
    unassigned = []
    for i, item in enumerate(r.array(r.field(top, "unassigned", ""), "unassigned")):
        where = f"unassigned[{i}]"
        obj = r.obj(item, where)
        request = r.string(r.field(obj, "request", where), join(where, "request"))
        where = item_path("unassigned", i, "request", request)
        reason = r.string(r.field(obj, "reason", where), join(where, "reason"))
        unassigned.append(Unassigned(request=request, reason=reason))
    obj = r.obj(r.field(top, "objective", ""), "objective")
    objective = Objective(
        assigned=r.integer(r.field(obj, "assigned", "objective"), "objective.assigned"),
        assigned_priority=r.integer(
            r.field(obj, "assigned_priority", "objective"), "objective.assigned_priority"
        ),
        travel_seconds=r.number(
            r.field(obj, "travel_seconds", "objective"), "objective.travel_seconds"
        ),
    )
    solver = dict(r.obj(top.get("solver", {}), "solver"))
    return Plan(
        scenario=scenario,
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        objective=objective,
        solver=solver,
    )
