"""Routes for a tenant's complaint desk: SLA policy, routing overrides and routing areas."""

from __future__ import annotations

from chalice import Response

from chalicelib.api.http import Api, json_response
from chalicelib.services import routing, sla

api = Api("admin")


@api.route("/v1/tenants/{tenant}/sla-policy")
def read_sla_policy(tenant: str) -> Response:
    return json_response(sla.read_policy(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/sla-policy", methods=("PUT",))
def replace_sla_policy(tenant: str) -> Response:
    body = api.json_body()
    return json_response(sla.replace_policy(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/routing")
def read_routing(tenant: str) -> Response:
    return json_response(routing.read_overrides(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/routing", methods=("PUT",))
def replace_routing(tenant: str) -> Response:
    body = api.json_body()
    return json_response(routing.replace_overrides(tenant, api.caller(required=True), body))


@api.route("/v1/tenants/{tenant}/areas")
def read_areas(tenant: str) -> Response:
    return json_response(routing.read_areas(tenant, api.caller(required=True)))


@api.route("/v1/tenants/{tenant}/areas", methods=("PUT",))
def replace_areas(tenant: str) -> Response:
    body = api.json_body()
    return json_response(routing.replace_areas(tenant, api.caller(required=True), body))
