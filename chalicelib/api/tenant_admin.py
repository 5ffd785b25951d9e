"""Routes of a tenant's own admin (tenant_admin): units, categories, staff accounts, API keys, the audit log."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import CURSOR, LIMIT, Param, operation
from chalicelib.lazy import lazy_module

api_keys = lazy_module("chalicelib.services.api_keys")
audit = lazy_module("chalicelib.services.audit")
onboarding = lazy_module("chalicelib.services.onboarding")
reports = lazy_module("chalicelib.services.reports")
staff = lazy_module("chalicelib.services.staff")

api = Api("tenant_admin")
_NO_STORE = {"Cache-Control": "no-store"}


@api.route("/v1/tenants/{tenant}/units", doc=operation(
    "Unit (OPD) pemda / the tenant's units", tags="tenant-admin", auth="bearer", response="Units"))
def read_units(tenant: str) -> Response:
    return json_response(onboarding.read_units(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/units", methods=("PUT",), doc=operation(
    "Ganti unit / replace the units", tags="tenant-admin", auth="bearer", body="UnitsDocument", response="Units"))
def replace_units(tenant: str) -> Response:
    body = api.json_body()
    return json_response(onboarding.replace_units(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/categories", methods=("PUT",), doc=operation(
    "Ganti kategori / replace the categories offered", tags="tenant-admin", auth="bearer",
    body="CategoriesDocument", response="CategoriesDocument"))
def replace_categories(tenant: str) -> Response:
    body = api.json_body()
    return json_response(onboarding.replace_categories(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/staff", doc=operation(
    "Daftar staf / staff accounts", tags="tenant-admin", auth="bearer", response="StaffList",
    params=(Param("role", "Peran / role"), Param("agency", "Kode unit / unit code"),
            Param("status", "active | disabled"))))
def list_staff(tenant: str) -> Response:
    people = staff.list_staff(tenant, api.caller(required=True), api.query("role"), api.query("agency"),
                              api.query("status"))
    return json_response({"items": people}, headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/staff", methods=("POST",), doc=operation(
    "Buat akun staf / create a staff account", tags="tenant-admin", auth="bearer", body="NewStaff",
    response="NewStaffAccount", status=201, response_headers=("Location",)))
def create_staff(tenant: str) -> Response:
    body = api.json_body()
    created = staff.create(tenant, api.caller(required=True), body)
    return json_response(created, status=201, headers={**_NO_STORE,
                                                       "Location": f"/v1/tenants/{tenant}/staff/{created['id']}"})


@api.route("/v1/tenants/{tenant}/staff/{staff_id}", methods=("PATCH",), doc=operation(
    "Ubah akun staf / change a staff account", tags="tenant-admin", auth="bearer", body="StaffChanges",
    response="Staff"))
def update_staff(tenant: str, staff_id: str) -> Response:
    body = api.json_body()
    return json_response(staff.update(tenant, api.caller(required=True), staff_id, body), headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/staff/{staff_id}", methods=("DELETE",), doc=operation(
    "Nonaktifkan akun staf / disable a staff account", tags="tenant-admin", auth="bearer", response="Staff"))
def disable_staff(tenant: str, staff_id: str) -> Response:
    return json_response(staff.disable(tenant, api.caller(required=True), staff_id), headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/api-keys", doc=operation(
    "API key aplikasi / client app keys", tags="tenant-admin", auth="bearer", response="ApiKeyList"))
def list_api_keys(tenant: str) -> Response:
    return json_response({"items": api_keys.list_keys(tenant, api.caller(required=True))}, headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/api-keys", methods=("POST",), doc=operation(
    "Buat API key / issue a client app key (shown once)", tags="tenant-admin", auth="bearer", body="NewApiKey",
    response="IssuedApiKey", status=201))
def create_api_key(tenant: str) -> Response:
    body = api.json_body()
    created = api_keys.create(tenant, api.caller(required=True), body)
    return json_response(created, status=201, headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/api-keys/{key_id}", methods=("DELETE",), doc=operation(
    "Cabut API key / revoke a key", tags="tenant-admin", auth="bearer", response="ApiKey"))
def revoke_api_key(tenant: str, key_id: str) -> Response:
    return json_response(api_keys.revoke(tenant, api.caller(required=True), key_id), headers=_NO_STORE)


@api.route("/v1/tenants/{tenant}/audit", doc=operation(
    "Log audit / the audit log", tags="tenant-admin", auth="bearer", response="AuditPage", params=(LIMIT, CURSOR),
    errors=(400,)))
def read_audit(tenant: str) -> Response:
    limit = reports.page_size(api.query("limit"))
    items, cursor = audit.read(tenant, api.caller(required=True), limit, api.query("cursor"))
    return json_response({"items": items, "next_cursor": cursor}, headers=_NO_STORE)
