"""Routing use cases: propose a unit for a report; read and replace a tenant's areas and overrides."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import routing as rules
from chalicelib.domain.identity import Caller
from chalicelib.domain.taxonomy import AGENCY_TYPES, CATEGORIES, Category
from chalicelib.errors import FieldError, ProblemError
from chalicelib.services.access import require_desk

# (tenant, areas_version) -> parsed polygons: parsing GeoJSON on every report would be wasteful.
_indexes: dict[tuple[str, int], rules.AreaIndex] = {}


def area_index(tenant: Any) -> rules.AreaIndex | None:
    version = int(tenant.areas_version or 0)
    if version == 0:
        return None  # the tenant has never uploaded areas: no query at all
    key = (tenant.code, version)
    if key not in _indexes:
        from chalicelib.store.areas import load_areas

        for stale in [k for k in _indexes if k[0] == tenant.code]:
            del _indexes[stale]
        _indexes[key] = rules.AreaIndex(load_areas(tenant.code))
    return _indexes[key]


def clear_cache() -> None:
    _indexes.clear()


def units_of(tenant: Any) -> dict[str, Any]:
    return tenant.agencies.as_dict() if tenant.agencies else {}


def propose(tenant: Any, category: Category, lat: float, lon: float) -> rules.Route:
    index = area_index(tenant)
    area = index.locate(lat, lon) if index else None
    overrides = tenant.routing.as_dict() if tenant.routing else None
    from chalicelib.services.tenants import category_settings

    chosen = category_settings(tenant).get(category.code, {}).get("unit")
    return rules.route(category, overrides, units_of(tenant), area, chosen_unit=chosen)


def read_areas(tenant_code: str, caller: Caller | None) -> dict[str, Any]:
    tenant = require_desk(tenant_code, caller)
    index = area_index(tenant)
    return index.as_feature_collection() if index else {"type": "FeatureCollection", "features": []}


def replace_areas(tenant_code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import AreasDocument
    from chalicelib.store.areas import replace_areas as store_replace
    from chalicelib.store.tenants import bump_areas_version

    tenant = require_desk(tenant_code, caller)
    parse(AreasDocument, document)  # the documented shape first (OpenAPI); parse_areas checks each feature
    from chalicelib.adapters.geometry_check import problems

    specs = rules.parse_areas(document, rules.tenant_unit_codes(units_of(tenant)), problems)
    store_replace(tenant.code, specs)
    bump_areas_version(tenant.code)
    return {"type": "FeatureCollection", "count": len(specs)}


def read_overrides(tenant_code: str, caller: Caller | None) -> dict[str, Any]:
    tenant = require_desk(tenant_code, caller)
    overrides = tenant.routing.as_dict() if tenant.routing else {}
    return {"categories": {code: rules.agency_type_for(c, overrides) for code, c in CATEGORIES.items()},
            "overrides": overrides}


def replace_overrides(tenant_code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    """``{"overrides": {category: agency type}}``; misconduct can never be re-pointed."""
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import RoutingDocument
    from chalicelib.store.tenants import update_tenant

    tenant = require_desk(tenant_code, caller)
    parse(RoutingDocument, document)  # the documented shape first (OpenAPI)
    overrides = document.get("overrides") if isinstance(document, dict) else None
    if not isinstance(overrides, dict) or set(document) - {"overrides"}:
        raise ProblemError("validation_failed", errors=[FieldError("overrides", "model_type", {
            "id": "Harus objek kategori -> jenis unit.", "en": "Must be an object of category -> agency type."})])
    errors = []
    for code, kind in overrides.items():
        if code not in CATEGORIES:
            errors.append(FieldError(f"overrides.{code}", "unknown_category",
                                     {"id": "Kategori tidak dikenal.", "en": "Unknown category."}))
        elif CATEGORIES[code].sensitive:
            errors.append(FieldError(f"overrides.{code}", "not_routable", {
                "id": "Laporan pelanggaran ASN selalu ke Inspektorat.",
                "en": "Misconduct always goes to the Inspectorate."}))
        elif kind not in AGENCY_TYPES:
            errors.append(FieldError(f"overrides.{code}", "unknown_agency_type",
                                     {"id": "Jenis unit tidak dikenal.", "en": "Unknown agency type."}))
    if errors:
        raise ProblemError("validation_failed", errors=errors)
    update_tenant(tenant.code, routing=overrides or None)
    return read_overrides(tenant_code, caller)
