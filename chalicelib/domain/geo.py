"""Geometry of service and routing areas, in pure Python: is a point inside a GeoJSON (Multi)Polygon?

An even-odd ray cast, holes included; a bounding box, a planar area to rank nested areas, and a point
surely inside one. Shapely would do all this too, but it brings numpy (about 18 MB zipped, 56 MB
unpacked) into every Lambda and ~40 ms of imports into a cold request, for tests of one point against a
few hundred vertices. Shapely is kept for what it is needed for: checking uploaded polygons are valid
(``adapters/polygons.py``, in its own function and layer).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Ring = list[list[float]]
# Given GeoJSON (Multi)Polygon geometries, why each is not a valid polygon (None when it is): shapely's
# verdict, asked of the function that has it (adapters/geometry_check.py), passed in by services.
GeometryCheck = Callable[[list[dict[str, Any]]], list[str | None]]


def _in_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i][0], ring[i][1]
        x2, y2 = ring[(i + 1) % n][0], ring[(i + 1) % n][1]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x_cross:
                inside = not inside
    return inside


def _in_polygon(lon: float, lat: float, rings: list[Ring]) -> bool:
    if not rings or not _in_ring(lon, lat, rings[0]):
        return False
    return not any(_in_ring(lon, lat, hole) for hole in rings[1:])


def contains(area: dict[str, Any], lat: float, lon: float) -> bool:
    """True when (lat, lon) lies inside the GeoJSON Polygon or MultiPolygon ``area``."""
    kind = area.get("type")
    coords = area.get("coordinates") or []
    if kind == "Polygon":
        return _in_polygon(lon, lat, coords)
    if kind == "MultiPolygon":
        return any(_in_polygon(lon, lat, poly) for poly in coords)
    raise ValueError(f"unsupported service area geometry {kind!r}")


def _polygons(area: dict[str, Any]) -> list[list[Ring]]:
    kind = area.get("type")
    coords = area.get("coordinates") or []
    if kind == "Polygon":
        return [coords]
    if kind == "MultiPolygon":
        return list(coords)
    raise ValueError(f"unsupported service area geometry {kind!r}")


def bounds(area: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of the outer rings."""
    points = [p for polygon in _polygons(area) if polygon for p in polygon[0]]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def _ring_area(ring: Ring) -> float:
    twice = sum(ring[i][0] * ring[(i + 1) % len(ring)][1] - ring[(i + 1) % len(ring)][0] * ring[i][1]
                for i in range(len(ring)))
    return abs(twice) / 2


def planar_area(area: dict[str, Any]) -> float:
    """Area in square degrees (shoelace, holes subtracted): enough to tell which of two areas is smaller."""
    return sum(_ring_area(polygon[0]) - sum(_ring_area(hole) for hole in polygon[1:])
               for polygon in _polygons(area) if polygon)


def interior_point(area: dict[str, Any]) -> tuple[float, float]:
    """A point (lat, lon) surely inside the area, for an address that names it.

    On the horizontal line through the middle of the largest polygon's outline, the midpoint of the
    widest stretch that lies inside (between two crossings of the polygon's edges, holes included).
    """
    polygon = max((p for p in _polygons(area) if p), key=lambda p: _ring_area(p[0]))
    lats = [point[1] for point in polygon[0]]
    lat = (min(lats) + max(lats)) / 2
    if any(point[1] == lat for ring in polygon for point in ring):
        lat += (max(lats) - min(lats)) * 1e-6  # a vertex on the line would count twice
    crossings = sorted(
        ring[i][0] + (lat - ring[i][1]) * (ring[(i + 1) % len(ring)][0] - ring[i][0])
        / (ring[(i + 1) % len(ring)][1] - ring[i][1])
        for ring in polygon for i in range(len(ring))
        if (ring[i][1] > lat) != (ring[(i + 1) % len(ring)][1] > lat))
    stretches = [(crossings[i + 1] - crossings[i], crossings[i], crossings[i + 1])
                 for i in range(0, len(crossings) - 1, 2)]
    _, west, east = max(stretches)
    return lat, (west + east) / 2
