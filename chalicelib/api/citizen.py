"""Routes for reporters: submit a report, add photos, list one's own reports."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response, language
from chalicelib.api.openapi import CURSOR, IDEMPOTENCY_KEY, LIMIT, operation
from chalicelib.lazy import lazy_module

photos = lazy_module("chalicelib.services.photos")
reports = lazy_module("chalicelib.services.reports")
views = lazy_module("chalicelib.services.views")

api = Api("citizen")


@api.route("/v1/tenants/{tenant}/reports", methods=("POST",), doc=operation(
    "Kirim laporan / submit a report", tags="citizen", auth=("public", "bearer"), body="CreateReport",
    response="CreatedReport", status=201, params=(IDEMPOTENCY_KEY,), errors=(409, 429),
    response_headers=("Location",)))
def submit_report(tenant: str) -> Response:
    body = api.json_body()
    caller = api.caller()
    result = reports.submit(tenant, body, caller, api.header("idempotency-key"),
                            lambda_context=api.blueprint.lambda_context)
    created = result["body"]
    return json_response(created, status=result["status"],
                         headers={"Location": f"/v1/tenants/{tenant}/reports/{created['id']}"})


@api.route("/v1/tenants/{tenant}/reports/{report_id}/photos", methods=("POST",), doc=operation(
    "Tambah foto / add a photo (a presigned upload)", tags="citizen", auth=("bearer", "receipt"),
    body="CreatePhoto", response="PhotoSlot", status=201, errors=(409,)))
def add_photo(tenant: str, report_id: str) -> Response:
    body = api.json_body()
    result = photos.add_photo(tenant, report_id, body, api.caller(), api.header("x-report-receipt"))
    return json_response(result, status=201)


@api.route("/v1/tenants/{tenant}/me/reports", doc=operation(
    "Laporan saya / my reports", tags="citizen", auth="bearer", response="ReportPage", params=(LIMIT, CURSOR),
    errors=(400,)))
def my_reports(tenant: str) -> Response:
    caller = api.caller(required=True)
    assert caller is not None
    limit = reports.page_size(api.query("limit"))
    items, cursor = reports.list_mine(tenant, caller, limit, api.query("cursor"))
    lang = language(api.request.headers)
    return json_response({"items": [views.report_view(r, "full", lang) for r in items], "next_cursor": cursor})
