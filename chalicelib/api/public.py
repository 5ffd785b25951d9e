"""Routes anyone may call: health, tenant profile, categories, the public feed and one report."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response, language
from chalicelib.api.openapi import CURSOR, LIMIT, Param, operation
from chalicelib.lazy import lazy_module

nearby = lazy_module("chalicelib.services.nearby")
reports = lazy_module("chalicelib.services.reports")
tenants = lazy_module("chalicelib.services.tenants")
workflow = lazy_module("chalicelib.services.workflow")
views = lazy_module("chalicelib.services.views")

api = Api("public")


@api.route("/v1/health", doc=operation("Kesehatan layanan / health", tags="public", response="Health"))
def health() -> Response:
    return json_response({"status": "ok"})


@api.route("/v1/tenants/{tenant}", doc=operation(
    "Profil pemda / a tenant's public profile", tags="public", response="TenantProfile"))
def tenant_profile(tenant: str) -> Response:
    return json_response(tenants.profile(tenant))


@api.route("/v1/tenants/{tenant}/categories", doc=operation(
    "Kategori / the categories a tenant offers", tags="public", response="CategoryList"))
def tenant_categories(tenant: str) -> Response:
    return json_response(tenants.categories(tenant))


@api.route("/v1/tenants/{tenant}/reports/{report_id}", doc=operation(
    "Satu laporan / one report", tags="public", auth=("public", "bearer", "receipt"), response="Report",
    response_headers=("ETag",), description="Public view for anyone; the full view for the reporter (token or "
    "X-Report-Receipt) and staff. A report the caller may not know of is a 404."))
def get_report(tenant: str, report_id: str) -> Response:
    caller = api.caller()
    receipt = api.header("x-report-receipt")
    report, which = reports.view(tenant, report_id, caller, receipt)
    lang = language(api.request.headers)
    role = workflow.role_of(report, caller, receipt)
    return json_response(views.report_view(report, which, lang, role), headers={"ETag": views.etag(report)})


@api.route("/v1/tenants/{tenant}/reports", doc=operation(
    "Umpan publik / the public feed, by place too", tags="public", response="ReportList", errors=(400,),
    params=(Param("category", "Kode kategori / category code"), Param("status", "Status laporan / report status"),
            Param("near", "LAT,LON: terdekat dulu / nearest first, with distance_m"),
            Param("radius_m", "Radius untuk near / radius for near (1-5000, default 1000)"),
            Param("bbox", "W,S,E,N: laporan dalam kotak / reports in a box (at most 5 km a side)"),
            Param("cluster", "true: jumlah per sel / counts per cell for a bbox (at most 50 km a side)"),
            LIMIT, CURSOR)))
def list_reports(tenant: str) -> Response:
    limit = reports.page_size(api.query("limit"))
    lang = language(api.request.headers)
    if any(api.query(name) is not None for name in ("near", "radius_m", "bbox", "cluster")):
        return json_response(nearby.search(
            tenant, near=api.query("near"), radius=api.query("radius_m"), bbox=api.query("bbox"),
            cluster=api.query("cluster"), category=api.query("category"), status=api.query("status"), limit=limit,
            cursor=api.query("cursor"), lang=lang))
    items, cursor = reports.list_public(tenant, api.query("category"), api.query("status"), limit,
                                        api.query("cursor"))
    return json_response({"items": [views.report_view(r, "public", lang) for r in items], "next_cursor": cursor})
