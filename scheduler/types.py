"""Plain dataclasses that map 1:1 to the planning formats (scenario v1, plan v1).

(One field is ours alone: ``Request.excluded_volunteers``.)

See ``shared/formats/README.md``: every time carries an offset; durations are minutes in the
scenario; travel between two places is given by the scenario's travel model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class LatLon:
    lat: float
    lon: float


@dataclass(frozen=True)
class MatrixLoc:
    loc: int


Location = LatLon | MatrixLoc


@dataclass(frozen=True)
class Haversine:
    speed_kmh: float
    detour_factor: float


@dataclass(frozen=True)
class Matrix:
    seconds: tuple[tuple[float, ...], ...]


Travel = Haversine | Matrix


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Volunteer:
    id: str
    location: Location
    skills: frozenset[str]
    shifts: tuple[Interval, ...]
    max_visits_per_shift: int | None = None
    capacity: float | None = None


@dataclass(frozen=True)
class Request:
    id: str
    location: Location
    skills: frozenset[str]
    duration_min: float
    windows: tuple[Interval, ...] = ()
    priority: int = 1
    demand: float = 1.0
    received_at: datetime | None = None
    # Not in the planning formats: volunteers the caller rules out for this request (ours:
    # those who declined it). Reading a scenario file leaves it empty; writing one drops it,
    # which only widens the choice, so a plan made with it is feasible for the file too.
    excluded_volunteers: frozenset[str] = frozenset()

    def servable_by(self, volunteer: Volunteer) -> bool:
        """Whether ``volunteer`` may make this visit at all: every skill, and not ruled out."""
        return self.skills <= volunteer.skills and volunteer.id not in self.excluded_volunteers


@dataclass(frozen=True)
class Lock:
    request: str
    volunteer: str
    start: datetime


@dataclass(frozen=True)
class Scenario:
    name: str
    travel: Travel
    volunteers: tuple[Volunteer, ...]
    requests: tuple[Request, ...]
    locked: tuple[Lock, ...] = ()
    timezone: str | None = None
    version: int = 1


@dataclass(frozen=True)
class Visit:
    request: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Route:
    volunteer: str
    shift: int
    visits: tuple[Visit, ...]


@dataclass(frozen=True)
class Unassigned:
    request: str
    reason: str


@dataclass(frozen=True)
class Objective:
    assigned: int
    assigned_priority: int
    travel_seconds: float


@dataclass(frozen=True)
class Plan:
    scenario: str
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    objective: Objective
    solver: dict[str, Any] = field(default_factory=dict)
    version: int = 1
