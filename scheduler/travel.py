"""Travel time between two places under a scenario's travel model (formats README)."""

from __future__ import annotations

import math

from scheduler.types import Haversine, LatLon, Location, Matrix, MatrixLoc, Travel

EARTH_RADIUS_KM = 6371.0088


def great_circle_km(a: LatLon, b: LatLon) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def travel_seconds(travel: Travel, a: Location, b: Location) -> float:
    """Seconds from ``a`` to ``b``; the locations must match the travel model."""
    if isinstance(travel, Haversine):
        if not (isinstance(a, LatLon) and isinstance(b, LatLon)):
            raise TypeError("haversine travel needs lat/lon locations")
        km = great_circle_km(a, b)
        return km * travel.detour_factor / travel.speed_kmh * 3600.0
    if isinstance(travel, Matrix):
        if not (isinstance(a, MatrixLoc) and isinstance(b, MatrixLoc)):
            raise TypeError("matrix travel needs {loc: i} locations")
        return float(travel.seconds[a.loc][b.loc])
    raise TypeError(f"unknown travel model {travel!r}")
