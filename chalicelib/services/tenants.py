"""Tenant lookups for the public profile and the category list."""

from __future__ import annotations

import re
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain.geoindex import DEFAULT_DUPLICATE_RADIUS_M
from chalicelib.domain.routing import agency_type_for
from chalicelib.domain.taxonomy import AGENCY_TYPES, CATEGORIES, Category
from chalicelib.errors import ProblemError

_TENANT_CODE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")


def require_tenant(code: str, *, allow_suspended: bool = False) -> Any:
    """The tenant with this code: 404 when there is none, 403 ``tenant_suspended`` while it is suspended.

    Only the platform's own routes (resume it, read its usage and invoices) pass ``allow_suspended``.
    """
    if not _TENANT_CODE.match(code):
        raise ProblemError("tenant_not_found")
    from chalicelib.store.tenants import get_tenant

    tenant = get_tenant(code)
    if tenant is None:
        raise ProblemError("tenant_not_found")
    if not tenant.active and not allow_suspended:
        raise ProblemError("tenant_suspended")
    return tenant


def unit_for(tenant: Any, agency_type: str) -> dict[str, str]:
    """The tenant's own unit for an agency type; the national type name when the tenant set none."""
    units = tenant.agencies.as_dict() if tenant.agencies else {}
    unit = units.get(agency_type)
    if unit:
        return {"code": str(unit["code"]), "name": str(unit["name"])}
    kind = AGENCY_TYPES[agency_type]
    return {"code": kind.code, "name": kind.name_id}


def category_settings(tenant: Any) -> dict[str, Any]:
    """The tenant's own choices per category (``enabled``, ``unit``); absent means offered, default unit."""
    return tenant.categories.as_dict() if getattr(tenant, "categories", None) else {}


def offered(tenant: Any, code: str) -> bool:
    return bool(category_settings(tenant).get(code, {}).get("enabled", True))


def category(tenant: Any, code: str) -> Category:
    """A category the tenant offers; a switched-off one is as unknown as a made-up one."""
    found = CATEGORIES.get(code)
    if found is None or not offered(tenant, code):
        raise ProblemError("unknown_category")
    return found


def profile(code: str) -> dict[str, Any]:
    tenant = require_tenant(code)
    settings = get_settings()
    return {
        "code": tenant.code,
        "name": tenant.name,
        "timezone": tenant.timezone,
        "locale": tenant.locale,
        "tracking_code_prefix": tenant.code_prefix,
        "service_area": tenant.service_area.as_dict(),
        "auth": {
            "region": settings.region,
            "user_pool_id": settings.user_pool_id,
            "client_id": settings.user_pool_client_id,
            "issuer": settings.issuer,
        },
    }


def categories(code: str) -> list[dict[str, Any]]:
    tenant = require_tenant(code)
    return [
        {
            "code": c.code,
            "name": {"id": c.name_id, "en": c.name_en},
            "agency": unit_for(tenant, agency_type_for(c, tenant.routing.as_dict() if tenant.routing else None)),
            "sensitive": c.sensitive,
            "duplicate_radius_m": int(category_settings(tenant).get(c.code, {}).get(
                "duplicate_radius_m", DEFAULT_DUPLICATE_RADIUS_M)),
        }
        for c in CATEGORIES.values() if offered(tenant, c.code)
    ]
