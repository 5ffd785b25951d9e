"""Tenant profiles, read on nearly every request and therefore cached briefly per container."""

from __future__ import annotations

import time
from typing import Any

from chalicelib.config import get_settings
from chalicelib.store.models import TenantModel

_cache: dict[str, tuple[float, TenantModel | None]] = {}


def get_tenant(code: str) -> TenantModel | None:
    """The tenant's profile (suspended ones too: ``active`` says which), or None for an unknown code."""
    ttl = get_settings().tenant_cache_seconds
    hit = _cache.get(code)
    if hit and time.monotonic() - hit[0] < ttl:
        return hit[1]
    try:
        tenant: TenantModel | None = TenantModel.get(code)
    except TenantModel.DoesNotExist:
        tenant = None
    _cache[code] = (time.monotonic(), tenant)
    return tenant


def save_tenant(tenant: TenantModel) -> None:
    tenant.save()
    _cache.pop(tenant.code, None)


def clear_cache() -> None:
    _cache.clear()


def update_tenant(code: str, **fields: object) -> None:
    """Set some settings of a tenant (policy, routing, channels) without touching the rest."""
    attributes = TenantModel.get_attributes()
    actions = [attributes[name].set(value) if value is not None else attributes[name].remove()
               for name, value in fields.items()]
    TenantModel(code).update(actions=actions, condition=TenantModel.code.exists())
    _cache.pop(code, None)


def bump_areas_version(code: str) -> None:
    TenantModel(code).update(actions=[TenantModel.areas_version.add(1)], condition=TenantModel.code.exists())
    _cache.pop(code, None)


def channels_of(code: str) -> list[dict[str, Any]]:
    """The channels as stored, read fresh (a delivery must not use a channel removed a minute ago)."""
    try:
        tenant = TenantModel.get(code, attributes_to_get=["channels"])
    except TenantModel.DoesNotExist:
        return []
    return [dict(c) for c in (tenant.channels or [])]


def list_tenants() -> list[TenantModel]:
    """Every tenant, by code: a Query on the directory index (the platform has a few hundred at most)."""
    return list(TenantModel.directory_index.query("tenants"))
