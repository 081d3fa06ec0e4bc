"""The TRSP conversion of ``bench.trsp`` (rule of ``shared/bench/trsp/README.md``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bench.trsp import TECHNICIANS, to_scenario
from scheduler.checker import check
from scheduler.greedy import greedy

HEAD = """X101.100_25-5-5-5

INFO
CREW COUNT  SKILLS  TOOLS   SPARE PARTS
25      5       5       5

DEPOT TECHNICIANS AND REQUESTS
ID   X     Y     TWS    TWE    Serv   SKILLS   TOOLS    SPARE PARTS
0    40    50    0      1236   0      [] \t[] \t[]
"""


def _instance(requests: list[str]) -> str:
    technicians = [
        f"{i}    {i}    0    0      1236   0      [0,1] \t[{i % 2}] \t[0,0,0,0,0]"
        for i in range(1, TECHNICIANS + 1)
    ]
    return HEAD + "\n".join(technicians + requests) + "\n"


def test_rows_become_technicians_and_requests() -> None:
    text = _instance([
        "26   3    4     100    110    90     [1] \t[1] \t[1,0,1,0,0]",
        "27   6    8     0      50     10     [0] \t[] \t[0,0,0,0,0]",
    ])  # fmt: skip
    s = to_scenario("X101", text)
    assert len(s.volunteers) == TECHNICIANS and len(s.requests) == 2
    first, second = s.requests
    assert first.skills == {"s:1", "tool:1"} and second.skills == {"s:0"}
    assert s.volunteers[0].skills == {"s:0", "s:1", "tool:1"}
    # The window bounds the start of service: the whole visit may end Serv minutes later.
    (window,) = first.windows
    assert window.end - window.start == timedelta(minutes=10 + 90)
    assert first.duration_min == 90 and first.priority == 1
    # Technician 1 lives at (1, 0), request r26 at (3, 4): 60 s per unit of distance.
    home, place = s.volunteers[0].location, first.location
    assert s.travel.seconds[home.loc][place.loc] == pytest.approx(60 * (2**2 + 4**2) ** 0.5)
    assert check(s, greedy(s)) == []


def test_a_file_without_requests_is_refused() -> None:
    with pytest.raises(ValueError, match="expected technicians and requests"):
        to_scenario("X101", _instance([]))
