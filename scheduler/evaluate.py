"""The plan objective of the formats README, recomputed from the routes.

Lexicographic: first ``assigned_priority`` (sum of the priorities of routed requests, higher is
better), then ``travel_seconds`` (every leg of every route, the trip home included, lower is
better). Travel is the exact float sum; nothing is rounded here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from scheduler.travel import travel_seconds
from scheduler.types import Location, Objective, Request, Route, Scenario, Volunteer


def volunteers_by_id(scenario: Scenario) -> dict[str, Volunteer]:
    return {volunteer.id: volunteer for volunteer in scenario.volunteers}


def requests_by_id(scenario: Scenario) -> dict[str, Request]:
    return {request.id: request for request in scenario.requests}


def path_travel(scenario: Scenario, home: Location, stops: Sequence[Location]) -> float:
    """Seconds of a round trip from ``home`` through ``stops`` and back; 0 with no stops."""
    if not stops:
        return 0.0
    places = [home, *stops, home]
    return sum(
        travel_seconds(scenario.travel, a, b) for a, b in zip(places, places[1:], strict=False)
    )


def route_travel(
    scenario: Scenario,
    route: Route,
    volunteers: Mapping[str, Volunteer],
    requests: Mapping[str, Request],
) -> float:
    if not route.visits:
        return 0.0
    home = volunteers[route.volunteer].location
    return path_travel(scenario, home, [requests[v.request].location for v in route.visits])


def objective(scenario: Scenario, routes: Iterable[Route]) -> Objective:
    """Recompute the objective of ``routes``; every id in them must exist in ``scenario``."""
    volunteers = volunteers_by_id(scenario)
    requests = requests_by_id(scenario)
    assigned = 0
    priority = 0
    travel = 0.0
    for route in routes:
        travel += route_travel(scenario, route, volunteers, requests)
        for visit in route.visits:
            assigned += 1
            priority += requests[visit.request].priority
    return Objective(assigned=assigned, assigned_priority=priority, travel_seconds=travel)


def better(a: Objective, b: Objective) -> bool:
    """True when ``a`` is strictly better than ``b`` under the lexicographic objective."""
    if a.assigned_priority != b.assigned_priority:
        return a.assigned_priority > b.assigned_priority
    return a.travel_seconds < b.travel_seconds
