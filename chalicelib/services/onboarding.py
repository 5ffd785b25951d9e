"""Tenant administration: onboard a pemda from one document, change it, suspend and resume it, list them.

The API (platform_admin) and the operator CLI call these same functions, so both validate alike.
A change and its audit entry are written in one transaction; the first tenant_admin's Cognito account
is created before the tenant (it is the step most likely to fail) and removed again if the tenant
could not be written, so a retried onboarding finds nothing half made.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain import tenancy
from chalicelib.domain.audit import Actor
from chalicelib.domain.identity import Caller
from chalicelib.domain.taxonomy import AGENCY_TYPES, CATEGORIES
from chalicelib.errors import FieldError, ProblemError
from chalicelib.services.tenants import require_tenant

PLATFORM_ROLES = frozenset({"platform_admin"})


def platform_actor(caller: Caller | None) -> Actor:
    """The platform admin making a platform-level change; 401/403 for anyone else."""
    from chalicelib.services.access import signed_in

    who = signed_in(caller)
    if "platform_admin" not in who.roles:
        raise ProblemError("forbidden")
    return Actor(who.sub, "platform_admin")


def _sub_parsers() -> dict[str, tenancy.SubParser]:
    from chalicelib.domain import billing, grading

    return {"plan": lambda doc: billing.plan_to_json(billing.parse_plan(doc)),
            "grading": lambda doc: grading.to_json(grading.parse(doc))}


def _policy(doc: dict[str, Any], fields: dict[str, Any], current: Any = None) -> dict[str, Any] | None:
    """The SLA policy to store: the document's (or the current, or the national one) with calendar and ladder."""
    from chalicelib.domain import sla

    if not any(k in doc for k in ("sla_policy", "calendar", "escalation")):
        return None
    base = doc.get("sla_policy")
    if base is None:
        base = current.as_dict() if current else sla.policy_to_json(sla.default_policy())
    merged = tenancy.merge_policy(base if isinstance(base, dict) else {}, fields.get("calendar"),
                                  doc.get("escalation"))
    if not isinstance(base, dict):
        merged = base  # let the policy parser say what is wrong with it
    try:
        return dict(sla.policy_to_json(sla.parse_policy(merged, CATEGORIES.keys())))
    except ProblemError as err:
        errors = []
        for error in err.errors:
            top = error.field.split(".", 1)[0]
            own = top in ("calendar", "escalation") and top in doc
            errors.append(FieldError(error.field if own else f"sla_policy.{error.field}".rstrip("."), error.code,
                                     error.message))
        raise ProblemError("validation_failed", errors=errors) from None


def _validated(document: Any, *, creating: bool, tenant: Any = None) -> tuple[tenancy.TenantDocument, Any]:
    """The parsed document and its SLA policy; one 422 listing the problems of both."""
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import NewTenant, TenantChanges

    parse(NewTenant if creating else TenantChanges, document)  # the documented shape first (OpenAPI)
    current = None if tenant is None else {"agencies": tenant.agencies.as_dict() if tenant.agencies else None}
    errors: list[FieldError] = []
    parsed = None
    try:
        from chalicelib.adapters.geometry_check import problems as geometry_problems

        parsed = tenancy.parse_document(document, creating=creating, check_geometries=geometry_problems,
                                        current=current, sub_parsers=_sub_parsers())
    except ProblemError as err:
        if not isinstance(document, dict):
            raise
        errors.extend(err.errors)
    policy = None
    try:  # checked even when the rest failed, so every problem is listed at once
        policy = _policy(document, parsed.fields if parsed else {},
                         tenant.sla_policy if tenant is not None else None)
    except ProblemError as err:
        seen = {(e.field, e.code) for e in errors}
        errors.extend(e for e in err.errors if (e.field, e.code) not in seen)
    if errors or parsed is None:
        raise ProblemError("validation_failed", errors=errors)
    return parsed, policy


def _default_units(name: str) -> list[tenancy.Unit]:
    return [tenancy.Unit(code=code, name=f"{kind.name_id} {name}", type=code, primary=True)
            for code, kind in AGENCY_TYPES.items()]


def profile_of(tenant: Any) -> dict[str, Any]:
    """What admins read back: everything but secrets (channels stay behind their own route)."""
    return {
        "code": tenant.code,
        "names": tenant.names.as_dict() if tenant.names else {"id": tenant.name, "en": tenant.name},
        "status": "active" if tenant.active else "suspended",
        "suspended_at": tenant.suspended_at,
        "suspended_reason": tenant.suspended_reason,
        "timezone": tenant.timezone,
        "locale": tenant.locale,
        "code_prefix": tenant.code_prefix,
        "service_area": tenant.service_area.as_dict() if tenant.service_area else None,
        "units": [tenancy.unit_json(u) for u in tenancy.agencies_to_units(
            tenant.agencies.as_dict() if tenant.agencies else None)],
        "categories": tenant.categories.as_dict() if tenant.categories else {},
        "plan": tenant.plan.as_dict() if tenant.plan else None,
        "grading": tenant.grading.as_dict() if tenant.grading else None,
        "limits": tenant.limits.as_dict() if tenant.limits else {},
        "created_at": tenant.created_at,
    }


def create_tenant(document: Any, actor: Actor) -> dict[str, Any]:
    """Onboard a tenant and its first tenant_admin; 409 ``tenant_exists`` for a code already taken."""
    from pynamodb.exceptions import TransactWriteError
    from pynamodb.transactions import TransactWrite

    from chalicelib.adapters import accounts
    from chalicelib.store import audit
    from chalicelib.store.models import StaffModel, TenantModel
    from chalicelib.store.reports import _connection
    from chalicelib.store.tenants import clear_cache, get_tenant

    parsed, policy = _validated(document, creating=True)
    fields, admin = parsed.fields, parsed.admin
    assert admin is not None
    code = fields["code"]
    if get_tenant(code) is not None:
        raise ProblemError("tenant_exists")
    if accounts.exists(admin["username"]):
        raise ProblemError("validation_failed", errors=[FieldError("admin.username", "username_taken", {
            "id": "Nama pengguna ini sudah dipakai.", "en": "This username is already taken."})])
    names = fields["names"]
    units = fields.get("units") or _default_units(names["id"])
    now = clock.iso(clock.now())
    tenant = TenantModel(code, name=names["id"], names=names, timezone=fields["timezone"],
                         locale=fields.get("locale", "id-ID"), code_prefix=fields["code_prefix"],
                         service_area=fields["service_area"], agencies=tenancy.units_to_agencies(units),
                         categories=fields.get("categories") or None, sla_policy=policy,
                         plan=fields.get("plan"), grading=fields.get("grading"), limits=fields.get("limits") or None,
                         active=1, created_at=now, directory="tenants")
    password = accounts.temporary_password()
    sub = accounts.create(admin["username"], tenant=code, role="tenant_admin", agency=None,
                          email=admin.get("email"), name=admin.get("name"), password=password)
    staff = StaffModel(code, sub, username=admin["username"], role="tenant_admin", agency=None,
                       name=admin.get("name"), email=admin.get("email"), status="active", created_at=now,
                       updated_at=now)
    entry = audit.entry(code, actor, "tenant.create", target=code, after=profile_of(tenant))
    try:
        with TransactWrite(connection=_connection()) as tx:
            tx.save(tenant, condition=TenantModel.code.does_not_exist())
            tx.save(staff, condition=StaffModel.sub.does_not_exist())
            tx.save(entry)
    except TransactWriteError as err:
        accounts.delete(admin["username"])  # ours, made a moment ago: leave nothing half made
        reasons = [r.code if r else None for r in (err.cancellation_reasons or [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise ProblemError("tenant_exists") from None
        raise
    clear_cache()
    return {"tenant": profile_of(tenant),
            "admin": {"id": sub, "username": admin["username"], "role": "tenant_admin",
                      "temporary_password": password}}  # shown once: Cognito asks for a new one at sign-in


def _unit_codes_in_use(tenant: Any) -> dict[str, str]:
    """unit code -> what still uses it (areas, staff), so a unit is never removed from under them."""
    from chalicelib.services.routing import area_index
    from chalicelib.store import staff

    used: dict[str, str] = {}
    index = area_index(tenant)
    for spec in (index.specs if index else []):
        for unit in spec.units.values():
            used.setdefault(unit, f"area {spec.code}")
    for person in staff.of_tenant(tenant.code):
        if person.agency and person.status == "active":
            used.setdefault(person.agency, f"staff {person.username}")
    return used


def _check_units_removable(tenant: Any, units: list[tenancy.Unit], categories: dict[str, Any]) -> None:
    remaining = {u.code for u in units} | {k for k in AGENCY_TYPES if k not in {u.type for u in units if u.primary}}
    errors = []
    for code, why in sorted(_unit_codes_in_use(tenant).items()):
        if code not in remaining:
            errors.append(FieldError("units", "unit_in_use", {
                "id": f"Unit {code} masih dipakai ({why}).", "en": f"Unit {code} is still in use ({why})."}))
    for category, entry in sorted(categories.items()):
        unit = entry.get("unit")
        if unit and unit not in {u.code for u in units}:
            errors.append(FieldError(f"categories.{category}.unit", "unknown_unit", {
                "id": "Unit ini tidak ada di daftar unit pemda.", "en": "This unit is not among the tenant's units."}))
    if errors:
        raise ProblemError("validation_failed", errors=errors)


def update_tenant(code: str, document: Any, actor: Actor) -> dict[str, Any]:
    """PATCH: the fields sent replace the tenant's; suspend or resume with ``status``."""

    tenant = require_tenant(code, allow_suspended=True)
    parsed, policy = _validated(document, creating=False, tenant=tenant)
    fields = parsed.fields
    before = profile_of(tenant)
    changes: dict[str, Any] = {}
    if "names" in fields:
        changes.update(names=fields["names"], name=fields["names"]["id"])
    for key in ("timezone", "locale", "code_prefix", "service_area", "plan", "grading"):
        if key in fields:
            changes[key] = fields[key]
    if "limits" in fields:
        changes["limits"] = fields["limits"] or None
    categories = fields.get("categories", tenant.categories.as_dict() if tenant.categories else {})
    if "units" in fields:
        _check_units_removable(tenant, fields["units"], categories)
        changes["agencies"] = tenancy.units_to_agencies(fields["units"])
    if "categories" in fields:
        changes["categories"] = fields["categories"] or None
    if policy is not None:
        changes["sla_policy"] = policy
    status = fields.get("status")
    if status == "suspended" and tenant.active:
        changes.update(active=0, suspended_at=clock.iso(clock.now()),
                       suspended_reason=fields.get("suspended_reason"))
    elif status == "active" and not tenant.active:
        changes.update(active=1, suspended_at=None, suspended_reason=None)
    action = {"suspended": "tenant.suspend", "active": "tenant.resume"}.get(str(status), "tenant.update") \
        if "active" in changes else "tenant.update"
    if changes:
        _write(code, changes, actor, action, before)
    return profile_of(require_tenant(code, allow_suspended=True))


def _write(code: str, changes: dict[str, Any], actor: Actor, action: str, before: dict[str, Any]) -> None:
    """Apply ``changes`` to the tenant item and log them, in one transaction."""
    from pynamodb.transactions import TransactWrite

    from chalicelib.store import audit
    from chalicelib.store.models import TenantModel
    from chalicelib.store.reports import _connection
    from chalicelib.store.tenants import clear_cache

    attributes = TenantModel.get_attributes()
    actions = [attributes[name].set(value) if value is not None else attributes[name].remove()
               for name, value in changes.items()]
    after = {**before, **{k: v for k, v in changes.items() if k not in ("name", "agencies")}}
    if "agencies" in changes:
        after["units"] = [tenancy.unit_json(u) for u in tenancy.agencies_to_units(changes["agencies"])]
    entry = audit.entry(code, actor, action, target=code,
                        before={k: before.get(k) for k in after if before.get(k) != after.get(k)},
                        after={k: after.get(k) for k in after if before.get(k) != after.get(k)})
    with TransactWrite(connection=_connection()) as tx:
        tx.update(TenantModel(code), actions=actions, condition=TenantModel.code.exists())
        tx.save(entry)
    clear_cache()


def set_status(code: str, status: str, actor: Actor, reason: str | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {"status": status}
    if reason:
        document["suspended_reason"] = reason
    return update_tenant(code, document, actor)


def suspend(code: str, document: Any, actor: Actor) -> dict[str, Any]:
    """Suspend with an optional ``{"reason"}`` (a reason that is not text is a 422, not ignored)."""
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import SuspendTenant

    return set_status(code, "suspended", actor, parse(SuspendTenant, document).reason)


def list_all(caller: Caller | None) -> list[dict[str, Any]]:
    from chalicelib.store.tenants import list_tenants

    platform_actor(caller)
    return [{"code": t.code, "name": t.name, "status": "active" if t.active else "suspended",
             "timezone": t.timezone, "created_at": t.created_at,
             "plan": (t.plan.as_dict().get("name") if t.plan else None)} for t in list_tenants()]


def read_tenant(code: str, caller: Caller | None) -> dict[str, Any]:
    platform_actor(caller)
    return profile_of(require_tenant(code, allow_suspended=True))


# -- the tenant's own admin: units and categories -------------------------------------------------------


def desk_actor(code: str, caller: Caller | None) -> tuple[Any, Actor]:
    from chalicelib.services.access import require_desk

    tenant = require_desk(code, caller)
    assert caller is not None
    role = "platform_admin" if "platform_admin" in caller.roles else "tenant_admin"
    return tenant, Actor(caller.sub, role)


def read_units(code: str, caller: Caller | None) -> dict[str, Any]:
    tenant, _ = desk_actor(code, caller)
    return {"units": profile_of(tenant)["units"]}


def replace_units(code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import UnitsDocument

    _tenant, actor = desk_actor(code, caller)
    parse(UnitsDocument, document)  # the documented shape first (OpenAPI)
    if not isinstance(document, dict) or set(document) != {"units"}:
        raise ProblemError("validation_failed", errors=[FieldError("units", "missing", {
            "id": "Kirim {\"units\": [...]}.", "en": "Send {\"units\": [...]}."})])
    update_tenant(code, {"units": document["units"]}, actor)
    return read_units(code, caller)


def replace_categories(code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    """``{"categories": {code: {"enabled", "unit"}}}``: which categories the tenant offers, to which unit."""
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import CategoriesDocument

    _tenant, actor = desk_actor(code, caller)
    parse(CategoriesDocument, document)  # the documented shape first (OpenAPI)
    if not isinstance(document, dict) or set(document) != {"categories"}:
        raise ProblemError("validation_failed", errors=[FieldError("categories", "missing", {
            "id": "Kirim {\"categories\": {...}}.", "en": "Send {\"categories\": {...}}."})])
    return {"categories": update_tenant(code, {"categories": document["categories"]}, actor)["categories"]}
