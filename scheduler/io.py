"""Scenario v1 (``shared/formats``) to and from the dataclasses of ``types``; plans via ``plans``.

Parsing validates everything the formats promise, and a bad document raises one error whose
message is a single line naming the field path and the id at fault, e.g.
``requests[3](id="r4").windows[0]: end 2026-11-30T07:00:00+07:00 is before start ...``.
"""

from __future__ import annotations

import math
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduler.fields import (
    MAX_SECONDS,
    FormatError,
    PlanError,
    Reader,
    ScenarioError,
    item_path,
    join,
    load_json,
    show,
)
from scheduler.locks import check_locks
from scheduler.plans import format_time, load_plan, parse_plan, plan_to_dict, scenario_tzinfo
from scheduler.scenario_writer import scenario_to_dict
from scheduler.travel import EARTH_RADIUS_KM
from scheduler.types import (
    Haversine,
    Interval,
    LatLon,
    Location,
    Lock,
    Matrix,
    MatrixLoc,
    Request,
    Scenario,
    Travel,
    Volunteer,
)

__all__ = [
    "FormatError",
    "PlanError",
    "ScenarioError",
    "format_time",
    "load_plan",
    "load_scenario",
    "parse_plan",
    "parse_scenario",
    "plan_to_dict",
    "scenario_to_dict",
    "scenario_tzinfo",
]

_SCENARIO = Reader(ScenarioError)
ABSENT = object()  # marks an optional field left out, unlike one present as null
HALF_EARTH_KM = math.pi * EARTH_RADIUS_KM  # the longest great-circle distance


# -- scenario -------------------------------------------------------------------------------


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; every problem is a ``ScenarioError`` naming the file."""
    data = load_json(path, ScenarioError, "scenario")
    try:
        return parse_scenario(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def parse_scenario(data: object) -> Scenario:
    """A validated ``Scenario`` from parsed JSON, or ``ScenarioError`` for the first fault."""
    r = _SCENARIO
    top = r.obj(data, "")
    version = r.field(top, "version", "")
    if isinstance(version, bool) or version != 1:
        r.fail("version", f"unsupported version {show(version)} (expected 1)")
    name = r.string(r.field(top, "name", ""), "name")
    timezone = None
    if "timezone" in top:
        timezone = r.string(top["timezone"], "timezone", nonempty=True)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            r.fail("timezone", f"unknown IANA time zone {show(timezone)}")
    travel = _travel(r.field(top, "travel", ""))
    volunteers = tuple(
        _volunteer(item, i, travel)
        for i, item in enumerate(r.array(r.field(top, "volunteers", ""), "volunteers"))
    )
    _unique_ids("volunteers", [v.id for v in volunteers])
    requests = tuple(
        _request(item, i, travel)
        for i, item in enumerate(r.array(r.field(top, "requests", ""), "requests"))
    )
    _unique_ids("requests", [q.id for q in requests])
    locked = _locks(top["locked"]) if "locked" in top else ()
    scenario = Scenario(
        name=name,
        travel=travel,
        volunteers=volunteers,
        requests=requests,
        locked=locked,
        timezone=timezone,
    )
    problem = check_locks(scenario)
    if problem is not None:
        raise ScenarioError(problem)
    return scenario


def _travel(value: object) -> Travel:
    r = _SCENARIO
    obj = r.obj(value, "travel")
    model = r.field(obj, "model", "travel")
    if model == "haversine":
        r.only_keys(obj, {"model", "speed_kmh", "detour_factor"}, "travel")
        speed = r.number(r.field(obj, "speed_kmh", "travel"), "travel.speed_kmh", exclusive=True)
        detour = r.number(
            r.field(obj, "detour_factor", "travel"), "travel.detour_factor", minimum=1.0
        )
        if HALF_EARTH_KM * detour / speed * 3600 > MAX_SECONDS:
            r.fail(
                "travel.speed_kmh",
                f"{speed:g} km/h is too slow: legs could exceed {MAX_SECONDS:g} s",
            )
        return Haversine(speed_kmh=speed, detour_factor=detour)
    if model == "matrix":
        r.only_keys(obj, {"model", "seconds"}, "travel")
        rows = r.array(r.field(obj, "seconds", "travel"), "travel.seconds")
        matrix: list[tuple[float, ...]] = []
        for i, row in enumerate(rows):
            cells = r.array(row, f"travel.seconds[{i}]")
            if len(cells) != len(rows):
                r.fail(
                    f"travel.seconds[{i}]",
                    f"matrix is not square: row has {len(cells)} entries, expected {len(rows)}",
                )
            matrix.append(
                tuple(
                    r.number(c, f"travel.seconds[{i}][{j}]", maximum=MAX_SECONDS)
                    for j, c in enumerate(cells)
                )
            )
        return Matrix(seconds=tuple(matrix))
    r.fail("travel.model", f"unknown travel model {show(model)} (expected haversine or matrix)")


def _location(value: object, path: str, travel: Travel) -> Location:
    r = _SCENARIO
    obj = r.obj(value, path)
    if isinstance(travel, Matrix):
        if "loc" not in obj:
            r.fail(path, 'lat/lon location under the matrix travel model (expected {"loc": i})')
        r.only_keys(obj, {"loc"}, path)
        size = len(travel.seconds)
        loc = r.integer(obj["loc"], join(path, "loc"))
        if loc >= size:
            r.fail(join(path, "loc"), f"index {loc} out of range for a {size}x{size} matrix")
        return MatrixLoc(loc=loc)
    if "loc" in obj:
        r.fail(path, "matrix index location under the haversine travel model (expected lat/lon)")
    r.only_keys(obj, {"lat", "lon"}, path)
    lat = r.number(r.field(obj, "lat", path), join(path, "lat"), minimum=-90.0, maximum=90.0)
    lon = r.number(r.field(obj, "lon", path), join(path, "lon"), minimum=-180.0, maximum=180.0)
    return LatLon(lat=lat, lon=lon)


def _intervals(value: object, path: str) -> tuple[Interval, ...]:
    r = _SCENARIO
    out = []
    for i, item in enumerate(r.array(value, path)):
        where = f"{path}[{i}]"
        obj = r.obj(item, where)
        start = r.time(r.field(obj, "start", where), join(where, "start"))
        end = r.time(r.field(obj, "end", where), join(where, "end"))
        if end < start:
            r.fail(where, f"end {obj['end']} is before start {obj['start']}")
        out.append(Interval(start=start, end=end))
    return tuple(out)


def _identified(value: object, array: str, index: int) -> tuple[dict[str, object], str, str]:
    """The object, its id and the path prefix that names both."""
    r = _SCENARIO
    obj = dict(r.obj(value, f"{array}[{index}]"))
    ident = r.string(r.field(obj, "id", f"{array}[{index}]"), f"{array}[{index}].id", nonempty=True)
    return obj, ident, item_path(array, index, "id", ident)


def _volunteer(value: object, index: int, travel: Travel) -> Volunteer:
    r = _SCENARIO
    obj, ident, path = _identified(value, "volunteers", index)
    # Optional fields may be left out; present, they must have the right type (null too).
    max_visits = obj.get("max_visits_per_shift", ABSENT)
    capacity = obj.get("capacity", ABSENT)
    return Volunteer(
        id=ident,
        location=_location(r.field(obj, "location", path), join(path, "location"), travel),
        skills=frozenset(r.strings(r.field(obj, "skills", path), join(path, "skills"))),
        shifts=_intervals(r.field(obj, "shifts", path), join(path, "shifts")),
        max_visits_per_shift=None
        if max_visits is ABSENT
        else r.integer(max_visits, join(path, "max_visits_per_shift")),
        capacity=None if capacity is ABSENT else r.number(capacity, join(path, "capacity")),
    )


def _request(value: object, index: int, travel: Travel) -> Request:
    r = _SCENARIO
    obj, ident, path = _identified(value, "requests", index)
    windows = obj.get("windows", ABSENT)
    priority = obj.get("priority", ABSENT)
    demand = obj.get("demand", ABSENT)
    received = obj.get("received_at", ABSENT)
    return Request(
        id=ident,
        location=_location(r.field(obj, "location", path), join(path, "location"), travel),
        skills=frozenset(r.strings(r.field(obj, "skills", path), join(path, "skills"))),
        duration_min=r.number(
            r.field(obj, "duration_min", path),
            join(path, "duration_min"),
            maximum=MAX_SECONDS / 60,
        ),
        windows=() if windows is ABSENT else _intervals(windows, join(path, "windows")),
        priority=1
        if priority is ABSENT
        else r.integer(priority, join(path, "priority"), minimum=1, maximum=100),
        demand=1.0 if demand is ABSENT else r.number(demand, join(path, "demand")),
        received_at=None if received is ABSENT else r.time(received, join(path, "received_at")),
    )


def _locks(value: object) -> tuple[Lock, ...]:
    r = _SCENARIO
    out = []
    for i, item in enumerate(r.array(value, "locked")):
        where = f"locked[{i}]"
        obj = r.obj(item, where)
        request = r.string(r.field(obj, "request", where), join(where, "request"), nonempty=True)
        where = item_path("locked", i, "request", request)
        volunteer = r.string(r.field(obj, "volunteer", where), join(where, "volunteer"))
        start = r.time(r.field(obj, "start", where), join(where, "start"))
        out.append(Lock(request=request, volunteer=volunteer, start=start))
    return tuple(out)


def _unique_ids(array: str, ids: list[str]) -> None:
    first: dict[str, int] = {}
    for i, ident in enumerate(ids):
        if ident in first:
            _SCENARIO.fail(
                f"{item_path(array, i, 'id', ident)}.id",
                f"duplicate id {show(ident)} (also {array}[{first[ident]}])",
            )
        first[ident] = i
