"""Routes for pay per use: a tenant's usage and invoices, and the platform's usage overview.

An invoice is JSON by default, CSV with ``Accept: text/csv`` or ``?format=csv``, and a printable HTML
page with ``Accept: text/html`` or ``?format=html`` (``format`` wins over ``Accept``).
"""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import Param, operation
from chalicelib.errors import query_error
from chalicelib.lazy import lazy_module

billing = lazy_module("chalicelib.services.billing")

api = Api("billing")
_FORMATS = ("json", "csv", "html")
MONTH = Param("month", "Bulan / month, YYYY-MM (default: this month).", {"type": "string", "maxLength": 16})


def _format() -> str:
    chosen = api.query("format")
    if chosen is not None:
        if chosen not in _FORMATS:
            raise query_error("format", "unknown_format", "Format harus json, csv atau html.",
                              "The format must be json, csv or html.")
        return chosen
    accept = (api.header("accept") or "").lower()
    if "text/csv" in accept:
        return "csv"
    if "text/html" in accept:
        return "html"
    return "json"


@api.route("/v1/tenants/{tenant}/usage", doc=operation(
    "Pemakaian bulan ini / the month's usage and estimate", tags="billing", auth="bearer", response="Usage",
    params=(MONTH,), errors=(400,)))
def tenant_usage(tenant: str) -> Response:
    return json_response(billing.usage(tenant, api.caller(required=True), api.query("month")))


@api.route("/v1/tenants/{tenant}/invoices/{month}", doc=operation(
    "Faktur bulanan / a month's invoice", tags="billing", auth="bearer", response="Invoice", errors=(400,),
    params=(Param("format", "json | csv | html (wins over Accept)", {"enum": list(_FORMATS)}),),
    other_media=("text/csv", "text/html")))
def tenant_invoice(tenant: str, month: str) -> Response:
    from chalicelib.domain import invoices

    chosen = _format()  # a bad format is answered before any work
    invoice = billing.invoice(tenant, api.caller(required=True), month)
    filename = invoice["number"].replace("/", "-")
    private = {"Cache-Control": "private, no-store", "Vary": "Accept, Authorization"}
    if chosen == "csv":
        return Response(body=invoices.to_csv(invoice), status_code=200, headers={
            **private, "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}.csv"'})
    if chosen == "html":
        return Response(body=invoices.to_html(invoice), status_code=200, headers={
            **private, "Content-Type": "text/html; charset=utf-8",
            "Content-Disposition": f'inline; filename="{filename}.html"'})
    return json_response(invoice, headers=private)


@api.route("/v1/usage", doc=operation(
    "Pemakaian semua pemda / every tenant's usage (platform)", tags="platform", auth="bearer",
    response="PlatformUsage", params=(MONTH,), errors=(400,)))
def platform_usage() -> Response:
    return json_response(billing.platform_usage(api.caller(required=True), api.query("month")))
