"""Route serving the OpenAPI 3.1 contract of the whole native API: ``GET /v1/openapi.json``."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api
from chalicelib.api.openapi import OPENAPI_PATH, document_json, operation

api = Api("contract")


@api.route(OPENAPI_PATH, doc=operation("Kontrak OpenAPI 3.1 / this document", tags="public",
                                       response="OpenApiDocument"))
def openapi_document() -> Response:
    # Built on the first request of a container and cached: no cost on any other cold start.
    body = document_json(api.blueprint.current_app.routes)
    return Response(body=body, status_code=200, headers={"Content-Type": "application/json; charset=utf-8",
                                                         "Cache-Control": "public, max-age=300"})
