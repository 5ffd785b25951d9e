"""The OpenAPI 3.1 contract: one ``operation(...)`` declared next to each route, and the document built from them.

A route states what it takes and answers in a few words (``api.route(path, doc=operation(...))``): a summary,
tags, who may call it, its query and header parameters, and the *names* of the pydantic models of its request
body and 2xx response. The names are looked up in ``chalicelib/api/schemas.py`` only when the document is built,
so declaring costs nothing at cold start (no pydantic import). The document walks the app's routes
(``app.routes``) and their declarations; request bodies use the very models the routes validate with, so the
contract cannot drift from the code. It is built on the first ``GET /v1/openapi.json`` and cached.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

OPENAPI_PATH = "/v1/openapi.json"

# Who may call: each entry is one way in. "public" = no credential needed (an X-Api-Key may still come along).
AUTH_KINDS = ("public", "bearer", "receipt")


@dataclass(frozen=True)
class Param:
    """A query or header parameter; ``schema`` is JSON Schema (small, written where the route reads it)."""

    name: str
    description: str
    schema: dict[str, Any] = field(default_factory=lambda: {"type": "string"})
    where: str = "query"
    required: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    tags: tuple[str, ...]
    response: str | None  # model name in chalicelib/api/schemas.py of the 2xx body
    status: int = 200
    body: str | None = None  # model name in chalicelib/api/schemas.py of the JSON request body
    body_required: bool = True
    auth: tuple[str, ...] = ("public",)
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = ()  # statuses beyond those every operation of its kind may answer
    description: str = ""
    response_headers: tuple[str, ...] = ()  # names from _HEADERS
    other_media: tuple[str, ...] = ()  # further 2xx media types, e.g. text/csv for an invoice


def operation(summary: str, *, tags: tuple[str, ...] | str, response: str | None, status: int = 200,
              body: str | None = None, body_required: bool = True, auth: tuple[str, ...] | str = "public",
              params: tuple[Param, ...] = (), errors: tuple[int, ...] = (), description: str = "",
              response_headers: tuple[str, ...] = (), other_media: tuple[str, ...] = ()) -> Operation:
    """Declare a route's documentation; checked when the document is built (and by the contract tests)."""
    auth_kinds = _as_tuple(auth)
    unknown = [k for k in auth_kinds if k not in AUTH_KINDS]
    if unknown:
        raise ValueError(f"unknown auth kind(s) {unknown}")
    return Operation(summary=summary, tags=_as_tuple(tags), response=response, status=status, body=body,
                     body_required=body_required, auth=auth_kinds, params=params, errors=errors,
                     description=description, response_headers=response_headers, other_media=other_media)


def _as_tuple(value: tuple[str, ...] | str) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


# (path, METHOD) -> its declaration; filled as the api modules are imported (Api.route).
OPERATIONS: dict[tuple[str, str], Operation] = {}

# Parameters several routes share.
LIMIT = Param("limit", "Jumlah per halaman / page size (1-100, default 20).",
              {"type": "string", "pattern": "^[0-9]{1,4}$"})
CURSOR = Param("cursor", "Kursor halaman berikutnya dari `next_cursor` / the `next_cursor` of the previous page.",
               {"type": "string", "maxLength": 512})
RECEIPT_HEADER = "X-Report-Receipt"
IDEMPOTENCY_KEY = Param("Idempotency-Key", "Kirim ulang dengan kunci yang sama tidak menggandakan / a retry with "
                        "the same key is answered once.", {"type": "string", "minLength": 1, "maxLength": 255},
                        where="header")

_HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {"description": "Versi laporan untuk If-Match / the report's version for If-Match.",
             "schema": {"type": "string"}},
    "Location": {"description": "Alamat sumber daya baru / where the new resource is.", "schema": {"type": "string"}},
}
_PATH_PARAMS: dict[str, dict[str, Any]] = {
    "tenant": {"description": "Kode pemda / the tenant's code, e.g. `kupang`.",
               "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
    "report_id": {"description": "Id laporan atau kode lacak / a report id or tracking code.",
                  "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
    "agency": {"description": "Kode unit (OPD) / a unit code, e.g. `DLH`.",
               "schema": {"type": "string", "minLength": 1, "maxLength": 64}},
    "month": {"description": "Bulan / month, `YYYY-MM`.", "schema": {"type": "string", "minLength": 1,
                                                                      "maxLength": 16}},
    "staff_id": {"description": "Id staf / a staff id.", "schema": {"type": "string", "minLength": 1,
                                                                     "maxLength": 128}},
    "key_id": {"description": "Id API key / an API key id.", "schema": {"type": "string", "minLength": 1,
                                                                         "maxLength": 128}},
}
_SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
               "description": "Cognito IdToken: `Authorization: Bearer <IdToken>`."},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key",
               "description": "Kunci aplikasi klien milik pemda (opsional, untuk metering) / a tenant's client app "
                              "key (optional, metered); a key of another tenant is refused with 403."},
    "receipt": {"type": "apiKey", "in": "header", "name": RECEIPT_HEADER,
                "description": "Tanda terima rahasia dari pengiriman laporan / the secret receipt returned once when "
                               "a report is submitted (anonymous reporters)."},
}
# Statuses any operation may answer, with the problem codes behind them (for the description).
_COMMON = {404: "not_found / tenant_not_found", 405: "method_not_allowed", 500: "internal_error"}
_BODY = {400: "malformed_json", 413: "payload_too_large", 415: "unsupported_media_type", 422: "validation_failed"}
_AUTH = {401: "unauthenticated / invalid_token", 403: "forbidden / tenant_suspended", 503: "auth_unavailable"}
_STATUS_WORDS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                 405: "Method Not Allowed", 409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large",
                 415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
                 500: "Internal Server Error", 503: "Service Unavailable"}

_DOCUMENT: str | None = None


def document_json(routes: dict[str, dict[str, Any]]) -> str:
    """The document as JSON text, built once per container (the first ``GET /v1/openapi.json`` pays)."""
    global _DOCUMENT
    if _DOCUMENT is None:
        import json

        _DOCUMENT = json.dumps(build_document(routes), ensure_ascii=False, sort_keys=False)
    return _DOCUMENT


# The native API. Open311 GeoReport v2 (``/open311/v2/``) is a published standard with its own
# specification, formats and errors; it is not described here.
NATIVE_PREFIX = "/v1/"


def native(routes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {path: methods for path, methods in routes.items() if path.startswith(NATIVE_PREFIX)}


def undocumented(routes: dict[str, dict[str, Any]]) -> list[str]:
    """``METHOD path`` of every native route of the app without an ``operation(...)`` declaration."""
    return [f"{method} {path}" for path, methods in native(routes).items() for method in methods
            if method != "OPTIONS" and (path, method) not in OPERATIONS]


def build_document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    from chalicelib.api import schemas
    from chalicelib.errors import CATALOG

    missing = undocumented(routes)
    if missing:
        raise LookupError(f"routes without an operation(...) declaration: {missing}")
    routes = native(routes)

    def model(name: str) -> Any:
        found = getattr(schemas, name, None)
        if found is None:
            raise LookupError(f"no model {name!r} in chalicelib/api/schemas.py")
        return found

    declared = [(path, method, OPERATIONS[(path, method)]) for path in sorted(routes)
                for method in sorted(routes[path]) if method != "OPTIONS"]
    wanted: list[tuple[Any, Any]] = [(schemas.Problem, "serialization")]
    for _path, _method, op in declared:
        if op.body:
            wanted.append((model(op.body), "validation"))
        if op.response:
            wanted.append((model(op.response), "serialization"))
    wanted = list(dict.fromkeys(wanted))
    refs, defs = models_json_schema(wanted, ref_template="#/components/schemas/{model}")
    components = defs.get("$defs", {})

    def ref(name: str, mode: str) -> dict[str, Any]:
        return refs[(model(name), mode)]

    paths: dict[str, dict[str, Any]] = {}
    for path, method, op in declared:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, op, ref)
    problem_ref = refs[(schemas.Problem, "serialization")]
    codes = sorted(CATALOG)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Aduan API",
            "version": "1",
            "summary": "Pengaduan warga untuk pemda / citizen reporting for Indonesian regional governments.",
            "description": "Setiap galat adalah `application/problem+json` (RFC 9457) dengan `code` yang stabil "
                           "dan pesan dalam bahasa menurut `Accept-Language` (id, en). Every error is "
                           "problem+json with a stable `code`; problem codes: " + ", ".join(codes) + ".",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": t} for t in sorted({t for _, _, op in declared for t in op.tags})],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": _SECURITY_SCHEMES,
            "responses": {str(status): {"description": words, "content": {
                "application/problem+json": {"schema": problem_ref}}} for status, words in _STATUS_WORDS.items()},
        },
    }


def _operation(path: str, method: str, op: Operation, ref: Any) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", path):
        spec = _PATH_PARAMS.get(name, {"description": name, "schema": {"type": "string", "minLength": 1}})
        parameters.append({"name": name, "in": "path", "required": True, **spec})
    for param in op.params:
        parameters.append({"name": param.name, "in": param.where, "required": param.required,
                           "description": param.description, "schema": param.schema})
    parameters.append({"name": "Accept-Language", "in": "header", "required": False,
                       "description": "`id` (bawaan / default) atau / or `en`.", "schema": {"type": "string"}})

    statuses: dict[int, str] = dict(_COMMON)
    if op.body:
        statuses.update(_BODY)
    if "bearer" in op.auth or "receipt" in op.auth or "{tenant}" in path:
        statuses.update(_AUTH)
    for status in op.errors:
        statuses.setdefault(status, "")
    ok_content: dict[str, Any] = {}
    if op.response:
        ok_content["application/json"] = {"schema": ref(op.response, "serialization")}
    for media in op.other_media:
        ok_content[media] = {"schema": {"type": "string"}}
    ok: dict[str, Any] = {"description": "OK" if op.status == 200 else "Created" if op.status == 201 else "Success"}
    if ok_content:
        ok["content"] = ok_content
    if op.response_headers:
        ok["headers"] = {name: _HEADERS[name] for name in op.response_headers}
    responses: dict[str, Any] = {str(op.status): ok}
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/{status}"}

    security: list[dict[str, list[str]]] = []
    for kind in op.auth:
        if kind == "public":
            security += [{}, {"apiKey": []}] if "{tenant}" in path else [{}]
        else:
            security += [{kind: []}, {kind: [], "apiKey": []}] if "{tenant}" in path else [{kind: []}]
    operation_id = re.sub(r"[^A-Za-z0-9]+", "_", f"{method.lower()}_{path}").strip("_")
    out: dict[str, Any] = {"operationId": operation_id, "summary": op.summary, "tags": list(op.tags),
                           "parameters": parameters, "responses": responses, "security": security}
    if op.description:
        out["description"] = op.description
    if op.body:
        out["requestBody"] = {"required": op.body_required,
                              "content": {"application/json": {"schema": ref(op.body, "validation")}}}
    return out
