"""Ask the ``check_geometries`` function whether uploaded outlines are valid polygons.

In AWS (``GEOMETRY_CHECK_FUNCTION`` set by the template) it is a synchronous Lambda invocation: that
function alone carries shapely and numpy, so the API's layer and its cold starts do not. Without the
setting (tests, ``make run``: moto runs no Lambda code without Docker) the same check runs in-process,
with the shapely the dev environment installs from ``requirements-geometry.txt``.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import ProblemError


def problems(geometries: list[dict[str, Any]]) -> list[str | None]:
    """For each geometry, None when it is a valid polygon, else why not (see ``adapters/polygons.py``)."""
    function = get_settings().geometry_check_function
    if not function:
        from chalicelib.adapters.polygons import answer as check_here

        answered = check_here({"geometries": geometries})
    else:
        answered = _invoke(function, geometries)
    found = answered.get("problems") if isinstance(answered, dict) else None
    if not isinstance(found, list) or len(found) != len(geometries):
        raise ProblemError("geometry_check_unavailable")
    return [None if why is None else str(why) for why in found]


def _invoke(function: str, geometries: list[dict[str, Any]]) -> Any:
    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.adapters.aws import botocore_client

    try:
        response = botocore_client("lambda").invoke(
            FunctionName=function, InvocationType="RequestResponse",
            Payload=json.dumps({"geometries": geometries}).encode())
        body = response["Payload"].read()
    except (BotoCoreError, ClientError):
        raise ProblemError("geometry_check_unavailable") from None
    if response.get("FunctionError"):
        raise ProblemError("geometry_check_unavailable")
    return json.loads(body)
