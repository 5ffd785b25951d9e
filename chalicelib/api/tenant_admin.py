"""Routes of a tenant's own admin (tenant_admin): units, categories, staff accounts, API keys, the audit log."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.services import api_keys, audit, onboarding, reports, staff

api = Api("tenant_admin")
_NO_STORE = {"Cache-Control": "no-store"}


@api.route("/v1/tenants/{tenant}/units")
def read_units(tenant: str) -> Response:
    return json_response(onboarding.read_units(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/units", methods=("PUT",))
def replace_units(tenant: str) -> Response:
    body = api.json_body()
    return json_response(onboarding.replace_units(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/categories", methods=("PUT",))
def replace_categories(tenant: str) -> Response:
    body = api.json_body()
    return json_response(onboarding.replace_categories(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/staff")
def list_staff(tenant: str) -> Response:
    people = staff.list_staff(tenant, api.caller(required=True), api.query("role"), api.query("agency"),
                              api.query("status"))
    return json_response({"items": people}, headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/staff", methods=("POST",))
def create_staff(tenant: str) -> Response:
    body = api.json_body()
    created = staff.create(tenant, api.caller(required=True), body)
    return json_response(created, status=201, headers={**_NO_STORE,
                                                       "Location": f"/v1/tenants/{tenant}/staff/{created['id']}"})


@api.route("/v1/tenants/{tenant}/staff/{staff_id}", methods=("PATCH",))
def update_staff(tenant: str, staff_id: str) -> Response:
    body = api.json_body()
    return json_response(staff.update(tenant, api.caller(required=True), staff_id, body), headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/staff/{staff_id}", methods=("DELETE",))
def disable_staff(tenant: str, staff_id: str) -> Response:
    return json_response(staff.disable(tenant, api.caller(required=True), staff_id), headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/api-keys")
def list_api_keys(tenant: str) -> Response:
    return json_response({"items": api_keys.list_keys(tenant, api.caller(required=True))}, headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/api-keys", methods=("POST",))
def create_api_key(tenant: str) -> Response:
    body = api.json_body()
    created = api_keys.create(tenant, api.caller(required=True), body)
    return json_response(created, status=201, headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/api-keys/{key_id}", methods=("DELETE",))
def revoke_api_key(tenant: str, key_id: str) -> Response:
    return json_response(api_keys.revoke(tenant, api.caller(required=True), key_id), headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/audit")
def read_audit(tenant: str) -> Response:
    limit = reports.page_size(api.query("limit"))
    items, cursor = audit.read(tenant, api.caller(required=True), limit, api.query("cursor"))
    return json_response({"items": items, "next_cursor": cursor}, headers=_NO_STORE)
