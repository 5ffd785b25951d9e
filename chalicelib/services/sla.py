"""SLA use cases: a tenant's policy (read, replace) and starting a report's stage clock."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from chalicelib import clock
from chalicelib.domain.identity import Caller
from chalicelib.domain.taxonomy import CATEGORIES
from chalicelib.services.access import require_desk


@lru_cache(maxsize=64)
def _parsed(document: str) -> Any:
    from chalicelib.domain import sla

    return sla.parse_policy(json.loads(document), CATEGORIES.keys())


def policy_of(tenant: Any) -> Any:
    """The tenant's policy, or the national defaults when it set none (parsed once per document)."""
    from chalicelib.domain import sla

    if not tenant.sla_policy:
        return sla.default_policy()
    return _parsed(json.dumps(tenant.sla_policy.as_dict(), sort_keys=True))


def apply_stage(report: Any, stage: str | None, now: datetime, tenant: Any) -> None:
    """Start ``stage``'s clock on the report (a new ``stage_seq`` names its timer), or stop any clock."""
    report.escalation_level = 0
    report.breached = False
    report.escalated_at = None
    if stage is None:
        report.stage = report.due_at = report.remind_at = report.stage_started_at = None
        report.ladder = None
        return
    from chalicelib.domain import sla
    from chalicelib.store.models import LadderStep

    deadline = sla.deadline(policy_of(tenant), report.category, stage, now, tenant.timezone)
    report.stage = stage
    report.stage_seq = int(report.stage_seq or 0) + 1
    report.stage_started_at = clock.iso(now)
    report.due_at = clock.iso(deadline.due_at)
    # No reminder before auto-close: the resolve notice already asks the reporter to confirm or dispute,
    # and a reminder would add four billed transitions to most reports.
    remind = deadline.remind_at if stage != "auto_close" else None
    report.remind_at = clock.iso(remind) if remind else None
    report.ladder = [LadderStep(level=level, audience=audience, at=clock.iso(at))
                     for level, audience, at in deadline.ladder]


def read_policy(tenant_code: str, caller: Caller | None) -> dict[str, Any]:
    from chalicelib.domain import sla

    tenant = require_desk(tenant_code, caller)
    return dict(sla.policy_to_json(policy_of(tenant)))


def replace_policy(tenant_code: str, caller: Caller | None, document: Any) -> dict[str, Any]:
    """Validate and store the whole policy; running clocks keep the deadline they started with."""
    from chalicelib.domain import sla
    from chalicelib.domain.commands import parse
    from chalicelib.domain.documents import SlaPolicyDocument
    from chalicelib.store.tenants import update_tenant

    tenant = require_desk(tenant_code, caller)
    parse(SlaPolicyDocument, document)  # the documented shape first (OpenAPI); parse_policy checks each rule
    policy = sla.parse_policy(document, CATEGORIES.keys())
    stored = sla.policy_to_json(policy)
    update_tenant(tenant.code, sla_policy=stored)
    return dict(stored)


def closed_by_timer(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """The change is the auto-close timer's own write (resolved -> closed, no request event of its own)."""
    return bool(old and new and old.get("stage") == "auto_close" and old.get("status") == "resolved"
                and new.get("status") == "closed"
                and (new.get("last_event") or {}).get("id") == (old.get("last_event") or {}).get("id"))


def record_auto_close(old: dict[str, Any], new: dict[str, Any]) -> None:
    """History entry and announcement of an auto-close, from the stream record of the timer's write.

    The state machine only closes (infra/statemachines/sla.asl.json): two more states per auto-closed
    report cost more than this, which the stream handler runs anyway for that record. Safe to repeat:
    the entry's id comes from the stage run it ended (a redelivery meets its own entry), and the
    notifier names its messages after the event.
    """
    from chalicelib.adapters import lifecycle_topic
    from chalicelib.store.models import ReportEventModel
    from chalicelib.store.reports import record_once

    tenant, report_id, seq = str(new["tenant"]), str(new["report_id"]), int(old.get("stage_seq") or 0)
    at = str(new.get("closed_at") or new.get("updated_at"))
    record_once(ReportEventModel(
        f"{tenant}#{report_id}", f"{old.get('due_at')}#auto_close-{seq}", tenant=tenant, report_id=report_id,
        at=at, action="auto_close", from_status="resolved", to_status="closed", role="system",
        visibility="public"))
    lifecycle_topic.publish({"type": "report.auto_closed", "tenant": tenant, "report_id": report_id,
                             "stage": "auto_close", "seq": seq, "at": at})
