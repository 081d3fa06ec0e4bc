"""Every pair of statuses: allowed moves succeed, every other move raises."""

from __future__ import annotations

import itertools

import pytest

from dispatch.states import (
    ASSIGNMENT_TRANSITIONS,
    REQUEST_TRANSITIONS,
    AssignmentStatus,
    IllegalTransition,
    RequestStatus,
    transition,
)

# The allowed moves written out here, not read from the table under test: a change to
# dispatch/states.py that adds or drops a move must be made in both places on purpose.
ALLOWED_REQUEST_MOVES = {
    ("open", "offered"),
    ("open", "scheduled"),
    ("open", "cancelled"),
    ("offered", "open"),  # declined, expired or withdrawn: back to the planner
    ("offered", "scheduled"),
    ("offered", "cancelled"),
    ("scheduled", "open"),
    ("scheduled", "offered"),
    ("scheduled", "in_progress"),
    ("scheduled", "done"),
    ("scheduled", "cancelled"),
    ("in_progress", "open"),
    ("in_progress", "done"),
    ("in_progress", "cancelled"),
}
ALLOWED_ASSIGNMENT_MOVES = {
    ("offered", "accepted"),
    ("offered", "declined"),
    ("offered", "expired"),
    ("offered", "withdrawn"),
    ("accepted", "in_progress"),
    ("accepted", "done"),
    ("accepted", "declined"),  # backs out after accepting
    ("accepted", "withdrawn"),
    ("in_progress", "done"),
    ("in_progress", "withdrawn"),
}

REQUEST_PAIRS = list(itertools.product(RequestStatus, RequestStatus))
ASSIGNMENT_PAIRS = list(itertools.product(AssignmentStatus, AssignmentStatus))


def test_tables_cover_every_status() -> None:
    assert set(REQUEST_TRANSITIONS) == set(RequestStatus)
    assert set(ASSIGNMENT_TRANSITIONS) == set(AssignmentStatus)


@pytest.mark.parametrize(("current", "target"), REQUEST_PAIRS, ids=lambda s: str(s))
def test_request_pair(current: RequestStatus, target: RequestStatus) -> None:
    if (current.value, target.value) in ALLOWED_REQUEST_MOVES:
        assert transition(current, target) is target
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(current, target)
        assert info.value.what == "request"
        assert str(current) in str(info.value) and str(target) in str(info.value)


@pytest.mark.parametrize(("current", "target"), ASSIGNMENT_PAIRS, ids=lambda s: str(s))
def test_assignment_pair(current: AssignmentStatus, target: AssignmentStatus) -> None:
    if (current.value, target.value) in ALLOWED_ASSIGNMENT_MOVES:
        assert transition(current, target) is target
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(current, target)
        assert info.value.what == "assignment"


def test_expected_moves_and_final_states() -> None:
    R, A = RequestStatus, AssignmentStatus
    allowed = sum(len(v) for v in REQUEST_TRANSITIONS.values())
    assert allowed == 14
    assert transition(R.OPEN, R.OFFERED) is R.OFFERED
    assert transition(R.OFFERED, R.SCHEDULED) is R.SCHEDULED
    assert transition(R.IN_PROGRESS, R.DONE) is R.DONE
    assert REQUEST_TRANSITIONS[R.DONE] == frozenset()
    assert REQUEST_TRANSITIONS[R.CANCELLED] == frozenset()
    for final in (A.DONE, A.DECLINED, A.EXPIRED, A.WITHDRAWN):
        assert ASSIGNMENT_TRANSITIONS[final] == frozenset()
    for status in RequestStatus:  # a self-move is never a transition
        assert status not in REQUEST_TRANSITIONS[status]


def test_statuses_of_different_machines_do_not_mix() -> None:
    with pytest.raises(IllegalTransition):
        transition(RequestStatus.OPEN, AssignmentStatus.OFFERED)  # type: ignore[type-var]


def test_string_values_are_stable() -> None:
    assert [s.value for s in RequestStatus] == [
        "open",
        "offered",
        "scheduled",
        "in_progress",
        "done",
        "cancelled",
    ]
    assert RequestStatus("offered") is RequestStatus.OFFERED


def test_illegal_transition_is_a_domain_error() -> None:
    from dispatch.errors import DomainError
    from dispatch.services import DomainError as ServicesDomainError

    assert ServicesDomainError is DomainError
    with pytest.raises(DomainError):
        transition(RequestStatus.DONE, RequestStatus.OPEN)
