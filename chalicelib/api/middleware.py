"""HTTP middleware: every log line of a request carries its request id, tenant and route."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from chalicelib.api.http import instance_path, language, problem_response
from chalicelib.errors import ProblemError
from chalicelib.observability import logger

# Errors Chalice answers itself, before or around our views, in its own JSON shape.
_FRAMEWORK_PROBLEMS = {400: "malformed_json", 403: "not_found", 404: "not_found", 405: "method_not_allowed",
                       413: "payload_too_large", 415: "unsupported_media_type", 500: "internal_error"}


def _as_problem(event: Any, response: Any) -> Any:
    """Chalice's own error bodies become problem+json like every other error."""
    content_type = next((v for k, v in (response.headers or {}).items() if k.lower() == "content-type"), "")
    code = _FRAMEWORK_PROBLEMS.get(response.status_code)
    if response.status_code < 400 or "problem+json" in str(content_type) or code is None:
        return response
    problem = problem_response(ProblemError(code), language(event.headers), instance_path(event))
    for name, value in (response.headers or {}).items():
        if name.lower() in ("allow",):
            problem.headers[name] = value
    return problem


def _request_id(event: Any) -> str:
    context = getattr(event, "context", None) or {}
    request_id = context.get("requestId")
    if request_id:
        return str(request_id)
    lambda_context = getattr(event, "lambda_context", None)
    return str(getattr(lambda_context, "aws_request_id", "") or "local")


def _client_key(event: Any, tenant: str | None) -> tuple[Any, str | None]:
    """A client app's ``X-Api-Key``: (a 401 problem, None) when it is not a live key of this tenant, else
    (None, the tenant to meter the request to); (None, None) without a key."""
    headers = event.headers or {}
    presented = headers.get("x-api-key")
    if not presented:
        return None, None
    from chalicelib.services.api_keys import authenticate

    try:
        if not tenant:
            raise ProblemError("invalid_api_key")
        authenticate(tenant, presented.strip())
    except ProblemError as err:
        return problem_response(err, language(headers), instance_path(event)), None
    return None, tenant


def log_context(event: Any, get_response: Callable[[Any], Any]) -> Any:
    """Tag the logger for this request, then log one access line (no query string, no body, no headers)."""
    log = logger()
    params = getattr(event, "uri_params", None) or {}
    log.append_keys(request_id=_request_id(event), tenant=params.get("tenant"))
    started = time.perf_counter()
    try:
        # Below the application too: DynamoDB is reached as this tenant only (adapters/tenant_scope.py).
        from chalicelib.adapters.tenant_scope import tenant_scope

        with tenant_scope(params.get("tenant")):
            if str(getattr(event, "path", "") or "").startswith("/open311/"):
                # Open311 names its tenant in jurisdiction_id (its views open the scope), takes its key
                # as api_key (counted there) and answers errors in its own shape.
                from chalicelib.api.open311 import framework_error

                response = framework_error(event, get_response(event))
            else:
                refused, client_tenant = _client_key(event, params.get("tenant"))
                response = refused or _as_problem(event, get_response(event))
                if client_tenant and response.status_code < 500:
                    from chalicelib.services.api_keys import count_request

                    count_request(client_tenant)
        log.info("request", extra={"method": event.method, "route": event.context.get("resourcePath"),
                                   "status": response.status_code,
                                   "ms": round((time.perf_counter() - started) * 1000, 1)})
        return response
    finally:
        log.remove_keys(["request_id", "tenant"])
