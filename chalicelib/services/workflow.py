"""Workflow use cases: take an action on a report, read its history, list the staff queues."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib import clock
from chalicelib.domain import workflow as flow
from chalicelib.domain.identity import Caller
from chalicelib.domain.reports import view_for
from chalicelib.domain.taxonomy import CATEGORIES
from chalicelib.errors import FieldError, ProblemError, query_error
from chalicelib.observability import count, logger
from chalicelib.services import cursors
from chalicelib.services.access import COORDINATOR_ROLES, require_roles, signed_in
from chalicelib.services.reports import access_of, load
from chalicelib.services.tenants import require_tenant

if TYPE_CHECKING:
    from chalicelib.domain.commands import Transition

_MAX_ATTEMPTS = 5
_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')
_DUE_KEY = re.compile(r"^[~0-9][0-9T:.Z-]{0,30}#[0-9A-HJKMNP-TV-Z]{26}$")


def new_event(report: Any, *, action: str, from_status: str | None, role: str, actor: str | None,
              note: str | None, visibility: str, details: dict[str, Any], now: datetime) -> Any:
    """A history entry, and the report's ``last_event`` pointing at it (the stream publishes that)."""
    from ulid import ULID

    from chalicelib.store.models import ReportEventModel

    at = clock.iso(now)
    event = ReportEventModel(
        f"{report.tenant}#{report.report_id}", f"{at}#{ULID()}", tenant=report.tenant,
        report_id=report.report_id, at=at, action=action, from_status=from_status, to_status=report.status,
        actor=actor, role=role, note=note, visibility=visibility,
        details={k: v for k, v in details.items() if v is not None} or None)
    report.last_event = {"id": event.event_id, "action": action, "from": from_status, "to": report.status,
                         "role": role, "agency": report.agency, "assignee": report.assignee,
                         "note": note if visibility == "public" else None, "at": at}
    return event


def role_of(report: Any, caller: Caller | None, receipt: str | None = None) -> str | None:
    """The caller's role for this report (what its ``actions`` are computed for)."""
    return flow.actor_role(access_of(report), caller, receipt)


def _check_if_match(report: Any, if_match: str | None) -> None:
    if if_match is None or if_match.strip() == "*":
        return
    tags = [t.strip() for t in if_match.split(",")]
    versions = {m.group(1) for t in tags if (m := _ETAG.match(t))}
    if str(report.version) not in versions:
        raise ProblemError("precondition_failed", extra={"current_etag": f'"{report.version}"'})


def _unit(tenant: Any, category: Any, requested: str | None, current: str | None) -> str:
    from chalicelib.domain import routing
    from chalicelib.services.routing import units_of

    units = units_of(tenant)
    unit = requested or current
    if unit is None or unit not in routing.tenant_unit_codes(units):
        raise ProblemError("unknown_agency", errors=[FieldError("agency", "unknown_agency", {
            "id": "Unit tidak dikenal.", "en": "Unknown unit."})])
    if not routing.may_handle(category, unit, units):
        raise ProblemError("sensitive_routing")
    return unit


def _duplicate_of(report: Any, ref: str | None) -> str | None:
    if ref is None:
        return None
    try:
        original = load(report.tenant, ref)
    except ProblemError:
        raise ProblemError("duplicate_not_found") from None
    if original.report_id == report.report_id:
        raise ProblemError("duplicate_not_found")
    return str(original.report_id)


def _after_photos_ready(report: Any, photo_ids: list[str]) -> None:
    ready = {p.id for p in report.photos or [] if p.kind == "after" and p.status == "ready"}
    if not photo_ids or any(pid not in ready for pid in photo_ids):
        raise ProblemError("photos_not_ready")


def _apply(report: Any, tenant: Any, command: Transition, role: str, actor: str | None, now: datetime) -> Any:
    """Decide and apply one action to a loaded report; returns the history event to write with it."""
    from chalicelib.services.sla import apply_stage

    old_status = report.status
    new_status = flow.next_status(old_status, command.action, role)
    category = CATEGORIES[report.category]
    details: dict[str, Any] = {}
    action = command.action
    if action == "verify":
        report.agency = _unit(tenant, category, command.agency, report.agency)
        details["agency"] = report.agency
    elif action == "reassign":
        unit = _unit(tenant, category, command.agency, None)
        if unit == report.agency:
            raise ProblemError("validation_failed", errors=[FieldError("agency", "same_unit", {
                "id": "Laporan sudah di unit ini.", "en": "The report is already with this unit."})])
        details.update(from_agency=report.agency, agency=unit, reason=command.reason)
        report.agency, report.assignee = unit, None
    elif action == "assign":
        from chalicelib.services.staff import is_active_officer

        if not is_active_officer(report.tenant, str(command.assignee), str(report.agency)):
            raise ProblemError("assignee_not_in_unit", errors=[FieldError("assignee", "assignee_not_in_unit", {
                "id": "Bukan petugas aktif unit ini.", "en": "Not an active officer of this unit."})])
        report.assignee = command.assignee
        details["assignee"] = command.assignee
    elif action == "reject":
        report.duplicate_of = _duplicate_of(report, command.duplicate_of)
        report.handoff = command.note if command.reason == "not_jurisdiction" else None
        details.update(reason=command.reason, duplicate_of=report.duplicate_of)
    elif action == "resolve":
        _after_photos_ready(report, command.photo_ids or [])
        report.resolved_at = clock.iso(now)
        details["photo_ids"] = list(command.photo_ids or [])
    elif action == "confirm":
        report.rating = command.rating
        details["rating"] = command.rating
    elif action == "dispute":
        report.reopen_count = int(report.reopen_count or 0) + 1
        report.resolved_at = None
        details["reopen_count"] = report.reopen_count
    report.status = new_status
    if new_status in flow.FINISHED:
        report.closed_at = clock.iso(now)
    report.updated_at = clock.iso(now)
    if flow.stage_changes(old_status, new_status, action):
        apply_stage(report, flow.STAGE_OF[new_status], now, tenant)
    visibility = command.visibility or flow.NOTE_VISIBILITY[action]
    return new_event(report, action=action, from_status=old_status, role=role, actor=actor, note=command.note,
                     visibility=visibility, details=details, now=now)


def _claim(report: Any, caller: Caller | None, receipt: str | None, key: str | None, body: Any) -> Any:
    """The Idempotency-Key's claim, written with the change; None without a key."""
    if key is None:
        return None
    import hashlib
    import json

    from chalicelib.services.reports import valid_idempotency_key
    from chalicelib.store.models import IdempotencyModel

    valid_idempotency_key(key)
    who = caller.sub if caller else ("receipt:" + hashlib.sha256((receipt or "").encode()).hexdigest()[:16])
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    return IdempotencyModel(f"{report.tenant}#transition:{who}:{report.report_id}:{key}", payload_hash=digest,
                            report_id=report.report_id, expiration=int(clock.now().timestamp()) + 24 * 3600)


def _replay(tenant_code: str, report: Any, claim: Any) -> Any:
    """A retry of a transition that already happened: the report as it is now, or 422 for another body."""
    from chalicelib.store import reports as store

    first = store.claimed(claim.id)
    if first is not None and first.payload_hash != claim.payload_hash:
        raise ProblemError("idempotency_key_reused")
    return load(tenant_code, report.report_id)


def transition(tenant_code: str, ref: str, body: Any, caller: Caller | None, receipt: str | None,
               if_match: str | None, idempotency_key: str | None = None) -> Any:
    """Take one workflow action; exactly one of two concurrent conflicting actions wins.

    With an Idempotency-Key, a retry (a lost response on a flaky connection) returns the report instead
    of acting twice: the key is claimed in the same transaction as the change.
    """
    from chalicelib.domain.commands import Transition, parse  # pydantic: only when a transition comes in
    from chalicelib.store import reports as store

    command = parse(Transition, body)
    tenant = require_tenant(tenant_code)
    report = load(tenant_code, ref)
    claim = _claim(report, caller, receipt, idempotency_key, body)
    if claim is not None and store.claimed(claim.id) is not None:
        report = _replay(tenant_code, report, claim)
        return report, role_of(report, caller, receipt)
    for _ in range(_MAX_ATTEMPTS):
        access = access_of(report)
        if view_for(access, caller, receipt) is None:
            raise ProblemError("report_not_found")
        role = flow.actor_role(access, caller, receipt)
        _check_if_match(report, if_match)
        anonymous = role == "reporter" and (report.privacy == "anonymous" or report.reporter_sub is None)
        actor = None if anonymous or caller is None else caller.sub
        event = _apply(report, tenant, command, role or "", actor, clock.now())
        try:
            store.save_with_event(report, event, claim)
        except store.KeyAlreadyUsed:
            report = _replay(tenant_code, report, claim)
            return report, role_of(report, caller, receipt)
        except store.StaleWrite:
            if if_match is not None:
                raise ProblemError("precondition_failed") from None
            report = load(tenant_code, report.report_id)  # decide again on what is there now
            continue
        count("ReportTransitioned", tenant.code)
        logger().info("report transitioned", extra={"tenant": tenant.code, "report_id": report.report_id,
                                                    "action": command.action, "to": report.status, "role": role})
        return report, role
    raise ProblemError("conflict", headers={"Retry-After": "1"})


# -- history ---------------------------------------------------------------------------------------

_PUBLIC_DETAILS = ("agency", "from_agency", "reason", "rating", "level", "stage", "duplicate_of", "reopen_count")


def history(tenant_code: str, ref: str, caller: Caller | None, receipt: str | None) -> list[dict[str, Any]]:
    """Staff see every event; the reporter also sees notes meant for them; others status changes and public notes."""
    from chalicelib.store import reports as store

    report = load(tenant_code, ref)
    access = access_of(report)
    which = view_for(access, caller, receipt)
    if which is None:
        raise ProblemError("report_not_found")
    role = flow.actor_role(access, caller, receipt)
    staff = role in ("desk", "supervisor", "officer")
    shown = {"public", "reporter", "internal"} if staff else ({"public", "reporter"} if role == "reporter"
                                                              else {"public"})
    items = []
    for event in store.history(report.tenant, report.report_id):
        changed = event.from_status != event.to_status or event.action in ("escalate", "auto_close")
        note_visible = event.visibility in shown
        if not staff and not changed and not (note_visible and event.note):
            continue
        details = event.details.as_dict() if event.details else {}
        if not staff:
            details = {k: v for k, v in details.items() if k in _PUBLIC_DETAILS}
        items.append({
            "id": event.event_id,
            "at": event.at,
            "action": event.action,
            "from": event.from_status,
            "to": event.to_status,
            "actor": {"role": event.role, "id": event.actor if staff else None},
            "note": event.note if note_visible else None,
            "visibility": event.visibility if staff else None,
            "details": details,
        })
    return items


# -- staff queues ----------------------------------------------------------------------------------


def _decode(cursor: str | None) -> str | None:
    return cursors.decode(cursor, "after", lambda value: bool(_DUE_KEY.match(value)))


def _encode(key: str | None) -> str | None:
    return cursors.encode("after", key)


def desk_inbox(tenant_code: str, caller: Caller | None, status: str | None, limit: int,
               cursor: str | None) -> tuple[list[Any], str | None]:
    """Reports waiting for the desk, the one due soonest first."""
    from chalicelib.store import reports as store

    tenant = require_roles(tenant_code, caller, COORDINATOR_ROLES)
    status = status or "submitted"
    if status not in flow.AT_DESK:
        raise query_error("status", "unknown_status", "Status harus submitted atau on_hold.",
                         "Status must be submitted or on_hold.")
    page = store.list_desk(tenant.code, status, limit=limit, after=_decode(cursor))
    return page.items, _encode(page.last_key)


def unit_reports(tenant_code: str, agency: str, caller: Caller | None, status: str | None, overdue: str | None,
                 limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """A unit's reports by due time; officers see only their own unit, desk and supervisors any."""
    from chalicelib.domain import routing
    from chalicelib.services.routing import units_of
    from chalicelib.store import reports as store

    tenant = require_tenant(tenant_code)
    caller = signed_in(caller)
    if agency not in routing.tenant_unit_codes(units_of(tenant)):
        raise ProblemError("not_found")
    coordinator = caller.roles & COORDINATOR_ROLES
    own_unit = "officer" in caller.roles and caller.agency == agency
    if not caller.is_staff_of(tenant.code) or not (coordinator or own_unit):
        raise ProblemError("forbidden")
    if status is not None and (status in flow.AT_DESK or status not in flow.STAGE_OF or status == "rejected"):
        raise query_error("status", "unknown_status", "Status unit: dispatched, acknowledged, in_progress, "
                         "resolved atau closed.", "A unit status: dispatched, acknowledged, in_progress, resolved "
                         "or closed.")
    flag = {None: None, "true": True, "false": False}.get(overdue, "bad")
    if flag == "bad":
        raise query_error("overdue", "not_boolean", "Harus true atau false.", "Must be true or false.")
    page = store.list_unit(tenant.code, agency, status=status, overdue=flag if flag != "bad" else None,
                           now=clock.iso(clock.now()), limit=limit, after=_decode(cursor))
    return page.items, _encode(page.last_key)
