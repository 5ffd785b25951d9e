"""Routes for notifications: one's inbox, and a tenant's outbound channels (admins only)."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response, language
from chalicelib.api.openapi import CURSOR, LIMIT, operation
from chalicelib.errors import unauthenticated
from chalicelib.lazy import lazy_module

notifications = lazy_module("chalicelib.services.notifications")
reports = lazy_module("chalicelib.services.reports")

api = Api("notifications")


@api.route("/v1/tenants/{tenant}/me/notifications", doc=operation(
    "Kotak masuk / my notifications", tags="notifications", auth=("bearer", "receipt"),
    response="NotificationPage", params=(LIMIT, CURSOR), errors=(400,)))
def my_notifications(tenant: str) -> Response:
    """Staff, signed-in citizens, and anonymous reporters by their receipt (``X-Report-Receipt``, no token)."""
    caller = api.caller()
    receipt = api.header("x-report-receipt")
    if caller is None and receipt is None:
        raise unauthenticated()
    limit = reports.page_size(api.query("limit"))
    items, cursor = notifications.inbox(tenant, caller, receipt, limit, api.query("cursor"))
    lang = language(api.request.headers)
    return json_response({"items": [notifications.notification_view(n, lang) for n in items], "next_cursor": cursor},
                         headers={"Content-Language": lang, "Cache-Control": "private, no-store"})


@api.route("/v1/tenants/{tenant}/notification-channels", doc=operation(
    "Kanal notifikasi / outbound channels (no secrets)", tags="notifications", auth="bearer",
    response="Channels"))
def get_channels(tenant: str) -> Response:
    caller = api.caller(required=True)
    assert caller is not None
    return json_response(notifications.get_channels(tenant, caller), headers={"Cache-Control": "no-store"})


@api.route("/v1/tenants/{tenant}/notification-channels", methods=("PUT",), doc=operation(
    "Ganti kanal notifikasi / replace outbound channels", tags="notifications", auth="bearer",
    body="ChannelConfig", response="Channels"))
def put_channels(tenant: str) -> Response:
    caller = api.caller(required=True)
    assert caller is not None
    body = api.json_body()
    return json_response(notifications.replace_channels(tenant, caller, body), headers={"Cache-Control": "no-store"})
