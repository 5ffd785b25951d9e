"""Open data: export files of public reports (CSV, GeoJSON) and the public per-agency dashboard. Anyone may call."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.services import exports, public_stats

api = Api("opendata")


def _export(tenant: str, fmt: str) -> Response:
    answer = exports.request(tenant, fmt, api.query("from"), api.query("to"))
    return json_response(answer.body, status=answer.status, headers=answer.headers)


@api.route("/v1/tenants/{tenant}/exports/reports.csv")
def export_csv(tenant: str) -> Response:
    return _export(tenant, "csv")


@api.route("/v1/tenants/{tenant}/exports/reports.geojson")
def export_geojson(tenant: str) -> Response:
    return _export(tenant, "geojson")


@api.route("/v1/tenants/{tenant}/stats/public")
def public_dashboard(tenant: str) -> Response:
    return json_response(public_stats.read(tenant), headers={"Cache-Control": "public, max-age=300"})
