"""One component of a ``Problem`` as an OR-Tools routing model (data → variables → constraints
→ objective; the search lives in ``scheduler.search``).

Nodes are the component's requests (0..n-1) followed by one home node per volunteer involved;
vehicles are the component's shifts, each starting and ending at its volunteer's home.

Objective, lexicographic by construction: dropping a request costs ``priority × dominance``,
where ``dominance`` exceeds every other cost any solution can have (all travel, every move
penalty, every fairness penalty together), so no saving ever pays for a lower assigned
priority. Below that come the move penalties of a warm start and fairness, then travel
(arc costs in ticks).
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp

from scheduler.problem import (
    TICKS_PER_SECOND,
    Problem,
    capacity_units,
    demand_units,
    has_capacity,
)

# A re-plan moves an already planned visit to another volunteer only when that saves more
# than this much travel (in ticks: 30 minutes), or when it lets more priority be assigned.
MOVE_PENALTY = 30 * 60 * TICKS_PER_SECOND
# fairness=1.0 charges 10 minutes of travel (in ticks) per visit above a shift's fair share.
FAIRNESS_UNIT = 10 * 60 * TICKS_PER_SECOND


@dataclass
class Model:
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    time: pywrapcp.RoutingDimension
    requests: list[int]  # node -> problem request index
    vehicles: list[int]  # model vehicle -> problem vehicle index


def _cost_bound(travel: list[list[int]], starts: list[int], n: int) -> int:
    """More than the travel of any solution: each node leaves at most once, each vehicle once."""
    longest = [max(row) for row in travel]
    return sum(longest[:n]) + sum(longest[s] for s in starts) + 1


def _windows(model: Model, problem: Problem) -> None:
    # Each request starts inside one of its windows (whole visit inside); gaps removed.
    for node, r in enumerate(model.requests):
        cumul = model.time.CumulVar(model.manager.NodeToIndex(node))
        ranges = problem.starts[r]
        cumul.SetRange(ranges[0][0], ranges[-1][1])
        for (_, gap_lo), (gap_hi, _) in zip(ranges, ranges[1:], strict=False):
            cumul.RemoveInterval(gap_lo + 1, gap_hi - 1)


def _shifts(model: Model, problem: Problem) -> None:
    # Leave home no earlier than the shift start, be back home by its end.
    for k, pk in enumerate(model.vehicles):
        vehicle = problem.vehicles[pk]
        model.time.CumulVar(model.routing.Start(k)).SetRange(vehicle.start, vehicle.end)
        model.time.CumulVar(model.routing.End(k)).SetRange(vehicle.start, vehicle.end)


def _allowed_vehicles(model: Model, problem: Problem) -> None:
    # Skills, room and reach as vehicle domains (-1 = unperformed). SetAllowedVehiclesForIndex
    # fails from Python in ortools 9.15 with a SWIG type error.
    local = {pk: k for k, pk in enumerate(model.vehicles)}
    for node, r in enumerate(model.requests):
        index = model.manager.NodeToIndex(node)
        allowed = [local[pk] for pk in problem.allowed[r] if pk in local]
        model.routing.VehicleVar(index).SetValues([-1, *allowed])


def _locks(model: Model, problem: Problem) -> None:
    # A locked visit keeps its volunteer, shift (via allowed) and start time.
    for node, r in enumerate(model.requests):
        lock = problem.locks.get(r)
        if lock is not None:
            cumul = model.time.CumulVar(model.manager.NodeToIndex(node))
            if cumul.Contains(lock.start):
                cumul.SetValue(lock.start)


def _counts(model: Model, problem: Problem, fairness: float) -> None:
    # Visits per shift: the volunteer's limit, and with fairness a soft fair share.
    volunteers = problem.scenario.volunteers
    limits = [
        volunteers[problem.vehicles[pk].volunteer].max_visits_per_shift for pk in model.vehicles
    ]
    n = len(model.requests)
    if all(limit is None for limit in limits) and fairness <= 0:
        return
    ones = model.routing.RegisterUnaryTransitVector(
        [1] * n + [0] * (model.manager.GetNumberOfNodes() - n)
    )
    caps = [n if limit is None else min(limit, n) for limit in limits]
    model.routing.AddDimensionWithVehicleCapacity(ones, 0, caps, True, "visits")
    if fairness > 0:
        visits = model.routing.GetDimensionOrDie("visits")
        share = -(-n // max(1, len(model.vehicles)))
        for k in range(len(model.vehicles)):
            visits.SetCumulVarSoftUpperBound(
                model.routing.End(k), share, round(fairness * FAIRNESS_UNIT)
            )


def _capacity(model: Model, problem: Problem) -> None:
    # Sum of demand per shift within the volunteer's capacity (load units, safely rounded).
    if not has_capacity(problem, model.vehicles):
        return
    demand = [demand_units(problem, r) for r in model.requests]
    total = sum(demand)
    extra = model.manager.GetNumberOfNodes() - len(demand)
    index = model.routing.RegisterUnaryTransitVector(demand + [0] * extra)
    limits = [capacity_units(problem, pk, total) for pk in model.vehicles]
    model.routing.AddDimensionWithVehicleCapacity(index, 0, limits, True, "capacity")


def _moves(model: Model, problem: Problem, previous: dict[int, int]) -> int:
    """Penalise serving a request planned before (``previous``: request -> volunteer) by
    another volunteer: a per-volunteer count of moved visits, charged through its span."""
    planned = [previous.get(r) for r in model.requests]
    if all(p is None for p in planned):
        return 0
    extra = model.manager.GetNumberOfNodes() - len(planned)
    by_volunteer: dict[int, int] = {}
    evaluators = []
    for pk in model.vehicles:
        v = problem.vehicles[pk].volunteer
        if v not in by_volunteer:
            moved = [int(p is not None and p != v) for p in planned] + [0] * extra
            by_volunteer[v] = model.routing.RegisterUnaryTransitVector(moved)
        evaluators.append(by_volunteer[v])
    model.routing.AddDimensionWithVehicleTransits(evaluators, 0, len(planned), True, "moves")
    model.routing.GetDimensionOrDie("moves").SetSpanCostCoefficientForAllVehicles(MOVE_PENALTY)
    return MOVE_PENALTY * sum(p is not None for p in planned)


def build_model(
    problem: Problem,
    requests: list[int],
    vehicles: list[int],
    *,
    previous: dict[int, int] | None = None,
    fairness: float = 0.0,
) -> Model:
    volunteers = sorted({problem.vehicles[k].volunteer for k in vehicles})
    places = requests + [problem.home(v) for v in volunteers]
    home_node = {v: len(requests) + i for i, v in enumerate(volunteers)}
    starts = [home_node[problem.vehicles[k].volunteer] for k in vehicles]
    manager = pywrapcp.RoutingIndexManager(len(places), len(vehicles), starts, starts)
    routing = pywrapcp.RoutingModel(manager)

    travel = problem.travel[places][:, places].tolist()
    service = [problem.service[r] for r in requests] + [0] * len(volunteers)
    duration = [[t + service[i] for t in row] for i, row in enumerate(travel)]

    # Travel (ticks) is the arc cost; travel + service moves the clock.
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(travel))
    horizon = max(problem.vehicles[k].end for k in vehicles)
    routing.AddDimension(routing.RegisterTransitMatrix(duration), horizon, horizon, False, "time")
    model = Model(manager, routing, routing.GetDimensionOrDie("time"), requests, vehicles)

    _windows(model, problem)
    _shifts(model, problem)
    _allowed_vehicles(model, problem)
    _locks(model, problem)
    _counts(model, problem, fairness)
    _capacity(model, problem)
    move_bound = _moves(model, problem, previous or {})

    # Dropping a request costs more than everything else together, more for higher priority;
    # a locked request costs far more again, so it is only dropped if it cannot be kept.
    fair_bound = round(fairness * FAIRNESS_UNIT) * len(requests)
    dominance = _cost_bound(travel, starts, len(requests)) + move_bound + fair_bound
    top = dominance * (1 + sum(problem.scenario.requests[r].priority for r in requests))
    for node, r in enumerate(requests):
        penalty = top if r in problem.locks else dominance * problem.scenario.requests[r].priority
        routing.AddDisjunction([manager.NodeToIndex(node)], penalty)
    return model
