"""Route for agency performance dashboards: ``GET /v1/tenants/{tenant}/stats?window=&date=``."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import Param, operation
from chalicelib.lazy import lazy_module

stats = lazy_module("chalicelib.services.stats")

api = Api("stats")


@api.route("/v1/tenants/{tenant}/stats", doc=operation(
    "Kinerja unit / agency performance", tags="stats", auth="bearer", response="Stats", errors=(400,),
    params=(Param("window", "day | week | month | year"), Param("date", "YYYY-MM-DD (default: today)"))))
def tenant_stats(tenant: str) -> Response:
    figures = stats.read(tenant, api.caller(required=True), api.query("window"), api.query("date"))
    return json_response(figures, headers={"Cache-Control": "private, max-age=60", "Vary": "Authorization"})
