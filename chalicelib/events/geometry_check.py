"""The ``check_geometries`` function: is each uploaded outline a valid polygon? (areas upload, sync)

Invoked by the API (``adapters/geometry_check.py``); the contract and the check are in
``adapters/polygons.py``. It is the only function with shapely and numpy (its own layer), so no
request path loads them.
"""

from __future__ import annotations

from typing import Any


def handle(event: Any) -> dict[str, Any]:
    from chalicelib.adapters.polygons import answer

    return answer(event)
