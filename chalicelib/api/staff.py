"""Routes for the workflow: transitions, history, the desk's inbox and a unit's list."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response, language
from chalicelib.api.openapi import CURSOR, IDEMPOTENCY_KEY, LIMIT, Param, operation
from chalicelib.lazy import lazy_module

reports = lazy_module("chalicelib.services.reports")
workflow = lazy_module("chalicelib.services.workflow")
views = lazy_module("chalicelib.services.views")

api = Api("staff")


@api.route("/v1/tenants/{tenant}/reports/{report_id}/transitions", methods=("POST",), doc=operation(
    "Tindakan alur kerja / a workflow action", tags="workflow", auth=("bearer", "receipt"), body="Transition",
    response="Report", errors=(409, 412), response_headers=("ETag",),
    params=(IDEMPOTENCY_KEY, Param("If-Match", "ETag laporan / the report's ETag", where="header"))))
def transition(tenant: str, report_id: str) -> Response:
    body = api.json_body()
    report, role = workflow.transition(tenant, report_id, body, api.caller(), api.header("x-report-receipt"),
                                       api.header("if-match"), api.header("idempotency-key"))
    lang = language(api.request.headers)
    return json_response(views.report_view(report, "full", lang, role), headers={"ETag": views.etag(report)})


@api.route("/v1/tenants/{tenant}/reports/{report_id}/history", doc=operation(
    "Riwayat laporan / a report's history", tags="workflow", auth=("public", "bearer", "receipt"),
    response="History"))
def history(tenant: str, report_id: str) -> Response:
    items = workflow.history(tenant, report_id, api.caller(), api.header("x-report-receipt"))
    return json_response({"items": items})


@api.route("/v1/tenants/{tenant}/inbox", doc=operation(
    "Kotak masuk meja / the desk's inbox", tags="workflow", auth="bearer", response="ReportPage", errors=(400,),
    params=(Param("status", "submitted | on_hold"), LIMIT, CURSOR)))
def inbox(tenant: str) -> Response:
    limit = reports.page_size(api.query("limit"))
    caller = api.caller(required=True)
    items, cursor = workflow.desk_inbox(tenant, caller, api.query("status"), limit, api.query("cursor"))
    lang = language(api.request.headers)
    return json_response({"items": [views.report_view(r, "full", lang, workflow.role_of(r, caller)) for r in items],
                          "next_cursor": cursor})


@api.route("/v1/tenants/{tenant}/agencies/{agency}/reports", doc=operation(
    "Laporan unit / a unit's reports", tags="workflow", auth="bearer", response="ReportPage", errors=(400,),
    params=(Param("status", "Status laporan / report status"), Param("overdue", "true: lewat tenggat / overdue only"),
            LIMIT, CURSOR)))
def unit_reports(tenant: str, agency: str) -> Response:
    limit = reports.page_size(api.query("limit"))
    caller = api.caller(required=True)
    items, cursor = workflow.unit_reports(tenant, agency, caller, api.query("status"), api.query("overdue"), limit,
                                          api.query("cursor"))
    lang = language(api.request.headers)
    return json_response({"items": [views.report_view(r, "full", lang, workflow.role_of(r, caller)) for r in items],
                          "next_cursor": cursor})
