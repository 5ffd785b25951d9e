"""HTTP middleware: every log line of a request carries its request id, tenant and route."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.observability import logger


def _request_id(event: Any) -> str:
    context = getattr(event, "context", None) or {}
    request_id = context.get("requestId")
    if request_id:
        return str(request_id)
    lambda_context = getattr(event, "lambda_context", None)
    return str(getattr(lambda_context, "aws_request_id", "") or "local")


def log_context(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Tag the logger for this request, then log one access line (no query string, no body, no headers)."""
    log = logger()
    params = getattr(event, "uri_params", None) or {}
    log.append_keys(request_id=_request_id(event), tenant=params.get("tenant"))
    started = time.perf_counter()
    try:
        response = get_response(event)
        log.info("request", extra={"method": event.method, "route": event.context.get("resourcePath"),
                                   "status": response.status_code,
                                   "ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
    finally:
        log.remove_keys(["request_id", "tenant"])
