from scheduler.reasons import (
    ALL_FULL,
    NO_SHIFT_OVERLAP,
    OUT_OF_REACH,
    can_ever_serve,
    explain_unassigned,
    reason_for,
)
from scheduler.types import Unassigned
from tests.unit.scheduler.build import line_matrix, request, scenario, volunteer

# Places on a line, one minute apart: 0 home, 1 near, 2 a bit further, 3 = 60 min away.
MATRIX = line_matrix([0, 1, 2, 60])


def test_names_the_one_missing_skill() -> None:
    s = scenario(MATRIX, [volunteer("v", 0, {"vneid"})], [request("r", 1, {"e_payment"})])
    assert reason_for(s, s.requests[0]) == "no volunteer has skill e_payment"


def test_names_every_missing_skill_sorted() -> None:
    s = scenario(
        MATRIX, [volunteer("v", 0, {"vneid"})], [request("r", 1, {"vneid", "lang:km", "b"})]
    )
    assert reason_for(s, s.requests[0]) == "no volunteer has skills b, lang:km"


def test_skills_present_but_never_together() -> None:
    s = scenario(
        MATRIX,
        [volunteer("v1", 0, {"a"}), volunteer("v2", 0, {"b"})],
        [request("r", 1, {"a", "b"})],
    )
    assert reason_for(s, s.requests[0]) == "no volunteer has all of skills a, b"


def test_window_outside_every_skilled_shift() -> None:
    # The unskilled volunteer works in the window; the skilled one does not.
    s = scenario(
        MATRIX,
        [volunteer("v1", 0, {"a"}, [(0, 240)]), volunteer("v2", 0, set(), [(300, 480)])],
        [request("r", 1, {"a"}, windows=[(300, 400)])],
    )
    assert reason_for(s, s.requests[0]) == NO_SHIFT_OVERLAP


def test_overlap_too_short_for_the_whole_visit() -> None:
    s = scenario(
        MATRIX,
        [volunteer("v", 0, shifts=[(0, 100)])],
        [request("r", 1, duration=30, windows=[(80, 200)])],
    )
    assert reason_for(s, s.requests[0]) == NO_SHIFT_OVERLAP


def test_out_of_reach_when_travel_does_not_fit() -> None:
    # 60 min out + 30 min visit + 60 min back > 120 min shift, though the window overlaps.
    s = scenario(MATRIX, [volunteer("v", 0, shifts=[(0, 120)])], [request("r", 3, duration=30)])
    assert reason_for(s, s.requests[0]) == OUT_OF_REACH


def test_trip_home_counts_for_reach() -> None:
    # Fits going out (60 + 30 <= 120) but not the way back.
    s = scenario(
        MATRIX,
        [volunteer("v", 0, shifts=[(0, 149)])],
        [request("r", 3, duration=30)],
    )
    assert reason_for(s, s.requests[0]) == OUT_OF_REACH
    roomy = scenario(MATRIX, [volunteer("v", 0, shifts=[(0, 150)])], [request("r", 3, duration=30)])
    assert reason_for(roomy, roomy.requests[0]) == ALL_FULL


def test_full_when_it_would_fit_alone() -> None:
    s = scenario(MATRIX, [volunteer("v", 0)], [request("r", 1)])
    assert reason_for(s, s.requests[0]) == ALL_FULL


def test_full_names_limits_when_no_room_at_all() -> None:
    s = scenario(MATRIX, [volunteer("v", 0, capacity=1)], [request("r", 1, demand=2)])
    assert reason_for(s, s.requests[0]).startswith(ALL_FULL)
    assert "capacity" in reason_for(s, s.requests[0])
    zero = scenario(MATRIX, [volunteer("v", 0, max_visits=0)], [request("r", 1)])
    assert reason_for(zero, zero.requests[0]).startswith(ALL_FULL)


def test_explain_keeps_order_and_ids() -> None:
    s = scenario(
        MATRIX,
        [volunteer("v", 0, {"a"})],
        [request("r1", 1, {"x"}), request("r2", 1, {"a"})],
    )
    assert explain_unassigned(s, ["r2", "r1"]) == (
        Unassigned("r2", ALL_FULL),
        Unassigned("r1", "no volunteer has skill x"),
    )


def test_can_ever_serve_lists_fitting_shifts() -> None:
    v = volunteer("v", 0, {"a"}, shifts=[(0, 100), (200, 400)])
    s = scenario(MATRIX, [v], [request("r", 1, {"a"}, windows=[(250, 300)])])
    assert can_ever_serve(s, v, s.requests[0]) == [1]
    assert can_ever_serve(s, volunteer("w", 0), s.requests[0]) == []
