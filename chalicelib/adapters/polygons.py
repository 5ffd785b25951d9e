"""Is an uploaded outline a valid polygon? Shapely (GEOS) decides, and says why not.

Only the ``check_geometries`` function imports this module: shapely and numpy live in its own layer
(``requirements-geometry.txt``), not in the layer every request's Lambda loads.
"""

from __future__ import annotations

from typing import Any


def explain_invalid(geometries: list[dict[str, Any]]) -> list[str | None]:
    """For each GeoJSON (Multi)Polygon, None when shapely finds it valid and non-empty, else why not."""
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    found: list[str | None] = []
    for geometry in geometries:
        try:
            parsed = shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError, KeyError):
            found.append("unreadable")
            continue
        if parsed.is_empty:
            found.append("empty")
        elif not parsed.is_valid:
            found.append(str(explain_validity(parsed)))
        else:
            found.append(None)
    return found
