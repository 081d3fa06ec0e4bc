"""A Scenario back to its v1 document (``shared/formats``): what ``io.parse_scenario`` reads."""

from __future__ import annotations

from typing import Any

from scheduler.plans import format_time
from scheduler.types import (
    Interval,
    Location,
    Matrix,
    MatrixLoc,
    Request,
    Scenario,
    Volunteer,
)


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def _location_dict(location: Location) -> dict[str, Any]:
    if isinstance(location, MatrixLoc):
        return {"loc": location.loc}
    return {"lat": location.lat, "lon": location.lon}


def _intervals_list(intervals: tuple[Interval, ...]) -> list[dict[str, str]]:
    return [{"start": format_time(i.start), "end": format_time(i.end)} for i in intervals]


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    travel: dict[str, Any]
    if isinstance(scenario.travel, Matrix):
        travel = {"model": "matrix", "seconds": [list(row) for row in scenario.travel.seconds]}
    else:
        travel = {
            "model": "haversine",
            "speed_kmh": scenario.travel.speed_kmh,
            "detour_factor": scenario.travel.detour_factor,
        }
    out: dict[str, Any] = {"version": 1, "name": scenario.name}
    if scenario.timezone is not None:
        out["timezone"] = scenario.timezone
    out["travel"] = travel
    out["volunteers"] = [_volunteer_dict(v) for v in scenario.volunteers]
    out["requests"] = [_request_dict(q) for q in scenario.requests]
    out["locked"] = [
        {"request": lk.request, "volunteer": lk.volunteer, "start": format_time(lk.start)}
        for lk in scenario.locked
    ]
    return out


def _volunteer_dict(volunteer: Volunteer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": volunteer.id,
        "location": _location_dict(volunteer.location),
        "skills": sorted(volunteer.skills),
        "shifts": _intervals_list(volunteer.shifts),
    }
    if volunteer.max_visits_per_shift is not None:
        out["max_visits_per_shift"] = volunteer.max_visits_per_shift
    if volunteer.capacity is not None:
        out["capacity"] = _num(volunteer.capacity)
    return out


def _request_dict(request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": request.id,
        "location": _location_dict(request.location),
        "skills": sorted(request.skills),
        "duration_min": _num(request.duration_min),
        "windows": _intervals_list(request.windows),
        "priority": request.priority,
        "demand": _num(request.demand),
    }
    if request.received_at is not None:
        out["received_at"] = format_time(request.received_at)
    return out
