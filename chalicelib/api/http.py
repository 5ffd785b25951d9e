"""What every route needs: problem+json on every error, JSON in and out, language, caller, receipt."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, CORSConfig, Response
from chalice.app import Request

from chalicelib.api.openapi import OPERATIONS, Operation
from chalicelib.config import get_settings
from chalicelib.domain.identity import Caller
from chalicelib.errors import ProblemError, unauthenticated
from chalicelib.observability import logger

CORS = CORSConfig(
    allow_origin="*",
    allow_headers=["Authorization", "Content-Type", "Accept-Language", "Idempotency-Key", "X-Report-Receipt",
                   "If-Match", "X-Api-Key"],
    expose_headers=["ETag", "Location", "Content-Language"],
    max_age=600,
)
# Accept any declared type so that a wrong one earns our own 415 problem, not Chalice's.
_CONTENT_TYPES = ["application/json", "application/problem+json", "text/plain", "application/octet-stream",
                  "application/x-www-form-urlencoded", "multipart/form-data"]


def language(headers: Any) -> str:
    """``en`` or ``id`` from Accept-Language by q-value; Bahasa Indonesia when unsure."""
    raw = (headers.get("accept-language") if headers else None) or ""
    best, best_q = "id", -1.0
    for part in raw.split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("id", "in", "en") and q > 0 and q > best_q:
            best, best_q = ("en" if primary == "en" else "id"), q
    return best


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    merged = {"Content-Type": "application/json; charset=utf-8"}
    merged.update(headers or {})
    return Response(body=json.dumps(body, ensure_ascii=False), status_code=status, headers=merged)


def problem_response(error: ProblemError, lang: str, instance: str | None = None) -> Response:
    headers = {"Content-Type": "application/problem+json; charset=utf-8", "Content-Language": lang}
    headers.update(error.headers)
    return Response(body=json.dumps(error.render(lang, instance), ensure_ascii=False),
                    status_code=error.status, headers=headers)


class Api:
    """A blueprint whose views answer every failure with problem+json."""

    def __init__(self, name: str) -> None:
        self.blueprint = Blueprint(name)

    @property
    def request(self) -> Request:
        return self.blueprint.current_request

    def route(self, path: str, methods: tuple[str, ...] = ("GET",), doc: Operation | None = None,
              ) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        """Register a view; ``doc`` is its OpenAPI declaration (a route without one fails the contract test)."""
        if doc is not None:
            for method in methods:
                OPERATIONS[(path, method)] = doc

        def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
            @functools.wraps(view)
            def guarded(**params: str) -> Response:
                lang = language(self.request.headers)
                try:
                    return view(**params)
                except ProblemError as err:
                    return problem_response(err, lang, instance_path(self.request))
                except Exception:
                    logger().exception("unhandled error", extra={"route": path})
                    return problem_response(ProblemError("internal_error"), lang)

            self.blueprint.route(path, methods=list(methods), cors=CORS, content_types=_CONTENT_TYPES)(guarded)
            return view

        return decorate

    # -- request helpers -------------------------------------------------------------------

    def json_body(self) -> Any:
        """The parsed body; 413 over the limit, 415 for non-JSON, 400 for malformed JSON."""
        request = self.request
        raw = request.raw_body or b""
        if len(raw) > get_settings().max_body_bytes:
            raise ProblemError("payload_too_large")
        declared = (request.headers.get("content-type") or "application/json").split(";")[0].strip().lower()
        if declared != "application/json" and not declared.endswith("+json") and declared != "text/plain":
            raise ProblemError("unsupported_media_type")
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except (ValueError, UnicodeDecodeError):
            raise ProblemError("malformed_json") from None

    def query(self, name: str) -> str | None:
        params = self.request.query_params or {}
        value = params.get(name)
        return value if value not in (None, "") else None

    def header(self, name: str) -> str | None:
        value = self.request.headers.get(name.lower())
        return value.strip() if value else None

    def caller(self, required: bool = False) -> Caller | None:
        """The verified caller from ``Authorization: Bearer``; 401 for a bad token, or a missing one if required."""
        from chalicelib.api.auth import caller_from_header

        caller = caller_from_header(self.header("authorization"))
        if caller is None and required:
            raise unauthenticated()
        return caller


def instance_path(request: Request) -> str:
    """The path actually asked for (Chalice's ``path`` is the route template)."""
    path = str(request.path)
    for name, value in (request.uri_params or {}).items():
        path = path.replace("{" + name + "}", str(value))
    return path


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")
