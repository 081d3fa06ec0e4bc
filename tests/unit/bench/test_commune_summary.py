"""The summary of ``bench.commune``: a day counts as better than VROOM's under the formats'
objective (priority first), and separately when it is no worse on both counts."""

from __future__ import annotations

from bench.commune import _summary


def test_better_is_priority_first_and_both_needs_no_more_travel() -> None:
    # (priority diff to VROOM, travel ratio to VROOM) per seed
    days = [(0, 0.95), (0, 1.02), (3, 1.05), (2, 0.99), (-1, 0.90)]
    row = _summary({(120, 30, 1): days}).splitlines()[-1]
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[:4] == ["120/30", "1", "5", "-1"]
    assert cells[-2:] == ["3/5", "2/5"]
