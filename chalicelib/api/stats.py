"""Route for agency performance dashboards: ``GET /v1/tenants/{tenant}/stats?window=&date=``."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.services import stats

api = Api("stats")


@api.route("/v1/tenants/{tenant}/stats")
def tenant_stats(tenant: str) -> Response:
    figures = stats.read(tenant, api.caller(required=True), api.query("window"), api.query("date"))
    return json_response(figures, headers={"Cache-Control": "private, max-age=60", "Vary": "Authorization"})
