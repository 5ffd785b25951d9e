"""Routes anyone may call: health, tenant profile, categories, the public feed and one report."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response, language
from chalicelib.services import nearby, reports, tenants, workflow
from chalicelib.services.views import etag, report_view

api = Api("public")


@api.route("/v1/health")
def health() -> Response:
    return json_response({"status": "ok"})


@api.route("/v1/tenants/{tenant}")
def tenant_profile(tenant: str) -> Response:
    return json_response(tenants.profile(tenant))


@api.route("/v1/tenants/{tenant}/categories")
def tenant_categories(tenant: str) -> Response:
    return json_response(tenants.categories(tenant))


@api.route("/v1/tenants/{tenant}/reports/{report_id}")
def get_report(tenant: str, report_id: str) -> Response:
    caller = api.caller()
    receipt = api.header("x-report-receipt")
    report, which = reports.view(tenant, report_id, caller, receipt)
    lang = language(api.request.headers)
    role = workflow.role_of(report, caller, receipt)
    return json_response(report_view(report, which, lang, role), headers={"ETag": etag(report)})


@api.route("/v1/tenants/{tenant}/reports")
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
    return json_response({"items": [report_view(r, "public", lang) for r in items], "next_cursor": cursor})
