"""Scenario/plan parsing: every bad input fails with one line naming the field and the id."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.checker import check
from scheduler.greedy import greedy
from scheduler.io import (
    PlanError,
    ScenarioError,
    format_time,
    load_plan,
    load_scenario,
    parse_plan,
    parse_scenario,
    plan_to_dict,
    scenario_to_dict,
    scenario_tzinfo,
)
from scheduler.types import Haversine, LatLon, Matrix, MatrixLoc
from tests.unit.scheduler.scenarios import load_fixture, small_document, stamp

Doc = dict[str, Any]


def put(path: str, value: object) -> Callable[[Doc], None]:
    """A mutation setting ``a.b.0.c`` (numbers index arrays) to ``value``."""

    def mutate(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def drop(path: str) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[last]

    return mutate


def append(path: str, value: object) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        target: Any = doc
        for key in path.split("."):
            target = target[int(key)] if key.isdigit() else target[key]
        target.append(value)

    return mutate


R1 = 'requests[0](id="r1")'
R2 = 'requests[1](id="r2")'
V1 = 'volunteers[0](id="v1")'
V2 = 'volunteers[1](id="v2")'
L0 = 'locked[0](request="r1")'
NAN = float("nan")
INF = float("inf")

# (case id, mutation of small_document(), substrings the one-line message must contain)
BAD_SMALL: list[tuple[str, Callable[[Doc], None], list[str]]] = [
    ("version 2", put("version", 2), ["version", "unsupported version 2"]),
    ("version true", put("version", True), ["version", "unsupported"]),
    ("version missing", drop("version"), ["version", "missing required field"]),
    ("name missing", drop("name"), ["name", "missing required field"]),
    ("name number", put("name", 3), ["name", "expected a string"]),
    ("unknown timezone", put("timezone", "Mars/Olympus"), ["timezone", "Mars/Olympus"]),
    ("travel model", put("travel.model", "osrm"), ["travel.model", "osrm"]),
    ("travel missing", drop("travel"), ["travel", "missing required field"]),
    ("travel extra key", put("travel.speed_kmh", 5), ["travel.speed_kmh", "unknown field"]),
    ("matrix not square", put("travel.seconds.1", [300, 0]), ["travel.seconds[1]", "square"]),
    ("matrix extra row", append("travel.seconds", [1, 2, 3]), ["travel.seconds[0]", "square"]),
    ("matrix NaN", put("travel.seconds.0.1", NAN), ["travel.seconds[0][1]", "finite"]),
    ("matrix inf", put("travel.seconds.2.0", INF), ["travel.seconds[2][0]", "finite"]),
    ("matrix negative", put("travel.seconds.1.0", -1), ["travel.seconds[1][0]", "at least 0"]),
    ("matrix string", put("travel.seconds.1.2", "5"), ["travel.seconds[1][2]", "number"]),
    ("matrix huge", put("travel.seconds.0.1", 1e300), ["travel.seconds[0][1]", "at most 1e+09"]),
    ("loc out of range", put("requests.0.location", {"loc": 3}), [R1, "location.loc", "3"]),
    ("loc negative", put("volunteers.1.location", {"loc": -1}), [V2, "location.loc"]),
    ("loc fractional", put("requests.1.location", {"loc": 1.5}), [R2, "location.loc", "integer"]),
    (
        "lat/lon under matrix",
        put("volunteers.0.location", {"lat": 9.7, "lon": 105.0}),
        [V1, "location", "lat/lon", "matrix"],
    ),
    ("volunteers not array", put("volunteers", {}), ["volunteers", "expected an array"]),
    ("volunteer not object", put("volunteers.1", "v2"), ["volunteers[1]", "expected an object"]),
    ("volunteer id missing", drop("volunteers.1.id"), ["volunteers[1].id", "missing"]),
    ("volunteer id empty", put("volunteers.1.id", ""), ["volunteers[1].id", "empty"]),
    ("volunteer id number", put("volunteers.1.id", 7), ["volunteers[1].id", "string"]),
    ("duplicate volunteer", put("volunteers.1.id", "v1"), ['volunteers[1](id="v1")', "duplicate"]),
    ("duplicate request", put("requests.2.id", "r2"), ['requests[2](id="r2")', "duplicate"]),
    ("skills string", put("volunteers.0.skills", "vneid"), [V1, "skills", "array"]),
    ("skill number", put("requests.0.skills", [1]), [R1, "skills[0]", "string"]),
    ("shifts missing", drop("volunteers.1.shifts"), [V2, "shifts", "missing"]),
    (
        "reversed shift",
        put("volunteers.0.shifts.0", {"start": stamp(60), "end": stamp(0)}),
        [V1, "shifts[0]", "before start"],
    ),
    (
        "reversed window",
        put("requests.0.windows.0", {"start": stamp(90), "end": stamp(30)}),
        [R1, "windows[0]", "before start"],
    ),
    ("shift end missing", drop("volunteers.1.shifts.0.end"), [V2, "shifts[0].end", "missing"]),
    (
        "unparseable timestamp",
        put("requests.0.windows.0.start", "2026-13-40T07:00:00+07:00"),
        [R1, "windows[0].start", "unparseable"],
    ),
    (
        "timestamp without offset",
        put("volunteers.1.shifts.0.start", "2026-11-30T07:00:00"),
        [V2, "shifts[0].start", "no UTC offset"],
    ),
    ("timestamp number", put("requests.0.windows.0.end", 17), [R1, "windows[0].end", "string"]),
    ("received_at bad", put("requests.0.received_at", "yesterday"), [R1, "received_at"]),
    ("duration missing", drop("requests.1.duration_min"), [R2, "duration_min", "missing"]),
    ("duration negative", put("requests.1.duration_min", -5), [R2, "duration_min", "at least"]),
    ("duration NaN", put("requests.1.duration_min", NAN), [R2, "duration_min", "finite"]),
    ("duration string", put("requests.1.duration_min", "30"), [R2, "duration_min", "number"]),
    ("duration bool", put("requests.1.duration_min", True), [R2, "duration_min", "number"]),
    ("duration huge", put("requests.1.duration_min", 1e12), [R2, "duration_min", "at most"]),
    (
        "year 9999",
        put("volunteers.0.shifts.0.end", "9999-12-31T23:59:59+07:00"),
        [V1, "shifts[0].end", "outside the years 1900..2200"],
    ),
    ("priority 0", put("requests.0.priority", 0), [R1, "priority", "at least 1"]),
    ("priority 101", put("requests.0.priority", 101), [R1, "priority", "at most 100"]),
    ("priority 2.5", put("requests.0.priority", 2.5), [R1, "priority", "integer"]),
    ("priority inf", put("requests.0.priority", INF), [R1, "priority", "finite"]),
    ("demand negative", put("requests.0.demand", -1), [R1, "demand"]),
    ("demand inf", put("requests.0.demand", INF), [R1, "demand", "finite"]),
    ("capacity negative", put("volunteers.0.capacity", -0.5), [V1, "capacity"]),
    ("capacity NaN", put("volunteers.0.capacity", NAN), [V1, "capacity", "finite"]),
    ("max visits negative", put("volunteers.0.max_visits_per_shift", -1), [V1, "max_visits"]),
    ("max visits fraction", put("volunteers.0.max_visits_per_shift", 1.5), [V1, "integer"]),
    ("lock unknown request", put("locked.0.request", "r9"), ['locked[0](request="r9")', "r9"]),
    ("lock unknown volunteer", put("locked.0.volunteer", "v9"), [L0, "volunteer", "v9"]),
    ("lock missing start", drop("locked.0.start"), [L0, "start", "missing"]),
    ("lock bad start", put("locked.0.start", "10 am"), [L0, "start", "unparseable"]),
    ("lock outside window", put("locked.0.start", stamp(100)), [L0, "no window", "r1"]),
    ("lock before shift", put("locked.0.start", stamp(2)), [L0, "no shift", "v1"]),
    (
        "lock lacks skill",
        put("locked.0", {"request": "r2", "volunteer": "v2", "start": stamp(10)}),
        ['locked[0](request="r2").volunteer', "v2", "e_payment"],
    ),
    ("lock visit limit", put("volunteers.0.max_visits_per_shift", 0), [L0, "no shift", "v1"]),
    ("lock capacity", put("volunteers.0.capacity", 0.5), [L0, "no shift", "v1"]),
    (
        "two locks on one request",
        append("locked", {"request": "r1", "volunteer": "v2", "start": stamp(30)}),
        ['locked[1](request="r1")', "locked twice"],
    ),
    (
        "clashing locks",
        append("locked", {"request": "r3", "volunteer": "v1", "start": stamp(20)}),
        ['locked[1](request="r3")', "clashes", "v1"],
    ),
    ("locked not array", put("locked", {}), ["locked", "array"]),
    ("capacity null", put("volunteers.0.capacity", None), [V1, "capacity", "got null"]),
    ("windows null", put("requests.0.windows", None), [R1, "windows", "got null"]),
    ("priority null", put("requests.0.priority", None), [R1, "priority", "got null"]),
    ("timezone null", put("timezone", None), ["timezone", "got null"]),
    ("locked null", put("locked", None), ["locked", "got null"]),
]


@pytest.mark.parametrize(
    ("mutate", "needles"), [c[1:] for c in BAD_SMALL], ids=[c[0] for c in BAD_SMALL]
)
def test_bad_scenario_names_field_and_id(
    small_doc: Doc, mutate: Callable[[Doc], None], needles: list[str]
) -> None:
    mutate(small_doc)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(small_doc)
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message


R3E = 'requests[2](id="r3")'
BAD_EXAMPLE: list[tuple[str, Callable[[Doc], None], list[str]]] = [
    ("speed 0", put("travel.speed_kmh", 0), ["travel.speed_kmh", "greater than 0"]),
    ("speed negative", put("travel.speed_kmh", -18), ["travel.speed_kmh"]),
    ("speed tiny", put("travel.speed_kmh", 1e-9), ["travel.speed_kmh", "too slow"]),
    ("detour NaN", put("travel.detour_factor", NAN), ["travel.detour_factor", "finite"]),
    ("detour below 1", put("travel.detour_factor", 0.5), ["travel.detour_factor", "at least 1"]),
    ("speed missing", drop("travel.speed_kmh"), ["travel.speed_kmh", "missing"]),
    ("loc under haversine", put("requests.2.location", {"loc": 0}), [R3E, "location", "matrix"]),
    ("lat too big", put("requests.2.location.lat", 91), [R3E, "location.lat", "at most 90"]),
    ("lon missing", drop("volunteers.3.location.lon"), ['volunteers[3](id="v4")', "lon"]),
    ("lat NaN", put("volunteers.0.location.lat", NAN), ['volunteers[0](id="v1")', "finite"]),
]


@pytest.mark.parametrize(
    ("mutate", "needles"), [c[1:] for c in BAD_EXAMPLE], ids=[c[0] for c in BAD_EXAMPLE]
)
def test_bad_haversine_scenario_names_field_and_id(
    example_doc: Doc, mutate: Callable[[Doc], None], needles: list[str]
) -> None:
    mutate(example_doc)
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(example_doc)
    for needle in needles:
        assert needle in str(caught.value)


@pytest.mark.parametrize("data", [[], "x", None, 3])
def test_top_level_must_be_an_object(data: object) -> None:
    with pytest.raises(ScenarioError, match=r"^\(top level\): expected an object"):
        parse_scenario(data)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty scenario file"),
        ("  \n\t", "empty scenario file"),
        ('{"version": 1,', "not valid JSON at line 1"),
        ("nonsense", "not valid JSON"),
        ('{"version": 1, "name": "x", "travel": NaN}', "travel: expected an object"),
    ],
)
def test_load_scenario_file_problems(tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert needle in str(caught.value)
    assert "\n" not in str(caught.value)


def test_load_scenario_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(small_document()).encode())
    assert load_scenario(path).name == "small"


def test_load_scenario_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_bytes(b'{"name": "\xff"}')
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        load_scenario(path)


def test_load_scenario_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        load_scenario(tmp_path / "absent.json")


def test_nan_literal_in_matrix_file(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    text = (
        '{"version": 1, "name": "n", "travel": {"model": "matrix", "seconds": [[0, NaN], [1, 0]]},'
        ' "volunteers": [], "requests": []}'
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"travel\.seconds\[0\]\[1\]: not a finite number"):
        load_scenario(path)


def test_small_document_parses_with_defaults(small_doc: Doc) -> None:
    scenario = parse_scenario(small_doc)
    r2, r3 = scenario.requests[1], scenario.requests[2]
    assert isinstance(scenario.travel, Matrix)
    assert scenario.travel.seconds[0][2] == 600.0
    assert r2.windows == () and r2.priority == 1 and r2.demand == 1.0
    assert r3.skills == frozenset() and r3.received_at is None
    assert scenario.volunteers[1].max_visits_per_shift is None
    assert scenario.volunteers[0].capacity == 10.0
    assert scenario.requests[0].location == MatrixLoc(1)
    assert scenario.locked[0].start == datetime(
        2026, 11, 30, 7, 10, tzinfo=timezone(timedelta(hours=7))
    )


def test_locked_is_optional(small_doc: Doc) -> None:
    del small_doc["locked"]
    assert parse_scenario(small_doc).locked == ()


def test_zulu_timestamps_are_accepted(small_doc: Doc) -> None:
    small_doc["requests"][1]["windows"] = [
        {"start": "2026-11-30T00:00:00Z", "end": "2026-11-30T04:00:00Z"}
    ]
    window = parse_scenario(small_doc).requests[1].windows[0]
    assert window.start.utcoffset() == timedelta(0)


def test_example_round_trips_and_matches_schema(example_doc: Doc, scenario_validator: Any) -> None:
    scenario = parse_scenario(example_doc)
    assert isinstance(scenario.travel, Haversine)
    assert scenario.volunteers[0].location == LatLon(9.708332, 104.959637)
    again = scenario_to_dict(scenario)
    scenario_validator.validate(again)
    assert parse_scenario(again) == scenario


def test_small_document_round_trips(small_doc: Doc, scenario_validator: Any) -> None:
    scenario_validator.validate(small_doc)
    scenario = parse_scenario(small_doc)
    assert parse_scenario(scenario_to_dict(scenario)) == scenario


def test_format_time_whole_seconds_with_offset() -> None:
    ict = timezone(timedelta(hours=7))
    moment = datetime(2026, 11, 30, 1, 2, 3, 600_000, tzinfo=UTC)
    assert format_time(moment) == "2026-11-30T01:02:04+00:00"
    assert format_time(moment, ict) == "2026-11-30T08:02:04+07:00"
    assert format_time(moment.replace(microsecond=400_000)) == "2026-11-30T01:02:03+00:00"
    with pytest.raises(ValueError, match="naive"):
        format_time(datetime(2026, 11, 30))


def test_scenario_tzinfo_prefers_the_named_zone(small_doc: Doc) -> None:
    scenario = parse_scenario(small_doc)
    moment = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    assert moment.astimezone(scenario_tzinfo(scenario)).utcoffset() == timedelta(hours=7)
    del small_doc["timezone"]
    for shift in small_doc["volunteers"][0]["shifts"]:
        shift["start"] = "2026-11-30T02:00:00+02:00"
    assert scenario_tzinfo(parse_scenario(small_doc)).utcoffset(None) == timedelta(hours=2)


def test_example_plan_round_trips(plan_validator: Any) -> None:
    data = load_fixture("example-plan.json")
    plan = parse_plan(data)
    assert plan.objective.travel_seconds == 12752.4
    assert plan.routes[0].visits[0].request == "r4"
    again = plan_to_dict(plan, tz=timezone(timedelta(hours=7)))
    plan_validator.validate(again)
    assert again["routes"] == data["routes"]
    assert again["unassigned"] == data["unassigned"]
    assert parse_plan(again) == plan


BAD_PLAN: list[tuple[str, Callable[[Doc], None], list[str]]] = [
    ("version", put("version", 3), ["version", "unsupported"]),
    ("objective missing", drop("objective"), ["objective", "missing"]),
    ("objective NaN", put("objective.travel_seconds", NAN), ["objective.travel_seconds"]),
    ("routes object", put("routes", {}), ["routes", "array"]),
    ("shift negative", put("routes.1.shift", -1), ['routes[1](volunteer="v1").shift']),
    (
        "visit start bad",
        put("routes.0.visits.1.start", "07:28"),
        ['routes[0](volunteer="v1").visits[1](request="r6").start', "unparseable"],
    ),
    (
        "visit end naive",
        put("routes.2.visits.0.end", "2026-11-30T14:48:25"),
        ['routes[2](volunteer="v2").visits[0](request="r2").end', "offset"],
    ),
    ("reason missing", drop("unassigned.1.reason"), ['unassigned[1](request="r11").reason']),
]


@pytest.mark.parametrize(
    ("mutate", "needles"), [c[1:] for c in BAD_PLAN], ids=[c[0] for c in BAD_PLAN]
)
def test_bad_plan_names_field(mutate: Callable[[Doc], None], needles: list[str]) -> None:
    data = load_fixture("example-plan.json")
    mutate(data)
    with pytest.raises(PlanError) as caught:
        parse_plan(data)
    for needle in needles:
        assert needle in str(caught.value)


def test_load_plan_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text("", encoding="utf-8")
    with pytest.raises(PlanError, match="empty plan file"):
        load_plan(path)


PLAUSIBLE = st.sampled_from(
    [0, 1, -1, 2, 3, 100, 101, 0.5, 1e300, "", "v1", "r1", "2026-11-30T07:30:00+07:00", [], {}]
)
JSON = PLAUSIBLE | st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Every place in a document, containers and leaves alike."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, (*prefix, index))
    return out


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_broken_field_is_a_scenario_error_or_a_valid_scenario(data: st.DataObject) -> None:
    """Never anything but ScenarioError, and what parses can be planned and checked."""
    doc = small_document()
    for _ in range(data.draw(st.integers(1, 3))):
        *parents, last = data.draw(st.sampled_from(_paths(doc)))
        target: Any = doc
        for key in parents:
            target = target[key]
        if isinstance(target, dict) and data.draw(st.booleans()):
            del target[last]
        else:
            target[last] = data.draw(JSON)
        if not _paths(doc):
            break
    try:
        scenario = parse_scenario(doc)
    except ScenarioError as error:
        assert "\n" not in str(error) and str(error)
        return
    assert check(scenario, greedy(scenario)) == []
