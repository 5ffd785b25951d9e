"""The shapes of the admin documents (pydantic), for the routes whose fields are checked by hand-written parsers.

A route validates its body with one of these first (``commands.parse``: not an object -> ``body``/``model_type``,
an unknown key -> ``extra_forbidden``, a required key absent -> ``missing``, the same codes the parsers use), then
the domain parser (``tenancy``, ``sla``, ``routing``...) checks each field in depth and reports every problem.
The OpenAPI document is generated from these models, so its top-level keys are the ones the routes accept.
Nested values are described (``json_schema_extra``) rather than validated here: their rules, with field paths
and codes clients rely on, live in the domain parsers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.tenancy import CREATE_KEYS, LOCALES, PATCH_KEYS, STAFF_ROLES, TIMEZONES

_SHAPE = ConfigDict(extra="forbid")
_OBJECT = {"type": "object"}
_ARRAY = {"type": "array"}
_STRING = {"type": "string"}


def _field(description: str, schema: dict[str, Any], required: bool = False) -> Any:
    """A key checked in depth by the domain parser; ``schema`` says what it expects."""
    def describe(out: dict[str, Any]) -> None:
        out.pop("default", None)  # "absent", not a null the client could send
        out.update(schema)

    if required:
        return Field(description=description, json_schema_extra=describe)
    return Field(default=None, description=description, json_schema_extra=describe)


class _TenantFields(BaseModel):
    model_config = _SHAPE
    locale: Any = _field("Bahasa bawaan / default locale.", {"enum": list(LOCALES)})
    code_prefix: Any = _field("Awalan kode lacak / tracking-code prefix (2-5 capitals).",
                              {"type": "string", "pattern": "^[A-Z]{2,5}$"})
    calendar: Any = _field("holidays_added, holidays_removed (YYYY-MM-DD), cuti_bersama (bool).", _OBJECT)
    units: Any = _field("Unit (OPD): [{code, name, type, primary}].", _ARRAY)
    categories: Any = _field("{category: {enabled, unit}}.", _OBJECT)
    sla_policy: Any = _field("Kebijakan SLA / the SLA policy (see PUT sla-policy).", _OBJECT)
    escalation: Any = _field("Tangga eskalasi / escalation ladder.", _ARRAY)
    plan: Any = _field("Paket harga / price plan.", _OBJECT)
    grading: Any = _field("Ambang nilai kinerja / performance grade thresholds.", _OBJECT)
    limits: Any = _field("{anonymous_reports_per_hour}.", _OBJECT)


class NewTenant(_TenantFields):
    """``POST /v1/tenants``: onboard a pemda and its first tenant_admin."""

    code: Any = _field("Kode pemda / tenant code.", {"type": "string", "pattern": "^[a-z][a-z0-9-]{1,31}$"}, True)
    names: Any = _field("{id, en?}", _OBJECT, True)
    timezone: Any = _field("WIB, WITA or WIT.", {"enum": list(TIMEZONES)}, True)
    service_area: Any = _field("GeoJSON Polygon or MultiPolygon.", _OBJECT, True)
    admin: Any = _field("{username, email?, name?}: the first tenant_admin.", _OBJECT, True)


class TenantChanges(_TenantFields):
    """``PATCH /v1/tenants/{tenant}``: only the keys sent change."""

    names: Any = _field("{id, en?}", _OBJECT)
    timezone: Any = _field("WIB, WITA or WIT.", {"enum": list(TIMEZONES)})
    service_area: Any = _field("GeoJSON Polygon or MultiPolygon.", _OBJECT)
    status: Any = _field("active | suspended", {"enum": ["active", "suspended"]})
    suspended_reason: Any = _field("Alasan / reason (1-300).", _STRING)


class SuspendTenant(BaseModel):
    """``POST /v1/tenants/{tenant}/suspend``: an optional reason."""

    model_config = ConfigDict(extra="forbid", strict=True)
    reason: str | None = Field(default=None, max_length=300)


class NewStaff(BaseModel):
    """``POST /v1/tenants/{tenant}/staff``: a staff account (the temporary password is returned once)."""

    model_config = _SHAPE
    username: Any = _field("3-64: a-z, 0-9, '.', '_', '-'.", {"type": "string", "pattern": "^[a-z0-9._-]{3,64}$"},
                           True)
    role: Any = _field("Peran / role.", {"enum": list(STAFF_ROLES)}, True)
    agency: Any = _field("Kode unit / unit code (officers, supervisors).", _STRING)
    name: Any = _field("Nama / name.", _STRING)
    email: Any = _field("Email.", _STRING)


class StaffChanges(BaseModel):
    """``PATCH /v1/tenants/{tenant}/staff/{staff_id}``."""

    model_config = _SHAPE
    role: Any = _field("Peran / role.", {"enum": list(STAFF_ROLES)})
    agency: Any = _field("Kode unit / unit code.", _STRING)
    name: Any = _field("Nama / name.", _STRING)
    email: Any = _field("Email.", _STRING)
    status: Any = _field("active | disabled", {"enum": ["active", "disabled"]})


class NewApiKey(BaseModel):
    """``POST /v1/tenants/{tenant}/api-keys``: a key for one client app (returned once)."""

    model_config = _SHAPE
    name: Any = _field("Nama aplikasi / app name, 1-80.", {"type": "string", "minLength": 1, "maxLength": 80}, True)


class UnitsDocument(BaseModel):
    """``PUT /v1/tenants/{tenant}/units``."""

    model_config = _SHAPE
    units: Any = _field("[{code, name, type, primary}]", _ARRAY, True)


class CategoriesDocument(BaseModel):
    """``PUT /v1/tenants/{tenant}/categories``."""

    model_config = _SHAPE
    categories: Any = _field("{category: {enabled, unit}}", _OBJECT, True)


class RoutingDocument(BaseModel):
    """``PUT /v1/tenants/{tenant}/routing``: category -> agency type (misconduct cannot be re-pointed)."""

    model_config = _SHAPE
    overrides: Any = _field("{category: agency type}", {"type": "object", "additionalProperties": {"type": "string"}},
                            True)


class SlaPolicyDocument(BaseModel):
    """``PUT /v1/tenants/{tenant}/sla-policy``: the whole policy (durations as working days or hours)."""

    model_config = _SHAPE
    defaults: Any = _field("{stage: {working_days | hours}}", _OBJECT, True)
    categories: Any = _field("{category: {stage: rule}}", _OBJECT, True)
    reminder: Any = _field("{working_days} or null", {"type": ["object", "null"]}, True)
    escalation: Any = _field("[{level, audience, after}]", _ARRAY, True)
    calendar: Any = _field("{cuti_bersama, weekend, holidays_added, holidays_removed}", _OBJECT, True)


class AreasDocument(BaseModel):
    """``PUT /v1/tenants/{tenant}/areas``: a GeoJSON FeatureCollection of routing areas."""

    # GeoJSON allows foreign members (bbox, crs, name from GIS exports); they are ignored, not refused.
    model_config = ConfigDict(extra="allow")
    type: Any = _field("FeatureCollection", {"const": "FeatureCollection"}, True)
    features: Any = _field("[{type: Feature, properties: {code, name, level?, units}, geometry}]", _ARRAY, True)


# The hand-written parsers and these shapes name the same top-level keys (tests/unit/test_openapi_contract.py).
TENANT_CREATE_KEYS = CREATE_KEYS
TENANT_PATCH_KEYS = PATCH_KEYS
