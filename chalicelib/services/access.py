"""Tenancy checks for staff routes, in one place: who is the desk of a tenant, who is signed in."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.identity import Caller
from chalicelib.errors import ProblemError, unauthenticated
from chalicelib.services.tenants import require_tenant

DESK_ROLES = frozenset({"tenant_admin", "platform_admin"})
COORDINATOR_ROLES = DESK_ROLES | {"supervisor"}


def signed_in(caller: Caller | None) -> Caller:
    if caller is None:
        raise unauthenticated()
    return caller


def require_roles(tenant_code: str, caller: Caller | None, roles: frozenset[str]) -> Any:
    """The tenant, when the caller is its staff with one of ``roles``; 401 or 403 otherwise."""
    tenant = require_tenant(tenant_code)
    who = signed_in(caller)
    if not who.is_staff_of(tenant.code) or not who.roles & roles:
        raise ProblemError("forbidden")
    return tenant


def require_desk(tenant_code: str, caller: Caller | None) -> Any:
    return require_roles(tenant_code, caller, DESK_ROLES)
