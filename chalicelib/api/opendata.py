"""Open data: export files of public reports (CSV, GeoJSON) and the public per-agency dashboard. Anyone may call."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import Param, operation
from chalicelib.lazy import lazy_module

exports = lazy_module("chalicelib.services.exports")
public_stats = lazy_module("chalicelib.services.public_stats")

api = Api("opendata")


_RANGE = (Param("from", "YYYY-MM-DD, tanggal lokal / the tenant's local date", required=True),
          Param("to", "YYYY-MM-DD, inklusif / inclusive (at most 366 days, not after today)", required=True))


def _doc(fmt: str) -> object:
    return operation(f"Ekspor {fmt} / public reports as {fmt}", tags="opendata", response="ExportJob", status=202,
                     errors=(400,), params=_RANGE, response_headers=("Location",),
                     description="202 while the file is written (ask again after Retry-After); then 303 See Other "
                     "to a presigned link to the file.")


def _export(tenant: str, fmt: str) -> Response:
    answer = exports.request(tenant, fmt, api.query("from"), api.query("to"))
    return json_response(answer.body, status=answer.status, headers=answer.headers)


@api.route("/v1/tenants/{tenant}/exports/reports.csv", doc=_doc("CSV"))
def export_csv(tenant: str) -> Response:
    return _export(tenant, "csv")


@api.route("/v1/tenants/{tenant}/exports/reports.geojson", doc=_doc("GeoJSON"))
def export_geojson(tenant: str) -> Response:
    return _export(tenant, "geojson")


@api.route("/v1/tenants/{tenant}/stats/public", doc=operation(
    "Dasbor publik / public per-agency figures (30 days, 12 months)", tags="opendata", response="PublicStats"))
def public_dashboard(tenant: str) -> Response:
    return json_response(public_stats.read(tenant), headers={"Cache-Control": "public, max-age=300"})
