"""Routes for a tenant's complaint desk: SLA policy, routing overrides and routing areas."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.api.openapi import operation
from chalicelib.lazy import lazy_module

routing = lazy_module("chalicelib.services.routing")
sla = lazy_module("chalicelib.services.sla")

api = Api("admin")


@api.route("/v1/tenants/{tenant}/sla-policy", doc=operation(
    "Kebijakan SLA pemda / the tenant's SLA policy", tags="desk", auth="bearer", response="SlaPolicy"))
def read_sla_policy(tenant: str) -> Response:
    return json_response(sla.read_policy(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/sla-policy", methods=("PUT",), doc=operation(
    "Ganti kebijakan SLA / replace the SLA policy", tags="desk", auth="bearer", body="SlaPolicyDocument",
    response="SlaPolicy"))
def replace_sla_policy(tenant: str) -> Response:
    body = api.json_body()
    return json_response(sla.replace_policy(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/routing", doc=operation(
    "Aturan penyaluran / routing of categories to agency types", tags="desk", auth="bearer", response="Routing"))
def read_routing(tenant: str) -> Response:
    return json_response(routing.read_overrides(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/routing", methods=("PUT",), doc=operation(
    "Ganti aturan penyaluran / replace routing overrides", tags="desk", auth="bearer", body="RoutingDocument",
    response="Routing"))
def replace_routing(tenant: str) -> Response:
    body = api.json_body()
    return json_response(routing.replace_overrides(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/areas", doc=operation(
    "Wilayah penyaluran / routing areas (GeoJSON)", tags="desk", auth="bearer", response="FeatureCollection"))
def read_areas(tenant: str) -> Response:
    return json_response(routing.read_areas(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/areas", methods=("PUT",), doc=operation(
    "Ganti wilayah / replace routing areas", tags="desk", auth="bearer", body="AreasDocument",
    response="AreasReplaced"))
def replace_areas(tenant: str) -> Response:
    body = api.json_body()
    return json_response(routing.replace_areas(tenant, api.caller(required=True), body))
