"""Is an uploaded outline a valid polygon? Shapely (GEOS) decides, and says why not.

Only the ``check_geometries`` function runs this in AWS: shapely and numpy live in its own layer
(``requirements-geometry.txt``), not in the layer every request's Lambda loads. ``answer`` is that
function's whole contract: ``{"geometries": [GeoJSON, ...]}`` in, ``{"problems": [null | "why not", ...]}``
out, in the same order.
"""

from __future__ import annotations

from typing import Any

MAX_GEOMETRIES = 500  # domain/routing.MAX_AREAS: one upload


def answer(request: Any) -> dict[str, Any]:
    """The check_geometries function's answer to one request; ValueError for a malformed one."""
    geometries = request.get("geometries") if isinstance(request, dict) else None
    if not isinstance(geometries, list) or len(geometries) > MAX_GEOMETRIES:
        raise ValueError(f"expected {{'geometries': [at most {MAX_GEOMETRIES} GeoJSON geometries]}}")
    return {"problems": explain_invalid(geometries)}


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
