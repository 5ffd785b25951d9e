"""A tenant's staff accounts: list (officers of a unit, say), create, change, disable (never delete).

Cognito holds the account (sign-in, group, ``custom:tenant``/``custom:agency``); the staff table mirrors
it so a tenant's staff can be listed and an ``assign`` checked against real officers of the unit.
Disabling keeps the account and every history entry that names it readable.
"""

from __future__ import annotations

from typing import Any

from chalicelib import clock
from chalicelib.domain import tenancy
from chalicelib.domain.identity import Caller
from chalicelib.errors import FieldError, ProblemError
from chalicelib.services.onboarding import desk_actor

_FIELDS = ("username", "role", "agency", "name", "email")
_PATCH_FIELDS = ("role", "agency", "name", "email", "status")


def view(entry: Any) -> dict[str, Any]:
    return {"id": entry.sub, "username": entry.username, "role": entry.role, "agency": entry.agency,
            "name": entry.name, "email": entry.email, "status": entry.status, "created_at": entry.created_at,
            "updated_at": entry.updated_at, "disabled_at": entry.disabled_at}


def _check(document: Any, keys: tuple[str, ...], required: tuple[str, ...], tenant: Any,
           current: Any = None) -> dict[str, Any]:
    from chalicelib.domain.routing import tenant_unit_codes
    from chalicelib.services.routing import units_of

    problems = tenancy.Problems()
    if not problems.object(document, "", keys, required):
        problems.raise_if_any()
    out: dict[str, Any] = {}
    if "username" in document:
        out["username"] = problems.text(document["username"], "username", tenancy.USERNAME, "invalid_username")
    role = document.get("role", current.role if current else None)
    if "role" in document and role not in tenancy.STAFF_ROLES:
        problems.errors.append(FieldError("role", "literal_error", {
            "id": "Peran harus officer, supervisor atau tenant_admin.",
            "en": "The role must be officer, supervisor or tenant_admin."}))
    agency = document.get("agency", current.agency if current else None)
    if role == "officer" and agency not in tenant_unit_codes(units_of(tenant)):
        problems.add("agency", "unknown_unit")
    if role != "officer":
        agency = None  # only officers belong to a unit; supervisors and the desk see them all
    if "email" in document and document["email"] is not None:
        out["email"] = problems.text(document["email"], "email", tenancy.EMAIL, "invalid_email")
    if "name" in document and document["name"] is not None:
        out["name"] = problems.text(document["name"], "name")
    if "status" in document and document["status"] not in ("active", "disabled"):
        problems.errors.append(FieldError("status", "literal_error", {
            "id": "Status harus active atau disabled.", "en": "The status must be active or disabled."}))
    problems.raise_if_any()
    out.update(role=role, agency=agency)
    if "status" in document:
        out["status"] = document["status"]
    return out


def list_staff(code: str, caller: Caller | None, role: str | None, agency: str | None,
               status: str | None) -> list[dict[str, Any]]:
    """Desk and supervisors list everyone; ``?agency=DLH&role=officer`` lists who can be assigned there."""
    from chalicelib.services.access import COORDINATOR_ROLES, require_roles
    from chalicelib.store import staff

    tenant = require_roles(code, caller, COORDINATOR_ROLES)
    people = [p for p in staff.of_tenant(tenant.code)
              if (role is None or p.role == role) and (agency is None or p.agency == agency)
              and (status is None or p.status == status)]
    return [view(p) for p in sorted(people, key=lambda p: p.username)]


def create(code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    from pynamodb.transactions import TransactWrite

    from chalicelib.adapters import accounts
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import NewStaff
    from chalicelib.store import audit
    from chalicelib.store.models import StaffModel
    from chalicelib.store.reports import _connection

    tenant, actor = desk_actor(code, caller)
    parse(NewStaff, document)  # the documented shape first (OpenAPI); _check looks at each field
    fields = _check(document, _FIELDS, ("username", "role"), tenant)
    password = accounts.temporary_password()
    try:
        sub = accounts.create(fields["username"], tenant=tenant.code, role=fields["role"], agency=fields["agency"],
                              email=fields.get("email"), name=fields.get("name"), password=password)
    except accounts.UsernameTaken:
        raise ProblemError("validation_failed", errors=[FieldError("username", "username_taken", {
            "id": "Nama pengguna ini sudah dipakai.", "en": "This username is already taken."})]) from None
    now = clock.iso(clock.now())
    entry = StaffModel(tenant.code, sub, username=fields["username"], role=fields["role"], agency=fields["agency"],
                       name=fields.get("name"), email=fields.get("email"), status="active", created_at=now,
                       updated_at=now)
    with TransactWrite(connection=_connection()) as tx:
        tx.save(entry, condition=StaffModel.sub.does_not_exist())
        tx.save(audit.entry(tenant.code, actor, "staff.create", target=sub, after=view(entry)))
    return {**view(entry), "temporary_password": password}  # shown once; changed at first sign-in


def _load(tenant: Any, staff_id: str) -> Any:
    from chalicelib.store import staff

    entry = staff.get(tenant.code, staff_id) if len(staff_id) <= 64 else None
    if entry is None:
        raise ProblemError("not_found")
    return entry


def update(code: str, caller: Caller | None, staff_id: str, document: Any) -> dict[str, Any]:
    from pynamodb.transactions import TransactWrite

    from chalicelib.adapters import accounts
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import StaffChanges
    from chalicelib.store import audit
    from chalicelib.store import staff as directory
    from chalicelib.store.models import StaffModel
    from chalicelib.store.reports import _connection

    tenant, actor = desk_actor(code, caller)
    entry = _load(tenant, staff_id)
    before = view(entry)
    parse(StaffChanges, document)  # the documented shape first (OpenAPI); _check looks at each field
    fields = _check(document, _PATCH_FIELDS, (), tenant, current=entry)
    status = fields.get("status", entry.status)
    accounts.change(entry.username, tenant=tenant.code, old_role=entry.role, role=fields["role"],
                    agency=fields["agency"], email=fields.get("email", entry.email),
                    name=fields.get("name", entry.name))
    if status != entry.status:
        (accounts.disable if status == "disabled" else accounts.enable)(entry.username)
    now = clock.iso(clock.now())
    entry.role, entry.agency = fields["role"], fields["agency"]
    entry.email, entry.name = fields.get("email", entry.email), fields.get("name", entry.name)
    entry.status, entry.updated_at = status, now
    entry.disabled_at = now if status == "disabled" and before["status"] != "disabled" else (
        entry.disabled_at if status == "disabled" else None)
    action = "staff.disable" if status == "disabled" and before["status"] != "disabled" else (
        "staff.enable" if status == "active" and before["status"] == "disabled" else "staff.update")
    with TransactWrite(connection=_connection()) as tx:
        tx.save(entry, condition=StaffModel.sub.exists())
        tx.save(audit.entry(tenant.code, actor, action, target=entry.sub, before=before, after=view(entry)))
    directory.forget(tenant.code, entry.sub)
    return view(entry)


def disable(code: str, caller: Caller | None, staff_id: str) -> dict[str, Any]:
    """``DELETE``: the account is disabled, not deleted, so the history that names it stays readable."""
    return update(code, caller, staff_id, {"status": "disabled"})


def is_active_officer(tenant: str, sub: str, unit: str) -> bool:
    """For ``assign``: the assignee is an active officer of the report's unit."""
    from chalicelib.store import staff

    entry = staff.get(tenant, sub)
    return entry is not None and entry.status == "active" and entry.role == "officer" and entry.agency == unit


def disabled(caller: Caller) -> bool:
    """A staff token issued before its account was disabled is refused (checked once a minute per container)."""
    from chalicelib.adapters.tenant_scope import tenant_scope
    from chalicelib.store import staff

    if not (caller.tenant and caller.is_staff):
        return False
    with tenant_scope(caller.tenant):  # one's own account, whichever tenant's route was called
        return staff.is_disabled(caller.tenant, caller.sub)
