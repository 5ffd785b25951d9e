"""Billing use cases: a tenant's usage this month, its invoice for a month, the platform's overview.

Amounts are computed from the counters when asked, never stored: the counters are the record, the
plan is the tenant's (or the default), and ``chalicelib.domain.billing`` does the arithmetic.

Who: a tenant's ``tenant_admin`` for that tenant, and ``platform_admin`` for any tenant, a suspended
one included (an operator must still be able to bill it). Anyone else gets 403 and no numbers.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain import billing
from chalicelib.domain.identity import Caller
from chalicelib.errors import ProblemError, query_error
from chalicelib.services.access import require_roles, signed_in
from chalicelib.services.tenants import require_tenant

TENANT_BILLING_ROLES = frozenset({"tenant_admin"})


def _tenant_for(tenant_code: str, caller: Caller | None) -> Any:
    who = signed_in(caller)
    if "platform_admin" in who.roles:
        return require_tenant(tenant_code, allow_suspended=True)
    return require_roles(tenant_code, who, TENANT_BILLING_ROLES)


def _month_query(raw: str | None) -> str:
    if raw is None:
        return billing.month_of(clock.now())
    if billing.parse_month(raw) is None:
        raise query_error("month", "invalid_month", "Bulan harus berformat YYYY-MM, mis. 2026-12.",
                          "The month must be YYYY-MM, e.g. 2026-12.")
    return raw


def _parties(tenant: Any) -> billing.Parties:
    names = tenant.names.as_dict() if tenant.names else {}
    return billing.Parties(tenant=tenant.code, buyer_name=str(names.get("id") or tenant.name),
                           code_prefix=tenant.code_prefix)


def _invoice(tenant: Any, month: str) -> dict[str, Any]:
    from chalicelib.store.usage import month_counters

    plan = billing.plan_of(tenant.plan.as_dict() if tenant.plan else None)
    return billing.compute_invoice(plan, month_counters(tenant.code, month), month, _parties(tenant), clock.now())


def usage(tenant_code: str, caller: Caller | None, month: str | None) -> dict[str, Any]:
    """The month's counters (every one, 0 when none) and what they would cost so far."""
    tenant = _tenant_for(tenant_code, caller)
    chosen = _month_query(month)
    invoice = _invoice(tenant, chosen)
    return {"tenant": tenant.code, "month": chosen, "counters": invoice["counters"], "plan": invoice["plan"],
            "estimate": billing.estimate(invoice)}


def invoice(tenant_code: str, caller: Caller | None, month: str) -> dict[str, Any]:
    """The invoice of a month: ``draft`` while it runs, ``final`` after. A month not begun has none (404)."""
    tenant = _tenant_for(tenant_code, caller)
    if billing.parse_month(month) is None or billing.month_is_future(month, clock.now()):
        raise ProblemError("invoice_not_found")
    return _invoice(tenant, month)


def platform_usage(caller: Caller | None, month: str | None) -> dict[str, Any]:
    """Every tenant's counters and invoice total for a month (platform_admin only; one Query per tenant)."""
    from chalicelib.store.tenants import list_tenants

    who = signed_in(caller)
    if "platform_admin" not in who.roles:
        raise ProblemError("forbidden")
    chosen = _month_query(month)
    rows = []
    for tenant in list_tenants():
        invoice = _invoice(tenant, chosen)
        rows.append({"tenant": tenant.code, "name": tenant.name, "active": bool(tenant.active),
                     "plan": invoice["plan"], "counters": invoice["counters"], "total": invoice["total"],
                     "status": invoice["status"]})
    return {"month": chosen, "currency": billing.CURRENCY, "tenants": rows,
            "total": sum(row["total"] for row in rows)}
