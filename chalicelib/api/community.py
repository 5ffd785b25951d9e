"""Routes for the public's voice on a report: supports ("me too") and comments, and their moderation."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import CURSOR, IDEMPOTENCY_KEY, LIMIT, operation
from chalicelib.lazy import lazy_module

reports = lazy_module("chalicelib.services.reports")

api = Api("community")

_REPORT = "/v1/tenants/{tenant}/reports/{report_id}"


@api.route(f"{_REPORT}/supports", methods=("POST",), doc=operation(
    "Dukung laporan / support a report (\"me too\")", tags="community", auth="bearer", response="SupportState",
    status=201, errors=(409,), description="One per citizen: a repeat answers 200 and counts nothing."))
def support(tenant: str, report_id: str) -> Response:
    from chalicelib.services import community  # its rules import pydantic: not on a cold start

    body, status = community.support(tenant, report_id, api.caller(required=True))
    return json_response(body, status=status)


@api.route(f"{_REPORT}/supports", methods=("DELETE",), doc=operation(
    "Tarik dukungan / withdraw one's support", tags="community", auth="bearer", response="SupportState"))
def withdraw_support(tenant: str, report_id: str) -> Response:
    from chalicelib.services import community  # its rules import pydantic: not on a cold start

    return json_response(community.withdraw(tenant, report_id, api.caller(required=True)))


@api.route(f"{_REPORT}/comments", doc=operation(
    "Komentar / a report's comments, oldest first", tags="community", auth=("public", "bearer", "receipt"),
    response="CommentPage", errors=(400,), params=(LIMIT, CURSOR)))
def list_comments(tenant: str, report_id: str) -> Response:
    from chalicelib.services import community  # its rules import pydantic: not on a cold start

    limit = reports.page_size(api.query("limit"))
    items, cursor = community.comments(tenant, report_id, api.caller(), api.header("x-report-receipt"), limit,
                                       api.query("cursor"))
    return json_response({"items": items, "next_cursor": cursor})


@api.route(f"{_REPORT}/comments", methods=("POST",), doc=operation(
    "Tulis komentar / comment on a public report", tags="community", auth="bearer", body="NewComment",
    response="Comment", status=201, errors=(409, 429), params=(IDEMPOTENCY_KEY,)))
def add_comment(tenant: str, report_id: str) -> Response:
    from chalicelib.services import community  # its rules import pydantic: not on a cold start

    caller = api.caller(required=True)
    body = api.json_body()
    created, status = community.add_comment(tenant, report_id, body, caller, api.header("idempotency-key"))
    return json_response(created, status=status)


@api.route(f"{_REPORT}/comments/{{comment_id}}/hide", methods=("POST",), doc=operation(
    "Sembunyikan komentar / hide a comment (moderation)", tags="community", auth="bearer", body="HideComment",
    response="Comment", description="The author is told the reason."))
def hide_comment(tenant: str, report_id: str, comment_id: str) -> Response:
    from chalicelib.services import community  # its rules import pydantic: not on a cold start

    caller = api.caller(required=True)
    body = api.json_body()
    return json_response(community.hide_comment(tenant, report_id, comment_id, body, caller))
