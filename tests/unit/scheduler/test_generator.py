"""The commune-day generator: deterministic by seed, valid scenarios of the asked size."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest

from scheduler.checker import check
from scheduler.generator import KHMER, PARTS, VISIT_MINUTES, generate, main
from scheduler.greedy import greedy
from scheduler.io import parse_scenario, scenario_to_dict
from scheduler.types import LatLon

SCHEMA = Path(__file__).resolve().parents[2] / "fixtures" / "formats" / "scenario.schema.json"


def test_same_seed_gives_the_same_scenario_and_another_seed_does_not() -> None:
    assert generate(50, 15, days=1, seed=3) == generate(50, 15, days=1, seed=3)
    assert generate(50, 15, days=1, seed=3) != generate(50, 15, days=1, seed=4)


@pytest.mark.parametrize(("requests", "volunteers", "days"), [(50, 15, 1), (300, 90, 2)])
def test_sizes_ids_and_days_are_as_asked(requests: int, volunteers: int, days: int) -> None:
    scenario = generate(requests, volunteers, days=days, seed=1)
    assert len(scenario.requests) == requests
    assert len(scenario.volunteers) == volunteers
    assert len({r.id for r in scenario.requests}) == requests
    assert len({v.id for v in scenario.volunteers}) == volunteers
    first = min(s.start for v in scenario.volunteers for s in v.shifts).date()
    shift_days = {s.start.date() for v in scenario.volunteers for s in v.shifts}
    window_days = {w.start.date() for r in scenario.requests for w in r.windows}
    expected = {first + timedelta(days=d) for d in range(days)}
    assert shift_days == expected
    assert window_days == expected


def test_everything_is_in_an_giang_with_sane_times_and_skills() -> None:
    scenario = generate(300, 90, days=2, seed=7)
    places = [p.location for p in (*scenario.requests, *scenario.volunteers)]
    for place in places:
        assert isinstance(place, LatLon)
        assert 9.5 <= place.lat <= 10.9 and 104.8 <= place.lon <= 105.7
    known = {*VISIT_MINUTES, KHMER}
    part_bounds = {(s.hour, s.minute) for s, _ in PARTS.values()}
    for volunteer in scenario.volunteers:
        assert 2 <= len(volunteer.skills - {KHMER}) <= 5
        assert volunteer.skills <= known
        assert volunteer.shifts and all(s.start < s.end for s in volunteer.shifts)
        assert all((s.start.hour, s.start.minute) in part_bounds for s in volunteer.shifts)
        assert volunteer.max_visits_per_shift is not None and volunteer.max_visits_per_shift >= 2
    for request in scenario.requests:
        (kind,) = request.skills - {KHMER}
        assert request.duration_min == VISIT_MINUTES[kind]
        assert all(w.end - w.start >= timedelta(hours=2) for w in request.windows)
        assert 1 <= request.priority <= 100


def test_mix_of_khmer_windows_and_priorities_is_realistic() -> None:
    scenario = generate(1000, 300, days=1, seed=0)
    requests = scenario.requests
    khmer = sum(KHMER in r.skills for r in requests) / len(requests)
    assert 0.05 <= khmer <= 0.35
    speakers = sum(KHMER in v.skills for v in scenario.volunteers) / len(scenario.volunteers)
    assert 0.1 <= speakers <= 0.6
    window_counts = Counter(len(r.windows) for r in requests)
    assert 0.05 <= window_counts[0] / len(requests) <= 0.2  # any time
    assert window_counts[1] > window_counts[2] > 0
    priorities = Counter(r.priority for r in requests)
    assert priorities[1] / len(requests) >= 0.6
    assert sum(n for p, n in priorities.items() if p > 1) >= 0.15 * len(requests)
    kinds = Counter(next(iter(r.skills - {KHMER})) for r in requests)
    assert set(kinds) == set(VISIT_MINUTES)


def test_round_trips_through_the_file_format_and_matches_the_schema() -> None:
    scenario = generate(50, 15, days=2, seed=5)
    data = json.loads(json.dumps(scenario_to_dict(scenario)))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert parse_scenario(data) == scenario


def test_cli_writes_a_scenario_file(tmp_path: Path) -> None:
    out = tmp_path / "day.json"
    assert main(["--requests", "20", "--volunteers", "6", "--seed", "2", "-o", str(out)]) == 0
    assert parse_scenario(json.loads(out.read_text(encoding="utf-8"))) == generate(20, 6, seed=2)


def test_a_generated_day_is_plannable_and_mostly_servable() -> None:
    # Shifts hold a little less than every request (see _shifts), but the greedy baseline
    # must still find a feasible plan that serves most of them.
    scenario = generate(50, 15, days=1, seed=0)
    plan = greedy(scenario)
    assert check(scenario, plan) == []
    assert 0.6 * len(scenario.requests) <= plan.objective.assigned < len(scenario.requests)


def test_rejects_impossible_sizes() -> None:
    with pytest.raises(ValueError):
        generate(10, 0)
    with pytest.raises(ValueError):
        generate(10, 3, days=0)
