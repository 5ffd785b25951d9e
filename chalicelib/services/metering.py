"""Billable events seen by the event handlers: SLA timers and their transitions (the reports stream),
and outbound deliveries (the deliverer).

These happen outside one database write of ours, and the stream and the queues deliver at least
once, so each is counted with a mark named after the event (see ``chalicelib/store/usage.py``): a
redelivered record or message meets its mark and counts nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib import clock
from chalicelib.store import usage


def _moment(text: Any) -> datetime:
    try:
        return clock.parse_iso(str(text))
    except (TypeError, ValueError):
        return clock.now()


def _stage(item: dict[str, Any] | None) -> tuple[str, int] | None:
    if not item or not item.get("stage"):
        return None
    return str(item["stage"]), int(item.get("stage_seq") or 0)


def _event_id(item: dict[str, Any] | None) -> Any:
    return ((item or {}).get("last_event") or {}).get("id")


def timer_events(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[tuple[str, str, datetime]]:
    """(counter, mark, when) for each billable timer event one stream record shows.

    - a new stage run on the report: its timer was started (``timers.start`` ran just before);
    - a write by the SLA state machine (no new request event): a higher ``escalation_level`` is an
      escalation, resolved -> closed an auto-close.
    """
    from chalicelib.adapters.timers import execution_name

    if new is None:
        return []
    tenant, report_id = str(new.get("tenant")), str(new.get("report_id"))
    found: list[tuple[str, str, datetime]] = []
    old_stage, new_stage = _stage(old), _stage(new)
    if new_stage and new_stage != old_stage:
        name = execution_name(tenant, report_id, new_stage[0], new_stage[1])
        found.append(("sla_timers_started", f"timer#{name}", _moment(new.get("stage_started_at"))))
    if old is None or _event_id(new) != _event_id(old):
        return found  # a request's write: its changes are not the timer's doing
    level, before = int(new.get("escalation_level") or 0), int(old.get("escalation_level") or 0)
    if new_stage and new_stage == old_stage and level > before:
        found.append(("sla_timer_transitions",
                      f"sla#{report_id}#{new_stage[0]}#{new_stage[1]}#escalate-{level}",
                      _moment(new.get("escalated_at"))))
    if old.get("status") == "resolved" and new.get("status") == "closed" and old_stage:
        found.append(("sla_timer_transitions", f"sla#{report_id}#{old_stage[0]}#{old_stage[1]}#auto_close",
                      _moment(new.get("closed_at"))))
    return found


def timer_increments(old: dict[str, Any] | None, new: dict[str, Any] | None, seed: str) -> list[usage.Increment]:
    """The counters of this change's timer events, one increment per month, for a transaction that
    already counts the stream record once (``services.stats.report_changed``: its mark names the record)."""
    tenant = str((new or old or {}).get("tenant"))
    by_month: dict[str, tuple[datetime, dict[str, int]]] = {}
    for counter, _mark, at in timer_events(old, new):
        _, amounts = by_month.setdefault(at.strftime("%Y-%m"), (at, {}))
        amounts[counter] = amounts.get(counter, 0) + 1
    return [usage.increment(tenant, amounts, at, seed) for at, amounts in by_month.values()]


def report_changed(old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
    """Count what the timers did in this change, each with its own mark: for a change without a stream
    record id (the stream handler counts them in the stats transaction otherwise: ``timer_increments``)."""
    tenant = str((new or old or {}).get("tenant"))
    return sum(usage.count(tenant, counter, 1, mark=mark, at=at) for counter, mark, at in timer_events(old, new))


def delivered(delivery: dict[str, Any], channel_type: str) -> bool:
    """Count one sent delivery (``notifications_webhook`` / ``notifications_email``), once per delivery id.

    Counted in the month of the event it announces, so a retry across a month end lands where the first
    attempt would have.
    """
    return usage.count(str(delivery["tenant"]), f"notifications_{channel_type}", 1, mark=f"delivery#{delivery['id']}",
                       at=_moment(delivery.get("at")))
