"""Search on one routing model: parameters, warm start, and reading the routes back."""

from __future__ import annotations

from dataclasses import dataclass

from ortools.constraint_solver import (
    pywrapcp,
    routing_enums_pb2,
    routing_heuristic_parameters_pb2,
    routing_ils_pb2,
)
from ortools.util import optional_boolean_pb2

from scheduler.model import Model

STATUS_NAMES = {
    0: "not_solved",
    1: "success",
    2: "partial_success",
    3: "fail",
    4: "fail_timeout",
    5: "invalid",
    6: "infeasible",
    7: "optimal",
}
# Operators switched off: the insertion-based path LNS, Lin-Kernighan, subtrip and pair
# operators cost most of the time on commune days (many shifts, few visits each) and found
# little; without them a 300-request day reached 405 vs 398 assigned priority and 8% less
# travel in the same 10 s.
SLOW_OPERATORS = (
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_lin_kernighan",
    "use_shortest_path_swap_active",
    "use_swap_active_chain",
    "use_shortest_path_two_opt",
    "use_relocate_subtrip",
    "use_exchange_subtrip",
    "use_relocate_pair",
    "use_exchange_pair",
    "use_light_relocate_pair",
)
# Operators switched on: they insert a left-out request while moving or swapping another, the
# moves that raise assigned priority once simple insertions are exhausted (three 300-request
# days, 15 s: 1,242 assigned priority against 1,231 without them, at some cost in travel).
PRIORITY_OPERATORS = (
    "use_extended_swap_active",
    "use_relocate_and_make_active",
    "use_exchange_and_make_active",
)
GLS_LAMBDA = 0.3
# Ruin and recreate (OR-Tools' iterated local search: string removals as in SISR, local
# cheapest insertion, a descent after each, simulated annealing on the cost in ticks). On
# Solomon 100 at 10 s (R101, R201, RC101, RC201) it ended 0.0-2.4% above PyVRP against
# 1.7-3.7% for guided local search; removing 20 visits in strings of up to 15 beat 10 and 10
# (mean 1.0% against 1.7% above PyVRP) and 30 and 20 (1.4%).
RUIN_AVERAGE_VISITS = 20
RUIN_LONGEST_STRING = 15
RUIN_BYPASS = 0.01
ANNEALING_TEMPERATURES = (600.0, 6.0)  # first and last, ticks of travel
FirstSolution = routing_enums_pb2.FirstSolutionStrategy
Metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic
Sorting = routing_heuristic_parameters_pb2.LocalCheapestInsertionParameters


@dataclass(frozen=True)
class Outcome:
    routes: list[list[int]] | None  # per model vehicle, problem request indexes; None = nothing
    status: str
    warm: bool  # started from the given routes


def parameters(
    time_limit_s: float,
    first_solution: int = FirstSolution.LOCAL_CHEAPEST_INSERTION,
) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first_solution
    # Insert the highest priority first, the fewest possible shifts breaking ties: on three
    # 300-request days (15 s) 1,242 assigned priority against 1,236 for parallel cheapest
    # insertion; the same on Solomon (all priorities 1).
    params.local_cheapest_insertion_parameters.insertion_sorting_properties[:] = [
        Sorting.SORTING_PROPERTY_PENALTY,
        Sorting.SORTING_PROPERTY_ALLOWED_VEHICLES,
    ]
    params.local_search_metaheuristic = Metaheuristic.GUIDED_LOCAL_SEARCH
    # Stronger arc penalties than the default 0.1 leave local optima sooner: Solomon 100 at
    # 10 s (R101, RC101, R201, RC201) mean gap to the optimum 2.5% against 3.7%; 300-request
    # commune days 1-2% less travel at the same priority.
    params.guided_local_search_lambda_coefficient = GLS_LAMBDA
    for name in SLOW_OPERATORS:
        setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_FALSE)
    for name in PRIORITY_OPERATORS:
        setattr(params.local_search_operators, name, optional_boolean_pb2.BOOL_TRUE)
    params.time_limit.FromMilliseconds(max(1, round(time_limit_s * 1000)))
    return params


def ruin_and_recreate(params: pywrapcp.RoutingSearchParameters) -> None:
    """Switch ``params`` to iterated local search (for ``SolveWithIteratedLocalSearch``)."""
    params.local_search_metaheuristic = Metaheuristic.GREEDY_DESCENT
    params.use_iterated_local_search = True
    ils = params.iterated_local_search_parameters
    ruin = ils.ruin_recreate_parameters
    del ruin.ruin_strategies[:]
    strings = ruin.ruin_strategies.add().sisr
    strings.avg_num_removed_visits = RUIN_AVERAGE_VISITS
    strings.max_removed_sequence_size = RUIN_LONGEST_STRING
    strings.bypass_factor = RUIN_BYPASS
    ruin.ruin_composition_strategy = routing_ils_pb2.RuinCompositionStrategy.RUN_ONE_RANDOMLY
    annealing = ils.reference_solution_acceptance_strategy.simulated_annealing
    annealing.initial_temperature, annealing.final_temperature = ANNEALING_TEMPERATURES


def _initial(
    model: Model, routes: list[list[int]], params: pywrapcp.RoutingSearchParameters
) -> pywrapcp.Assignment | None:
    """An assignment from ``routes`` (problem request indexes per model vehicle), or None when
    the routes break a constraint of this model."""
    node = {r: i for i, r in enumerate(model.requests)}
    indexes = [[model.manager.NodeToIndex(node[r]) for r in route if r in node] for route in routes]
    model.routing.CloseModelWithParameters(params)
    assignment: pywrapcp.Assignment | None = model.routing.ReadAssignmentFromRoutes(indexes, True)
    return assignment


def read_routes(model: Model, solution: pywrapcp.Assignment) -> list[list[int]]:
    routes: list[list[int]] = []
    for k in range(len(model.vehicles)):
        route: list[int] = []
        index = model.routing.Start(k)
        index = solution.Value(model.routing.NextVar(index))
        while not model.routing.IsEnd(index):
            route.append(model.requests[model.manager.IndexToNode(index)])
            index = solution.Value(model.routing.NextVar(index))
        routes.append(route)
    return routes


def run(
    model: Model,
    time_limit_s: float,
    *,
    seed: int = 0,
    start: list[list[int]] | None = None,
    first_solution: int = FirstSolution.LOCAL_CHEAPEST_INSERTION,
    descent: bool = False,
    iterated: bool = False,
) -> Outcome:
    """Search for ``time_limit_s`` seconds, from ``start`` routes when they are feasible; with
    ``descent``, stop at the first local optimum instead (plain descent, no guided search);
    with ``iterated`` (and no ``start``: OR-Tools' iterated search builds its own first
    solution), ruin and recreate instead of guided local search."""
    model.routing.solver().ReSeed(seed)
    params = parameters(time_limit_s, first_solution)
    if descent:
        params.local_search_metaheuristic = Metaheuristic.GREEDY_DESCENT
    initial = _initial(model, start, params) if start is not None else None
    iterated = iterated and start is None
    if initial is not None:
        solution = model.routing.SolveFromAssignmentWithParameters(initial, params)
    elif iterated:
        ruin_and_recreate(params)
        solution = model.routing.SolveWithIteratedLocalSearch(params)
    else:
        solution = model.routing.SolveWithParameters(params)
    status = STATUS_NAMES.get(model.routing.status(), str(model.routing.status()))
    if iterated:  # the iterated search leaves the model's status unset
        status = "success" if solution is not None else "fail"
    if solution is None:
        return Outcome(None, status, initial is not None)
    return Outcome(read_routes(model, solution), status, initial is not None)
