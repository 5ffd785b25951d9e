"""The ``check_geometries`` function: is each uploaded outline a valid polygon? (areas upload, sync)

Invoked by the API (``adapters/geometry_check.py``) with ``{"geometries": [GeoJSON, ...]}``; answers
``{"problems": [null | "why not", ...]}`` in the same order. It is the only function with shapely and
numpy (its own layer), so no request path loads them.
"""

from __future__ import annotations

from typing import Any

MAX_GEOMETRIES = 500  # domain/routing.MAX_AREAS: one upload


def handle(event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.adapters.polygons import explain_invalid

    geometries = event.get("geometries") if isinstance(event, dict) else None
    if not isinstance(geometries, list) or len(geometries) > MAX_GEOMETRIES:
        raise ValueError("expected {'geometries': [at most 500 GeoJSON geometries]}")
    return {"problems": explain_invalid(geometries)}
