"""Routes of the platform operator (platform_admin): onboard, change, suspend and resume tenants."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import operation
from chalicelib.lazy import lazy_module

onboarding = lazy_module("chalicelib.services.onboarding")

api = Api("platform")


@api.route("/v1/tenants", methods=("POST",), doc=operation(
    "Daftarkan pemda / onboard a tenant", tags="platform", auth="bearer", body="NewTenant",
    response="CreatedTenant", status=201, errors=(409,), response_headers=("Location",)))
def create_tenant() -> Response:
    body = api.json_body()
    actor = onboarding.platform_actor(api.caller(required=True))
    created = onboarding.create_tenant(body, actor)
    code = created["tenant"]["code"]
    return json_response(created, status=201, headers={"Location": f"/v1/tenants/{code}",
                                                       "Cache-Control": "no-store"})


@api.route("/v1/tenants", doc=operation(
    "Semua pemda / every tenant", tags="platform", auth="bearer", response="TenantList"))
def list_tenants() -> Response:
    return json_response({"items": onboarding.list_all(api.caller(required=True))})


@api.route("/v1/tenants/{tenant}", methods=("PATCH",), doc=operation(
    "Ubah pemda / change a tenant", tags="platform", auth="bearer", body="TenantChanges",
    response="TenantDocument"))
def update_tenant(tenant: str) -> Response:
    body = api.json_body()
    actor = onboarding.platform_actor(api.caller(required=True))
    return json_response(onboarding.update_tenant(tenant, body, actor))


@api.route("/v1/tenants/{tenant}/admin", doc=operation(
    "Dokumen pemda / the whole tenant document", tags="platform", auth="bearer", response="TenantDocument"))
def read_tenant(tenant: str) -> Response:
    """The whole tenant document as the platform sees it (the public profile is ``GET /v1/tenants/{tenant}``)."""
    return json_response(onboarding.read_tenant(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/suspend", methods=("POST",), doc=operation(
    "Tangguhkan pemda / suspend a tenant", tags="platform", auth="bearer", body="SuspendTenant",
    body_required=False, response="TenantDocument"))
def suspend_tenant(tenant: str) -> Response:
    body = api.json_body() if api.request.raw_body else {}
    actor = onboarding.platform_actor(api.caller(required=True))
    return json_response(onboarding.suspend(tenant, body, actor))


@api.route("/v1/tenants/{tenant}/resume", methods=("POST",), doc=operation(
    "Aktifkan lagi / resume a tenant", tags="platform", auth="bearer", response="TenantDocument"))
def resume_tenant(tenant: str) -> Response:
    actor = onboarding.platform_actor(api.caller(required=True))
    return json_response(onboarding.set_status(tenant, "active", actor))
