"""Routes for the public's voice on a report: supports ("me too") and comments, and their moderation."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.services import community, reports

api = Api("community")

_REPORT = "/v1/tenants/{tenant}/reports/{report_id}"


@api.route(f"{_REPORT}/supports", methods=("POST",))
def support(tenant: str, report_id: str) -> Response:
    body, status = community.support(tenant, report_id, api.caller(required=True))
    return json_response(body, status=status)


@api.route(f"{_REPORT}/supports", methods=("DELETE",))
def withdraw_support(tenant: str, report_id: str) -> Response:
    return json_response(community.withdraw(tenant, report_id, api.caller(required=True)))


@api.route(f"{_REPORT}/comments")
def list_comments(tenant: str, report_id: str) -> Response:
    limit = reports.page_size(api.query("limit"))
    items, cursor = community.comments(tenant, report_id, api.caller(), api.header("x-report-receipt"), limit,
                                       api.query("cursor"))
    return json_response({"items": items, "next_cursor": cursor})


@api.route(f"{_REPORT}/comments", methods=("POST",))
def add_comment(tenant: str, report_id: str) -> Response:
    caller = api.caller(required=True)
    body = api.json_body()
    created, status = community.add_comment(tenant, report_id, body, caller, api.header("idempotency-key"))
    return json_response(created, status=status)


@api.route(f"{_REPORT}/comments/{{comment_id}}/hide", methods=("POST",))
def hide_comment(tenant: str, report_id: str, comment_id: str) -> Response:
    caller = api.caller(required=True)
    body = api.json_body()
    return json_response(community.hide_comment(tenant, report_id, comment_id, body, caller))
