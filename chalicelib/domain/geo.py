"""Geometry for service areas: is a point inside a GeoJSON (Multi)Polygon?

An even-odd ray cast, holes included. Shapely would do this too, but it brings numpy (about 16 MB
zipped) into every Lambda for one test of a point against a few hundred vertices.
"""

from __future__ import annotations

from typing import Any

Ring = list[list[float]]


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
