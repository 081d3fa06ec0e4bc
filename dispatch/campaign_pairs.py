"""Walking in pairs: two volunteers of one team whose shifts overlap walk one list together.

A pair is one walker to the planner: its skills and languages are the union of the two, its
time the overlap of their free time (each one's residents' visits, with the way there and back,
taken out), its start the first volunteer's home (where the two meet). Within a team, pairs are
made greedily, the two with the longest common free time first; a volunteer left without a
partner (odd team, no overlap of at least ``MIN_TOGETHER``) walks alone. Pure: no database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta

from dispatch.campaign_model import Walker, free_shifts
from scheduler.types import Interval

MIN_TOGETHER = timedelta(minutes=60)
SEP = "+"


def _overlap(a: tuple[Interval, ...], b: tuple[Interval, ...]) -> tuple[Interval, ...]:
    out = []
    for x in a:
        for y in b:
            start, end = max(x.start, y.start), min(x.end, y.end)
            if end - start >= timedelta(minutes=10):
                out.append(Interval(start, end))
    return tuple(sorted(out, key=lambda i: i.start))


def _length(pieces: tuple[Interval, ...]) -> timedelta:
    return sum((p.end - p.start for p in pieces), timedelta())


def pair_walkers(walkers: list[Walker], earliest: datetime | None = None) -> list[Walker]:
    """The day's walkers with each team's volunteers paired where their free time overlaps."""
    by_team: dict[str, list[Walker]] = defaultdict(list)
    for walker in walkers:
        by_team[walker.group].append(walker)
    out: list[Walker] = []
    for group in sorted(by_team):
        team = by_team[group]
        free = {w.id: free_shifts(w, earliest) for w in team}
        candidates = sorted(
            (
                (_length(_overlap(free[a.id], free[b.id])), a.id, b.id, a, b)
                for i, a in enumerate(team)
                for b in team[i + 1 :]
            ),
            key=lambda c: (-c[0], c[1], c[2]),
        )
        taken: set[str] = set()
        for together, a_id, b_id, a, b in candidates:
            if together < MIN_TOGETHER or a_id in taken or b_id in taken:
                continue
            taken |= {a_id, b_id}
            # The busy time is already out of the shifts (each one's own way home counted).
            out.append(
                replace(
                    a,
                    id=f"{a_id}{SEP}{b_id}",
                    skills=a.skills | b.skills,
                    shifts=_overlap(free[a_id], free[b_id]),
                    busy=(),
                )  # fmt: skip
            )
        out += [w for w in team if w.id not in taken]
    return out


def walker_ids(walker: str) -> list[int]:
    """Volunteer ids of a walker id ("v3" or "v3+v8"): the first holds the list."""
    return [int(part[1:]) for part in walker.split(SEP)]
